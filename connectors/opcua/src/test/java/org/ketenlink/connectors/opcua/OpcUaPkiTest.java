package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpcUaPkiTest {

  @TempDir Path dir;

  private static X509Certificate serverCertificate(String cn) throws Exception {
    KeyPair kp = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
    return new SelfSignedCertificateBuilder(kp)
        .setCommonName(cn)
        .setApplicationUri("urn:test:server")
        .build();
  }

  @Test
  void theFirstOpenCreatesAnApplicationCertificateForTheApplicationUri() throws Exception {
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      X509Certificate cert = pki.certificate();

      assertThat(CertificateUtil.getSanUri(cert)).contains("urn:ketenlink:test");
      assertThat(CertificateUtil.getSanDnsNames(cert)).contains("localhost");
      assertThat(cert.getSubjectX500Principal().getName()).contains("CN=Ketenlink test");
      assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("RSA");
      assertThat(pki.certificateFile()).isEqualTo(dir.resolve("own/certificate.der"));
      assertThat(dir.resolve("own/private-key.pem")).exists();
      assertThat(dir.resolve("trusted/certs")).isDirectory();
      assertThat(dir.resolve("trusted/crl")).isDirectory();
      assertThat(dir.resolve("issuer/certs")).isDirectory();
      assertThat(dir.resolve("rejected")).isDirectory();
    }
  }

  @Test
  void laterOpensReuseTheSameIdentity() throws Exception {
    X509Certificate first;
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      first = pki.certificate();
    }
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      assertThat(pki.certificate()).isEqualTo(first);
      assertThat(pki.keyPair().getPrivate().getEncoded()).isNotEmpty();
    }
  }

  @Test
  void anotherApplicationUriIsRefusedWithAnExplanation() throws Exception {
    OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test").close();

    assertThatThrownBy(() -> OpcUaPki.open(dir, "urn:ketenlink:other", "Ketenlink test"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("urn:ketenlink:test")
        .hasMessageContaining("urn:ketenlink:other");
  }

  @Test
  void anUnknownServerCertificateIsRefusedAndSavedInRejected() throws Exception {
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      X509Certificate server = serverCertificate("PLC 7");
      CertificateValidator validator = pki.newServerCertificateValidator();

      assertThatThrownBy(() -> validator.validateCertificateChain(List.of(server), null, null))
          .isInstanceOf(UaException.class);
      assertThat(pki.rejected()).hasSize(1);
      assertThat(pki.rejected().get(0).getFileName().toString())
          .startsWith("plc-7-")
          .endsWith(".der");
      assertThat(pki.rejectedPath(server)).isEqualTo(pki.rejected().get(0));
    }
  }

  @Test
  void trustingARejectedCertificateMovesItToTheTrustListAndTakesEffectAtOnce() throws Exception {
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      X509Certificate server = serverCertificate("PLC 7");
      CertificateValidator validator = pki.newServerCertificateValidator();
      try {
        validator.validateCertificateChain(List.of(server), null, null);
      } catch (UaException expected) {
        // refused, as the previous test shows
      }
      Path rejected = pki.rejected().get(0);

      Path trusted = pki.trust(rejected);

      assertThat(trusted.getParent()).isEqualTo(dir.resolve("trusted/certs"));
      assertThat(trusted).exists();
      assertThat(rejected).doesNotExist();
      assertThat(pki.rejected()).isEmpty();
      validator.validateCertificateChain(List.of(server), null, null);
    }
  }

  /** An attempt that was refused while `ketenlink trust` ran leaves no stale copy behind. */
  @Test
  void aCertificateAcceptedAfterAllIsNoLongerListedAsRejected() throws Exception {
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      X509Certificate server = serverCertificate("PLC 7");
      ServerCertificateCheck check = new ServerCertificateCheck(pki, refusal -> {});
      assertThatThrownBy(() -> check.validateCertificateChain(List.of(server), null, null))
          .isInstanceOf(UaException.class);
      Path rejected = pki.rejected().get(0);
      byte[] copy = Files.readAllBytes(rejected);
      pki.trust(rejected);
      // The racing attempt's copy, written after the trust.
      Files.write(rejected, copy);

      check.validateCertificateChain(List.of(server), null, null);

      assertThat(pki.rejected()).isEmpty();
    }
  }

  @Test
  void trustingAFileThatIsNoCertificateFailsClearly() throws Exception {
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      Path junk = Files.writeString(dir.resolve("junk.der"), "not a certificate");

      assertThatThrownBy(() -> pki.trust(junk))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("is not an X.509 certificate");
    }
  }

  @Test
  void aPkcs8KeyIsReadAndAPkcs1KeyIsExplained() throws Exception {
    KeyPair kp = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
    Path key = dir.resolve("key.pem");
    Pem.writePrivateKey(key, kp.getPrivate());
    Path pkcs1 = dir.resolve("rsa.pem");
    Files.writeString(
        pkcs1,
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
        StandardCharsets.US_ASCII);

    assertThat(Pem.readPrivateKey(key)).isEqualTo(kp.getPrivate());
    assertThatThrownBy(() -> Pem.readPrivateKey(pkcs1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }
}
