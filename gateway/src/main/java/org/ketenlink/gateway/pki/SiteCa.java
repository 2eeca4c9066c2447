package org.ketenlink.gateway.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The site's own certificate authority for MQTT over TLS, in one folder ({@code <pkiDir>/mqtt/}):
 * {@code ca.crt} and {@code ca.key} (owner-readable only), the embedded broker's {@code broker.crt}
 * and {@code broker.key}, {@code issued.csv} (every certificate issued: serial, SHA-256
 * fingerprint, subject, partner, not-after) and {@code revoked.txt} (one SHA-256 fingerprint per
 * line, read by the broker at every connection). Keys are ECDSA P-256, signatures SHA256withECDSA.
 */
public final class SiteCa {

  /** Issued certificates and their keys: what a bundle holds. */
  public record Issued(X509Certificate certificate, PrivateKey key) {}

  public static final String CA_CERT = "ca.crt";
  public static final String CA_KEY = "ca.key";
  public static final String BROKER_CERT = "broker.crt";
  public static final String BROKER_KEY = "broker.key";
  public static final String ISSUED = "issued.csv";
  public static final String REVOKED = "revoked.txt";

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final X509Certificate caCert;
  private final PrivateKey caKey;
  private final Clock clock;

  private SiteCa(Path dir, X509Certificate caCert, PrivateKey caKey, Clock clock) {
    this.dir = dir;
    this.caCert = caCert;
    this.caKey = caKey;
    this.clock = clock;
  }

  /** Whether {@code dir} holds a CA. */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(CA_CERT)) || Files.exists(dir.resolve(CA_KEY));
  }

  /**
   * Creates a new CA in {@code dir}, valid for {@code validity}.
   *
   * @throws IllegalStateException if {@code dir} already holds one (it is never overwritten)
   */
  public static SiteCa create(Path dir, String name, Duration validity, Clock clock) {
    if (exists(dir)) {
      throw new IllegalStateException(
          "a certificate authority already exists in " + dir + "; it is never overwritten");
    }
    KeyPair keys = ecKeys();
    Instant now = clock.instant();
    X500Name subject = name(name, "Ketenlink site CA");
    try {
      JcaX509v3CertificateBuilder b = builder(subject, subject, keys, now, validity);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate cert = sign(b, keys.getPrivate());
      Files.createDirectories(dir);
      writePrivate(dir.resolve(CA_KEY), keyPem(keys.getPrivate()));
      Files.writeString(dir.resolve(CA_CERT), pem(cert), StandardOpenOption.CREATE_NEW);
      return new SiteCa(dir, cert, keys.getPrivate(), clock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the CA in " + dir + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Opens the CA in {@code dir}. */
  public static SiteCa open(Path dir, Clock clock) {
    if (!Files.isRegularFile(dir.resolve(CA_CERT)) || !Files.isRegularFile(dir.resolve(CA_KEY))) {
      throw new IllegalStateException(
          "no certificate authority in " + dir + "; create one with 'ketenlink ca init'");
    }
    return new SiteCa(
        dir, readCertificate(dir.resolve(CA_CERT)), readKey(dir.resolve(CA_KEY)), clock);
  }

  public Path dir() {
    return dir;
  }

  public X509Certificate certificate() {
    return caCert;
  }

  /**
   * Issues the embedded broker's server certificate for {@code hosts} (DNS names or IP addresses)
   * and writes {@code broker.crt} and {@code broker.key}, replacing earlier ones.
   */
  public Issued issueBroker(List<String> hosts, Duration validity) {
    List<GeneralName> names = new ArrayList<>();
    for (String h : new LinkedHashSet<>(hosts)) {
      names.add(
          isIpAddress(h)
              ? new GeneralName(GeneralName.iPAddress, h)
              : new GeneralName(GeneralName.dNSName, h));
    }
    Issued issued =
        issue(
            name(hosts.get(0), "Ketenlink broker"), KeyPurposeId.id_kp_serverAuth, names, validity);
    try {
      writePrivate(dir.resolve(BROKER_KEY), keyPem(issued.key()));
      Files.writeString(dir.resolve(BROKER_CERT), pem(issued.certificate()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    record(issued.certificate(), "-broker-");
    return issued;
  }

  /**
   * Issues a client certificate for partner {@code id} (common name = id) and records it in {@code
   * issued.csv}. The key is not stored here: it goes into the partner's bundle only.
   */
  public Issued issuePartner(String id, String organisation, Duration validity) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "partner id '" + id + "' is not 1-63 lower-case letters, digits or '-'");
    }
    Issued issued =
        issue(name(id, organisation), KeyPurposeId.id_kp_clientAuth, List.of(), validity);
    record(issued.certificate(), id);
    return issued;
  }

  /**
   * Issues a client certificate for another client of an external broker — e.g. the gateway's own
   * link (common name = its MQTT user name under {@code use_identity_as_username}) — and records it
   * under {@code "-client-"}. The key is returned, not stored.
   */
  public Issued issueClient(String commonName, String organisation, Duration validity) {
    Issued issued =
        issue(name(commonName, organisation), KeyPurposeId.id_kp_clientAuth, List.of(), validity);
    record(issued.certificate(), "-client-");
    return issued;
  }

  /**
   * Revokes every certificate issued to {@code partner}: their fingerprints go into {@code
   * revoked.txt}. Returns the fingerprints newly revoked.
   */
  public List<String> revoke(String partner) {
    List<String> fingerprints = new ArrayList<>();
    for (String[] row : issuedRows()) {
      if (row[3].equals(partner)) {
        fingerprints.add(row[1]);
      }
    }
    Set<String> already = Revocations.read(dir.resolve(REVOKED));
    List<String> fresh = fingerprints.stream().filter(f -> !already.contains(f)).toList();
    try {
      StringBuilder b = new StringBuilder();
      for (String f : fresh) {
        b.append(f).append("  # ").append(partner).append(' ').append(clock.instant()).append('\n');
      }
      Files.writeString(
          dir.resolve(REVOKED), b, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return fresh;
  }

  /** The certificates issued so far: serial, fingerprint, subject, partner, not-after. */
  public List<String[]> issuedRows() {
    Path file = dir.resolve(ISSUED);
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> !l.isBlank() && !l.startsWith("serial,"))
          .map(l -> l.split(",", 5))
          .filter(r -> r.length == 5)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Issued issue(
      X500Name subject, KeyPurposeId purpose, List<GeneralName> altNames, Duration validity) {
    KeyPair keys = ecKeys();
    Instant now = clock.instant();
    try {
      X500Name issuer = X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded());
      JcaX509v3CertificateBuilder b = builder(issuer, subject, keys, now, validity);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(caCert));
      if (!altNames.isEmpty()) {
        b.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(altNames.toArray(GeneralName[]::new)));
      }
      return new Issued(sign(b, caKey), keys.getPrivate());
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a certificate: " + e, e);
    }
  }

  /**
   * A certificate valid from five minutes ago (clock skew) for {@code validity}, with a random
   * serial and the subject key identifier; the caller adds the extensions of its kind.
   */
  private static JcaX509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, KeyPair keys, Instant now, Duration validity)
      throws GeneralSecurityException, IOException {
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            issuer,
            serial(),
            Date.from(now.minus(Duration.ofMinutes(5))),
            Date.from(now.plus(validity)),
            subject,
            keys.getPublic());
    b.addExtension(
        Extension.subjectKeyIdentifier,
        false,
        new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
    return b;
  }

  private void record(X509Certificate cert, String partner) {
    Path file = dir.resolve(ISSUED);
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, "serial,sha256,subject,partner,notAfter\n");
      }
      Files.writeString(
          file,
          cert.getSerialNumber().toString(16)
              + ","
              + fingerprint(cert)
              + ","
              + cert.getSubjectX500Principal().getName().replace(",", ";")
              + ","
              + partner
              + ","
              + cert.getNotAfter().toInstant()
              + "\n",
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SHA-256 fingerprint of a certificate: 64 upper-case hex digits. */
  public static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of()
          .withUpperCase()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot fingerprint a certificate: " + e, e);
    }
  }

  public static String pem(X509Certificate certificate) {
    try {
      return Pem.encode("CERTIFICATE", certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PKCS#8 ({@code BEGIN PRIVATE KEY}), what Mosquitto, OpenSSL and Java all read. */
  public static String keyPem(PrivateKey key) {
    return Pem.encode("PRIVATE KEY", key.getEncoded());
  }

  /** Writes {@code text} readable by the owner only (where the file system has POSIX modes). */
  public static void writePrivate(Path file, String text) throws IOException {
    Files.deleteIfExists(file);
    try {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(file);
    }
    Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }

  public static X509Certificate readCertificate(Path file) {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the certificate " + file + ": " + e, e);
    }
  }

  public static PrivateKey readKey(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(r)) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (o instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new IllegalStateException(file + " holds no private key");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the key " + file + ": " + e, e);
    }
  }

  private static X500Name name(String commonName, String organisation) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, organisation)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isIpAddress(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }
}
