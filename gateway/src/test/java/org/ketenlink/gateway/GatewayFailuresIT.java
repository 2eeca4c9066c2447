package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkStatus;
import org.ketenlink.connectors.api.SourceStatus;
import org.ketenlink.connectors.opcua.OpcUaPki;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/** What an engineer sees when credentials, certificates or the broker are wrong. */
class GatewayFailuresIT {

  @TempDir Path dir;

  static void await(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  static SourceStatus source(Gateway g, String id) {
    return g.status().sources().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }

  @Test
  void wrongOpcUaCredentialsGiveAClearErrorAndTheRightOnesConnect() throws Exception {
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      GatewayConfig bad =
          GatewayFixture.load(
              dir,
              GatewayFixture.config(
                  sim,
                  "{type: username, username: operator, password: wrong-password}",
                  GatewayFixture.signals()));
      GatewayFixture.trustEachOther(sim, bad);
      try (Gateway g = Gateway.start(bad)) {
        await(
            Duration.ofSeconds(20),
            "an error about the credentials",
            () ->
                source(g, "cnc1")
                    .lastError()
                    .filter(e -> e.contains("UserAccessDenied"))
                    .isPresent());
        assertThat(source(g, "cnc1").state()).isNotEqualTo(ConnectionState.CONNECTED);
        assertThat(source(g, "cnc1").lastError().orElseThrow())
            .contains("operator")
            .doesNotContain("wrong-password");
      }
      GatewayConfig good =
          GatewayFixture.load(
              dir,
              GatewayFixture.config(
                  sim,
                  "{type: username, username: operator, password: \"${env:OPERATOR_PASSWORD}\"}",
                  GatewayFixture.signals()));
      try (Gateway g = Gateway.start(good)) {
        await(
            Duration.ofSeconds(20),
            "connected",
            () -> source(g, "cnc1").state() == ConnectionState.CONNECTED);
      }
    }
  }

  @Test
  void anUntrustedServerCertificateIsRefusedUntilTheTrustCommandAcceptsIt() throws Exception {
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      GatewayConfig config =
          GatewayFixture.load(
              dir, GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals()));
      try (OpcUaPki pki = Connectors.pki(config)) {
        sim.trustClientCertificate(pki.certificate()); // the server side is fine; ours is not
      }
      try (Gateway g = Gateway.start(config);
          TestSubscriber sub =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "trust-it")
                  .subscribe("ketenlink/#")) {
        await(
            Duration.ofSeconds(20),
            "an error about the server certificate",
            () -> source(g, "cnc1").lastError().filter(e -> e.contains("trust")).isPresent());
        String error = source(g, "cnc1").lastError().orElseThrow();
        List<Path> rejected;
        try (OpcUaPki pki = Connectors.pki(config)) {
          rejected = pki.rejected();
        }
        assertThat(rejected).hasSize(1);
        assertThat(error).contains("ketenlink trust");
        assertThat(sub.received()).noneMatch(m -> m.topic().contains("/data/"));

        Path configFile = dir.resolve("ketenlink.yaml");
        KetenlinkCommandTest.Result r =
            KetenlinkCommandTest.run(
                "trust", "-c", configFile.toString(), rejected.get(0).toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("Trusted: ");

        // No restart: the source's next attempt succeeds.
        sub.await(
            Duration.ofSeconds(40),
            "data after trusting",
            m -> m.topic().endsWith("/data/spindleSpeed"));
        assertThat(source(g, "cnc1").state()).isEqualTo(ConnectionState.CONNECTED);
      }
    }
  }

  @Test
  void aBrokerWhoseCertificateIsNotFromTheConfiguredCaIsRefused() throws Exception {
    BrokerTestPki.Issued brokerCa = BrokerTestPki.ca("Broker CA");
    BrokerTestPki.Issued otherCa = BrokerTestPki.ca("Some other CA");
    BrokerTestPki.Issued server = BrokerTestPki.server(brokerCa);
    Path certs = Files.createDirectories(dir.resolve("certs"));
    BrokerTls tls = BrokerTestPki.writeBrokerFiles(certs, server, brokerCa);
    Path otherCaFile = certs.resolve("other-ca.pem");
    Files.writeString(otherCaFile, BrokerTestPki.pem(otherCa.certificate()));
    BrokerTestPki.Issued client = BrokerTestPki.client(brokerCa, "gateway");
    Path clientCert = certs.resolve("client.pem");
    Path clientKey = certs.resolve("client-key.pem");
    Files.writeString(clientCert, BrokerTestPki.pem(client.certificate()));
    Files.writeString(clientKey, BrokerTestPki.pkcs8Pem(client.keys().getPrivate()));

    try (EmbeddedBroker external =
            EmbeddedBroker.start(
                new BrokerSettings(
                    "127.0.0.1", 0, dir.resolve("external"), Optional.of(tls), 1000));
        Simulator sim = GatewayFixture.simulator(dir)) {
      String yaml =
          GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
              .replace(
                  "  - {id: main, broker: embedded}",
                  "  - {id: main, broker: \"mqtts://127.0.0.1:%d\", tls: {caCertificate: certs/other-ca.pem, certificate: certs/client.pem, privateKey: certs/client-key.pem}}"
                      .formatted(external.port()));
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        await(
            Duration.ofSeconds(20),
            "a certificate error on the link",
            () ->
                g.status()
                    .links()
                    .get(0)
                    .lastError()
                    .filter(e -> e.toLowerCase().contains("certificate"))
                    .isPresent());
        LinkStatus link = g.status().links().get(0);
        assertThat(link.state()).isNotEqualTo(ConnectionState.CONNECTED);
        assertThat(link.acknowledged()).isZero();
      }
    }
  }
}
