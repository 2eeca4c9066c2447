package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/**
 * The production shape of the embedded broker: reachable from the network over TLS with client
 * certificates, while the gateway publishes into it over a loopback-only listener.
 */
class EmbeddedTlsBrokerIT {

  @TempDir Path dir;

  @Test
  void partnersWithACertificateFromTheClientCaReceiveDataOverTlsAndOthersAreRefused()
      throws Exception {
    BrokerTestPki.Issued ca = BrokerTestPki.ca("Fieldlab CA");
    BrokerTestPki.Issued server = BrokerTestPki.server(ca);
    Path certs = Files.createDirectories(dir.resolve("certs"));
    BrokerTls files = BrokerTestPki.writeBrokerFiles(certs, server, ca);
    BrokerTestPki.Issued partner = BrokerTestPki.client(ca, "partner-acme");
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      String yaml =
          GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
              .replace(
                  "broker: {port: 0}",
                  "broker: {bind: 0.0.0.0, port: 0, tls: {certificate: %s, privateKey: %s, clientCa: %s}}"
                      .formatted(files.certificate(), files.privateKey(), files.clientCa()));
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        assertThat(g.brokerUrl().orElseThrow()).startsWith("mqtts://");
        int port = g.brokerPort().orElseThrow();
        try (TestSubscriber acme =
            new TestSubscriber(
                    "ssl://127.0.0.1:" + port,
                    "partner-acme",
                    BrokerTestPki.clientSocketFactory(ca, Optional.of(partner)))
                .subscribe("ketenlink/#")) {
          TestSubscriber.Received r =
              acme.await(
                  Duration.ofSeconds(20),
                  "data over TLS",
                  m -> m.topic().endsWith("/data/spindleSpeed"));
          assertThat(Schemas.violations(Schemas.SAMPLE, r.payload())).isEmpty();
        }
        assertThatThrownBy(
                () ->
                    new TestSubscriber(
                        "ssl://127.0.0.1:" + port,
                        "no-certificate",
                        BrokerTestPki.clientSocketFactory(ca, Optional.empty())))
            .as("a client without a certificate")
            .isInstanceOf(Exception.class);
        assertThatThrownBy(() -> new TestSubscriber("tcp://127.0.0.1:" + port, "plain"))
            .as("plain MQTT on the TLS port")
            .isInstanceOf(Exception.class);
      }
    }
  }
}
