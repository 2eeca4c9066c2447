package org.ketenlink.connectors.mqtt;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates made at test time with BouncyCastle, written as PEM the way operators get them. */
final class TestCerts {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key pair with its certificate and who signed it. */
  record Issued(KeyPair keys, X509Certificate certificate) {
    PrivateKey key() {
      return keys.getPrivate();
    }
  }

  private TestCerts() {}

  static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static Issued ca(String name) throws Exception {
    KeyPair keys = ec();
    X500Principal subject = new X500Principal("CN=" + name + ",O=Ketenlink test");
    X509v3CertificateBuilder b = builder(subject, subject, keys);
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    b.addExtension(
        Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
    return new Issued(keys, sign(b, keys.getPrivate()));
  }

  /** A broker certificate for the given IP addresses and DNS names. */
  static Issued server(Issued ca, KeyPair keys, List<String> ips, List<String> dnsNames)
      throws Exception {
    List<GeneralName> names = new ArrayList<>();
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
    return leaf(ca, keys, "broker", KeyPurposeId.id_kp_serverAuth, names);
  }

  static Issued client(Issued ca, KeyPair keys, String name) throws Exception {
    return leaf(ca, keys, name, KeyPurposeId.id_kp_clientAuth, List.of());
  }

  private static Issued leaf(
      Issued ca, KeyPair keys, String name, KeyPurposeId purpose, List<GeneralName> altNames)
      throws Exception {
    X509v3CertificateBuilder b =
        builder(
            ca.certificate().getSubjectX500Principal(),
            new X500Principal("CN=" + name + ",O=Ketenlink test"),
            keys);
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(
        Extension.keyUsage,
        true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
    b.addExtension(
        Extension.authorityKeyIdentifier,
        false,
        utils.createAuthorityKeyIdentifier(ca.certificate()));
    if (!altNames.isEmpty()) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(altNames.toArray(GeneralName[]::new)));
    }
    return new Issued(keys, sign(b, ca.key()));
  }

  private static X509v3CertificateBuilder builder(
      X500Principal issuer, X500Principal subject, KeyPair keys) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        BigInteger.valueOf(SERIAL.incrementAndGet()),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(2))),
        subject,
        keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws OperatorCreationException, GeneralSecurityException {
    String algorithm = signer.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(signer)));
  }

  static Path writeCertificates(Path file, X509Certificate... certificates)
      throws IOException, GeneralSecurityException {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate c : certificates) {
      pem.append(pem("CERTIFICATE", c.getEncoded()));
    }
    return Files.writeString(file, pem);
  }

  /** Unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), as {@code openssl pkcs8 -nocrypt} writes. */
  static Path writeKey(Path file, PrivateKey key) throws IOException {
    return Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()));
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
