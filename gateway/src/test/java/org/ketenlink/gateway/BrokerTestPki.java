package org.ketenlink.gateway;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Certificates for broker TLS tests, made with BouncyCastle at test time. */
final class BrokerTestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A key pair and its certificate. */
  record Issued(KeyPair keys, X509Certificate certificate) {}

  private BrokerTestPki() {}

  static Issued ca(String name) {
    KeyPair keys = ecKeys();
    return new Issued(keys, sign(name, keys, null, true, null));
  }

  /** A server certificate for 127.0.0.1 and localhost, with an RSA key like most sites use. */
  static Issued server(Issued ca) {
    KeyPair keys = rsaKeys();
    return new Issued(
        keys, sign("ketenlink-broker", keys, ca, false, KeyPurposeId.id_kp_serverAuth));
  }

  static Issued client(Issued ca, String name) {
    KeyPair keys = ecKeys();
    return new Issued(keys, sign(name, keys, ca, false, KeyPurposeId.id_kp_clientAuth));
  }

  /** Writes the broker's PEM files into {@code dir} and returns the settings that name them. */
  static BrokerTls writeBrokerFiles(Path dir, Issued server, Issued clientCa) throws IOException {
    Files.createDirectories(dir);
    Path certificate = Files.writeString(dir.resolve("broker.crt"), pem(server.certificate()));
    Path key = Files.writeString(dir.resolve("broker.key"), pkcs8Pem(server.keys().getPrivate()));
    Path ca = Files.writeString(dir.resolve("client-ca.crt"), pem(clientCa.certificate()));
    return new BrokerTls(certificate, key, ca);
  }

  static String pem(X509Certificate certificate) {
    try {
      return block("CERTIFICATE", certificate.getEncoded());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pkcs8Pem(PrivateKey key) {
    return block("PRIVATE KEY", key.getEncoded());
  }

  /** The traditional OpenSSL format ({@code BEGIN RSA PRIVATE KEY}) that BouncyCastle writes. */
  static String traditionalPem(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(key);
    }
    return out.toString();
  }

  /**
   * A client TLS context that trusts {@code serverCa} and presents {@code client}'s certificate, if
   * any.
   */
  static SSLSocketFactory clientSocketFactory(Issued serverCa, Optional<Issued> client) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", serverCa.certificate());
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);

      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      char[] password = "test".toCharArray();
      if (client.isPresent()) {
        keys.setKeyEntry(
            "client",
            client.get().keys().getPrivate(),
            password,
            new Certificate[] {client.get().certificate()});
      }
      kmf.init(keys, password);

      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return context.getSocketFactory();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(
      String name, KeyPair keys, Issued issuer, boolean isCa, KeyPurposeId purpose) {
    try {
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=" + name + ",O=Ketenlink test");
      X500Name issuerName =
          issuer == null
              ? subject
              : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              issuerName,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(1))),
              subject,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      if (isCa) {
        builder.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(
            Extension.keyUsage,
            true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(
                new GeneralName[] {
                  new GeneralName(
                      GeneralName.iPAddress, InetAddress.getLoopbackAddress().getHostAddress()),
                  new GeneralName(GeneralName.dNSName, "localhost")
                }));
      }
      PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.keys().getPrivate();
      String algorithm =
          signingKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair rsaKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String block(String type, byte[] der) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
  }
}
