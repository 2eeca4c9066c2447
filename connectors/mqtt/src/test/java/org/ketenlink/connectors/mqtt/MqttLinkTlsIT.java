package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkStatus;

/**
 * TLS with client certificates against Mosquitto, with certificates made for this run: a fieldlab
 * CA signs the broker's and the gateway's certificates; a second CA plays an impostor broker.
 */
class MqttLinkTlsIT {
  @TempDir static Path pki;
  static Path ca;
  static Path serverCert;
  static Path serverKey;
  static Path impostorCert;
  static Path impostorKey;
  static Path misnamedCert;
  static Path clientCert;
  static Path clientKey;

  @TempDir Path dir;
  Mosquitto broker;
  MqttLink link;

  @BeforeAll
  static void certificates() throws Exception {
    TestCerts.Issued fieldlabCa = TestCerts.ca("Fieldlab CA");
    TestCerts.Issued otherCa = TestCerts.ca("Other CA");
    ca = TestCerts.writeCertificates(pki.resolve("ca.pem"), fieldlabCa.certificate());

    TestCerts.Issued server =
        TestCerts.server(fieldlabCa, TestCerts.ec(), List.of("127.0.0.1"), List.of("localhost"));
    serverCert = TestCerts.writeCertificates(pki.resolve("server.pem"), server.certificate());
    serverKey = TestCerts.writeKey(pki.resolve("server.key"), server.key());

    TestCerts.Issued impostor =
        TestCerts.server(otherCa, TestCerts.ec(), List.of("127.0.0.1"), List.of("localhost"));
    impostorCert = TestCerts.writeCertificates(pki.resolve("impostor.pem"), impostor.certificate());
    impostorKey = TestCerts.writeKey(pki.resolve("impostor.key"), impostor.key());

    TestCerts.Issued misnamed =
        TestCerts.server(fieldlabCa, server.keys(), List.of(), List.of("broker.elsewhere.example"));
    misnamedCert = TestCerts.writeCertificates(pki.resolve("misnamed.pem"), misnamed.certificate());

    TestCerts.Issued client = TestCerts.client(fieldlabCa, TestCerts.rsa(), "gateway-1");
    clientCert = TestCerts.writeCertificates(pki.resolve("client.pem"), client.certificate());
    clientKey = TestCerts.writeKey(pki.resolve("client.key"), client.key());
  }

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private Mosquitto tlsBroker(Path certificate, Path key) throws Exception {
    return Mosquitto.start(
        dir,
        "cafile " + ca,
        "certfile " + certificate,
        "keyfile " + key,
        "require_certificate true");
  }

  private static String sslUri(Mosquitto broker) {
    return "ssl://127.0.0.1:" + broker.port();
  }

  private MqttLink link(String uri, TlsSettings tls) {
    MqttLink l =
        new MqttLink(
            MqttLinkSettings.builder("tls", uri)
                .tls(tls)
                .reconnectDelay(Duration.ofMillis(200), Duration.ofMillis(400))
                .build());
    l.start();
    return l;
  }

  private static TlsSettings mutual() {
    return TlsSettings.trusting(ca).withClientCertificate(clientCert, clientKey);
  }

  @Test
  void mutualTlsConnectsAndDelivers() throws Exception {
    broker = tlsBroker(serverCert, serverKey);
    try (TestSubscriber partner =
        TestSubscriber.connect(
            sslUri(broker),
            "partner",
            true,
            Optional.of(PemTls.context(mutual()).getSocketFactory()),
            "plant/#")) {
      link = link(sslUri(broker), mutual());

      link.publish(Messages.qos1("plant/tls", "secret")).get(15, TimeUnit.SECONDS);

      assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTED);
      partner.awaitPayloads("plant/tls", 1, Duration.ofSeconds(10));
      assertThat(partner.payloads("plant/tls")).containsExactly("secret");
    }
  }

  @Test
  void aBrokerWhoseCertificateIsNotFromTheConfiguredCaIsRefusedAndNothingIsSent() throws Exception {
    broker = tlsBroker(impostorCert, impostorKey);
    link = link(sslUri(broker), mutual());
    link.publish(Messages.qos1("plant/tls", "secret"));

    awaitError("broker certificate not trusted");
    assertNothingSent();
  }

  @Test
  void aBrokerCertificateForAnotherHostIsRefused() throws Exception {
    broker = tlsBroker(misnamedCert, serverKey);
    link = link(sslUri(broker), mutual());
    link.publish(Messages.qos1("plant/tls", "secret"));

    awaitError("broker certificate does not match");
    assertNothingSent();
  }

  @Test
  void withHostnameVerificationOffAnyCertificateFromTheCaIsAccepted() throws Exception {
    broker = tlsBroker(misnamedCert, serverKey);
    link = link(sslUri(broker), mutual().withHostnameVerification(false));

    link.publish(Messages.qos1("plant/tls", "1")).get(15, TimeUnit.SECONDS);
  }

  @Test
  void withoutAClientCertificateTheBrokerRefusesTheLink() throws Exception {
    broker = tlsBroker(serverCert, serverKey);
    link = link(sslUri(broker), TlsSettings.trusting(ca));
    link.publish(Messages.qos1("plant/tls", "secret"));

    // TLS 1.3: the broker's alert comes after the client's side of the handshake, and may arrive
    // as the alert itself or as a connection closed before the CONNACK.
    Await.until(
        Duration.ofSeconds(10),
        "a refused connection",
        () -> link.status().lastError().orElse("").contains("client certificate"),
        link::status);
    assertNothingSent();

    link.close();
    assertThat(LinkThreadNames.alive("tls", "ketenlink-tls")).isEmpty();
  }

  private void awaitError(String expected) {
    Await.until(
        Duration.ofSeconds(10),
        "lastError '" + expected + "'",
        () -> link.status().lastError().orElse("").startsWith(expected),
        link::status);
  }

  private void assertNothingSent() {
    LinkStatus status = link.status();
    assertThat(status.state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(status.published()).isZero();
    assertThat(status.queued()).isEqualTo(1);
    assertThat(broker.log()).doesNotContain("New client connected");
  }
}
