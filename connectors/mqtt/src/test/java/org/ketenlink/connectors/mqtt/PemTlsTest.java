package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemTlsTest {
  @TempDir static Path dir;
  static TestCerts.Issued ca;
  static Path caFile;

  @BeforeAll
  static void ca() throws Exception {
    ca = TestCerts.ca("Test CA");
    caFile = TestCerts.writeCertificates(dir.resolve("ca.pem"), ca.certificate());
  }

  @Test
  void rsaAndEcClientKeysInPkcs8Work() throws Exception {
    for (TestCerts.Issued client :
        new TestCerts.Issued[] {
          TestCerts.client(ca, TestCerts.rsa(), "rsa"), TestCerts.client(ca, TestCerts.ec(), "ec")
        }) {
      String name = client.key().getAlgorithm();
      Path cert =
          TestCerts.writeCertificates(
              dir.resolve(name + ".pem"), client.certificate(), ca.certificate());
      Path key = TestCerts.writeKey(dir.resolve(name + ".key"), client.key());

      SSLContext context =
          PemTls.context(TlsSettings.trusting(caFile).withClientCertificate(cert, key));

      assertThat(context.getProtocol()).isEqualTo("TLS");
      assertThat(PemTls.privateKey(key).getAlgorithm()).isEqualTo(name);
      assertThat(PemTls.certificates(cert)).hasSize(2);
    }
  }

  @Test
  void aPkcs1KeyIsRefusedWithHowToConvertItAndWithoutItsContent() throws Exception {
    PrivateKey key = TestCerts.rsa().getPrivate();
    String body = Base64.getEncoder().encodeToString(key.getEncoded()).substring(0, 40);
    Path file =
        Files.writeString(
            dir.resolve("pkcs1.key"), TestCerts.pem("RSA PRIVATE KEY", key.getEncoded()));

    assertThatThrownBy(() -> PemTls.privateKey(file))
        .hasMessageContaining(file.toAbsolutePath().toString())
        .hasMessageContaining("found a 'RSA PRIVATE KEY' block")
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt")
        .message()
        .doesNotContain(body);
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsRefused() throws Exception {
    TestCerts.Issued client = TestCerts.client(ca, TestCerts.ec(), "client");
    Path cert = TestCerts.writeCertificates(dir.resolve("c.pem"), client.certificate());
    Path otherKey = TestCerts.writeKey(dir.resolve("other.key"), TestCerts.ec().getPrivate());

    assertThatThrownBy(
            () ->
                PemTls.context(TlsSettings.trusting(caFile).withClientCertificate(cert, otherKey)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the key of the certificate in");
  }

  @Test
  void aLinkRefusesFilesWithoutCertificatesAndNamesThem() throws Exception {
    Path notPem = Files.writeString(dir.resolve("ca.txt"), "not a certificate");
    MqttLinkSettings settings =
        MqttLinkSettings.builder("tls", "ssl://127.0.0.1:8883")
            .tls(TlsSettings.trusting(notPem))
            .build();

    assertThatThrownBy(() -> new MqttLink(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tls.caCertificate: " + notPem.toAbsolutePath())
        .hasMessageContaining("no PEM certificate");
  }
}
