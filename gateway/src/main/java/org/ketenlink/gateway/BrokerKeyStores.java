package org.ketenlink.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the broker's PEM files into the PKCS#12 key store and trust store that HiveMQ reads.
 *
 * <p>Both stores get a fresh random password on every start; it lives only in the generated
 * config.xml next to them, and both files are readable by the owner only. Plain JDK code, so the
 * gateway needs no PEM library: the key must be unencrypted PKCS#8, which is what {@code openssl
 * genpkey} and OpenSSL 3 {@code req -newkey} write.
 */
final class BrokerKeyStores {

  static final String KEYSTORE_FILE = "broker-keystore.p12";
  static final String TRUSTSTORE_FILE = "client-ca-truststore.p12";

  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  /** The signature used to prove that the key belongs to the certificate, per key algorithm. */
  private static final Map<String, String> PROOF_SIGNATURE =
      Map.of(
          "RSA", "SHA256withRSA",
          "EC", "SHA256withECDSA",
          "Ed25519", "Ed25519",
          "EdDSA", "EdDSA");

  /** Where the stores were written and the password that opens both. */
  record Stores(Path keystore, Path truststore, String password) {
    @Override
    public String toString() {
      return "Stores[keystore=" + keystore + ", truststore=" + truststore + ", password=***]";
    }
  }

  private BrokerKeyStores() {}

  /**
   * Reads and checks the PEM files and writes both stores into {@code dir}.
   *
   * @throws IllegalArgumentException if a PEM file is missing, unreadable, in an unsupported
   *     format, or the key does not belong to the certificate
   * @throws IllegalStateException if the stores cannot be written
   */
  static Stores write(BrokerTls tls, Path dir, SecureRandom random) {
    List<X509Certificate> chain = certificates(tls.certificate(), "broker certificate");
    PrivateKey key = privateKey(tls.privateKey(), chain.get(0));
    List<X509Certificate> clientCas = certificates(tls.clientCa(), "client CA");

    byte[] secret = new byte[24];
    random.nextBytes(secret);
    // Base64url: no character that needs escaping in XML or means anything to HiveMQ's
    // ${ENV:...} placeholder replacement.
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    char[] pw = password.toCharArray();
    try {
      KeyStore keystore = KeyStore.getInstance("PKCS12");
      keystore.load(null, null);
      keystore.setKeyEntry("broker", key, pw, chain.toArray(new Certificate[0]));

      KeyStore truststore = KeyStore.getInstance("PKCS12");
      truststore.load(null, null);
      for (int i = 0; i < clientCas.size(); i++) {
        truststore.setCertificateEntry("client-ca-" + i, clientCas.get(i));
      }

      Path keystoreFile = dir.resolve(KEYSTORE_FILE);
      Path truststoreFile = dir.resolve(TRUSTSTORE_FILE);
      store(keystore, keystoreFile, pw);
      store(truststore, truststoreFile, pw);
      return new Stores(keystoreFile, truststoreFile, password);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the broker's TLS key stores: " + e, e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the broker's TLS key stores in " + dir, e);
    }
  }

  /** Deletes the stores, so the key does not outlive the broker in a second file. */
  static void delete(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(KEYSTORE_FILE));
    Files.deleteIfExists(dir.resolve(TRUSTSTORE_FILE));
  }

  static List<X509Certificate> certificates(Path pem, String what) {
    byte[] bytes = read(pem, what);
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Certificate c : factory.generateCertificates(new ByteArrayInputStream(bytes))) {
        certificates.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          what + " " + pem + ": not a PEM certificate file (" + e.getMessage() + ")", e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(what + " " + pem + ": contains no certificate");
    }
    return certificates;
  }

  static PrivateKey privateKey(Path pem, X509Certificate certificate) {
    String text = new String(read(pem, "broker private key"), StandardCharsets.ISO_8859_1);
    Matcher m = PKCS8.matcher(text);
    if (!m.find()) {
      throw new IllegalArgumentException("broker private key " + pem + ": " + formatProblem(text));
    }
    String algorithm = certificate.getPublicKey().getAlgorithm();
    PrivateKey key;
    try {
      byte[] der = Base64.getMimeDecoder().decode(m.group(1));
      key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "broker private key " + pem + ": not a valid " + algorithm + " PKCS#8 key", e);
    }
    if (!belongsTo(key, certificate)) {
      throw new IllegalArgumentException(
          "broker private key "
              + pem
              + " does not belong to the broker certificate "
              + certificate.getSubjectX500Principal().getName());
    }
    return key;
  }

  private static String formatProblem(String text) {
    if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
      return "the key is encrypted; the gateway needs it unencrypted and readable only by its"
          + " service user (openssl pkcs8 -in key.pem -out key-plain.pem)";
    }
    if (text.contains("-----BEGIN RSA PRIVATE KEY-----")
        || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
      return "the key is in the traditional OpenSSL format; convert it to PKCS#8 with"
          + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem";
    }
    return "no '-----BEGIN PRIVATE KEY-----' (PKCS#8) block found";
  }

  private static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
    String signatureAlgorithm = PROOF_SIGNATURE.get(key.getAlgorithm());
    if (signatureAlgorithm == null) {
      // An algorithm we cannot test here (e.g. RSASSA-PSS); the TLS handshake will tell.
      return true;
    }
    try {
      byte[] challenge = "ketenlink broker key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(signatureAlgorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(signatureAlgorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] read(Path pem, String what) {
    try {
      return Files.readAllBytes(pem);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " " + pem + ": cannot be read (" + e + ")", e);
    }
  }

  private static void store(KeyStore store, Path file, char[] password)
      throws IOException, GeneralSecurityException {
    Files.deleteIfExists(file);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, password);
    }
  }
}
