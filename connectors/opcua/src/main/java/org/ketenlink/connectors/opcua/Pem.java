package org.ketenlink.connectors.opcua;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Certificates (PEM or DER) and unencrypted PKCS#8 private keys (PEM) on disk. */
final class Pem {

  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";

  private Pem() {}

  /** The first certificate in {@code file}, PEM or DER. */
  static X509Certificate readCertificate(Path file) throws IOException {
    List<X509Certificate> chain = readCertificates(file);
    if (chain.isEmpty()) {
      throw new IOException(file.toAbsolutePath() + " holds no certificate");
    }
    return chain.get(0);
  }

  /** Every certificate in {@code file} (a chain), PEM or DER. */
  static List<X509Certificate> readCertificates(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      List<X509Certificate> certificates = new ArrayList<>();
      factory.generateCertificates(in).forEach(c -> certificates.add((X509Certificate) c));
      return certificates;
    } catch (CertificateException e) {
      throw new IOException(
          file.toAbsolutePath() + " is not an X.509 certificate (PEM or DER): " + e.getMessage(),
          e);
    }
  }

  /** An unencrypted PKCS#8 private key (RSA or EC) in PEM form. */
  static PrivateKey readPrivateKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")) {
      throw new IOException(
          file.toAbsolutePath()
              + " is a PKCS#1/SEC1 key; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out key-pkcs8.pem");
    }
    if (text.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
      throw new IOException(
          file.toAbsolutePath()
              + " is encrypted; store it unencrypted (protect it with file permissions): openssl"
              + " pkcs8 -topk8 -nocrypt -in "
              + file
              + " -out key-pkcs8.pem");
    }
    int begin = text.indexOf(KEY_BEGIN);
    int end = text.indexOf(KEY_END);
    if (begin < 0 || end < begin) {
      throw new IOException(
          file.toAbsolutePath()
              + " holds no PEM private key ("
              + KEY_BEGIN
              + " ... "
              + KEY_END
              + ")");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IOException(file.toAbsolutePath() + " is not valid PEM: " + e.getMessage(), e);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IOException(file.toAbsolutePath() + " is neither an RSA nor an EC PKCS#8 key");
  }

  /** Writes {@code key} as PKCS#8 PEM, readable by the owner only where the file system can. */
  static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    String pem =
        KEY_BEGIN
            + "\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded())
            + "\n"
            + KEY_END
            + "\n";
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp);
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): the folder's ACL has to protect the key.
    }
    Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
    move(tmp, file);
  }

  /** Writes {@code bytes} so that a reader never sees a half-written file. */
  static void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, bytes);
    move(tmp, file);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
