package org.ketenlink.connectors.mqtt;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} from PEM files, with the JDK alone: X.509 certificates through {@link
 * CertificateFactory}, unencrypted PKCS#8 keys through {@link KeyFactory}. Error messages name the
 * file and never contain key material.
 */
final class PemTls {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

  private PemTls() {}

  /**
   * @throws IllegalArgumentException listing every file that cannot be used, and why
   */
  static SSLContext context(TlsSettings tls) {
    List<String> problems = new ArrayList<>();
    List<X509Certificate> cas = List.of();
    try {
      cas = certificates(tls.caCertificate());
    } catch (IllegalArgumentException e) {
      problems.add("tls.caCertificate: " + e.getMessage());
    }
    List<X509Certificate> chain = List.of();
    Optional<PrivateKey> key = Optional.empty();
    if (tls.clientCertificate().isPresent() && tls.clientKey().isPresent()) {
      try {
        chain = certificates(tls.clientCertificate().get());
      } catch (IllegalArgumentException e) {
        problems.add("tls.clientCertificate: " + e.getMessage());
      }
      try {
        key = Optional.of(privateKey(tls.clientKey().get()));
      } catch (IllegalArgumentException e) {
        problems.add("tls.clientKey: " + e.getMessage());
      }
      if (!chain.isEmpty() && key.isPresent() && !belongTogether(key.get(), chain.get(0))) {
        problems.add(
            "tls.clientKey: "
                + tls.clientKey().get().toAbsolutePath()
                + " is not the key of the certificate in "
                + tls.clientCertificate().get().toAbsolutePath());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "unusable TLS files:\n  - " + String.join("\n  - ", problems));
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          key.isPresent() ? keyManagers(key.get(), chain) : null, trustManagers(cas), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS: " + e, e);
    }
  }

  /**
   * @throws IllegalArgumentException naming the file if it holds no usable certificate
   */
  static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block block : blocks(file)) {
        if (block.type().equals("CERTIFICATE")) {
          certificates.add(
              (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          file.toAbsolutePath() + ": not a valid X.509 certificate (" + e.getMessage() + ")");
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          file.toAbsolutePath() + ": no PEM certificate (-----BEGIN CERTIFICATE-----) found");
    }
    return certificates;
  }

  /**
   * @throws IllegalArgumentException naming the file if it holds no usable private key
   */
  static PrivateKey privateKey(Path file) {
    List<Block> blocks = blocks(file);
    Optional<Block> pkcs8 = blocks.stream().filter(b -> b.type().equals("PRIVATE KEY")).findFirst();
    if (pkcs8.isEmpty()) {
      String found =
          blocks.stream()
              .map(Block::type)
              .filter(t -> t.endsWith("PRIVATE KEY"))
              .findFirst()
              .map(t -> "found a '" + t + "' block; ")
              .orElse("");
      throw new IllegalArgumentException(
          file.toAbsolutePath()
              + ": no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
              + found
              + "convert it with: openssl pkcs8 -topk8 -nocrypt -in <key> -out <key.pk8>");
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8.get().der());
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm; try the next
      }
    }
    throw new IllegalArgumentException(
        file.toAbsolutePath() + ": the PKCS#8 key is neither an RSA nor an EC key");
  }

  private static boolean belongTogether(PrivateKey key, X509Certificate certificate) {
    String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static javax.net.ssl.KeyManager[] keyManagers(PrivateKey key, List<X509Certificate> chain)
      throws GeneralSecurityException, IOException {
    // The store lives only in memory for the factory to read; its password protects nothing.
    char[] password = new char[16];
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("client", key, password, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return factory.getKeyManagers();
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private static javax.net.ssl.TrustManager[] trustManagers(List<X509Certificate> cas)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    for (int i = 0; i < cas.size(); i++) {
      store.setCertificateEntry("ca-" + i, cas.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(store);
    return factory.getTrustManagers();
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          file.toAbsolutePath() + ": cannot read (" + e.getMessage() + ")");
    }
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            file.toAbsolutePath() + ": a '" + m.group(1) + "' block is not valid Base64");
      }
    }
    return blocks;
  }
}
