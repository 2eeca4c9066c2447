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
import org.ketenlink.gateway.pki.SiteCa;
import org.ketenlink.simulator.Simulator;

/**
 * The embedded broker enforces the agreements: reachable from the network over TLS with client
 * certificates only, each partner known by its certificate and confined to its own prefix, the
 * gateway publishing over a loopback-only listener with its own secret, and the line PC's local
 * clients read-only.
 */
class PartnerAccessIT {

  private static final int NOT_AUTHORIZED = 0x87;
  private static final String PARTNERS = "ketenlink/v1/partners/";
  private static final String CNC1 = "acme/ehv/hall-2/line1/cnc1";

  @TempDir Path dir;

  @Test
  void eachPartnerIsKnownByItsCertificateAndConfinedToItsOwnPrefix() throws Exception {
    BrokerTestPki.Issued ca = BrokerTestPki.ca("Fieldlab CA");
    BrokerTestPki.Issued server = BrokerTestPki.server(ca);
    BrokerTls files =
        BrokerTestPki.writeBrokerFiles(Files.createDirectories(dir.resolve("certs")), server, ca);
    BrokerTestPki.Issued acme = BrokerTestPki.client(ca, "acme");
    BrokerTestPki.Issued velo = BrokerTestPki.client(ca, "velo");
    BrokerTestPki.Issued fakeVelo = BrokerTestPki.client(ca, "velo"); // same name, other key
    BrokerTestPki.Issued stranger = BrokerTestPki.client(ca, "stranger");
    BrokerTestPki.Issued otherCa = BrokerTestPki.ca("Someone else's CA");
    BrokerTestPki.Issued acmeFromOtherCa = BrokerTestPki.client(otherCa, "acme");
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      String yaml =
          GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
                  .replace(
                      "broker: {port: 0}",
                      "broker: {bind: 0.0.0.0, port: 0, tls: {certificate: %s, privateKey: %s, clientCa: %s}}"
                          .formatted(files.certificate(), files.privateKey(), files.clientCa()))
              + """
              partners:
                - {id: acme}
                - {id: velo, certificate: {fingerprint: "%s"}}
              agreements:
                - {id: acme-speed, partner: acme, purpose: test, share: [line1/cnc1/data/spindleSpeed]}
                - {id: velo-power, partner: velo, purpose: test, share: [line1/cnc1/data/power]}
              audit: {interval: 1s}
              """
                  .formatted(SiteCa.fingerprint(velo.certificate()));
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        assertThat(g.brokerUrl().orElseThrow()).startsWith("mqtts://");
        String url = "ssl://127.0.0.1:" + g.brokerPort().orElseThrow();
        try (TestSubscriber a = tls(url, "acme-client", ca, acme);
            TestSubscriber v = tls(url, "velo-client", ca, velo)) {
          assertThat(a.trySubscribe(PARTNERS + "acme/#")).isEqualTo(1);
          assertThat(a.trySubscribe(PARTNERS + "velo/#"))
              .as("another partner")
              .isEqualTo(NOT_AUTHORIZED);
          assertThat(a.trySubscribe("ketenlink/v1/acme/#"))
              .as("the site's namespace")
              .isEqualTo(NOT_AUTHORIZED);
          assertThat(a.trySubscribe("#")).isEqualTo(NOT_AUTHORIZED);
          assertThat(v.trySubscribe(PARTNERS + "velo/#")).isEqualTo(1);

          TestSubscriber.Received r =
              a.await(
                  Duration.ofSeconds(20),
                  "acme's view over TLS",
                  m -> m.topic().endsWith("/data/spindleSpeed"));
          assertThat(r.topic()).isEqualTo(PARTNERS + "acme/" + CNC1 + "/data/spindleSpeed");
          v.await(
              Duration.ofSeconds(20),
              "velo's view",
              m -> m.topic().equals(PARTNERS + "velo/" + CNC1 + "/data/power"));
          Thread.sleep(500);
          assertThat(a.received()).allMatch(m -> m.topic().startsWith(PARTNERS + "acme/"));
          assertThat(v.received()).allMatch(m -> m.topic().startsWith(PARTNERS + "velo/"));

          assertThat(a.tryPublish(PARTNERS + "acme/_commands/orders", "{}"))
              .as("its own command topic")
              .isZero();
          // A refused publish gets "not authorized", and HiveMQ then closes the connection.
          assertThat(a.tryPublish("ketenlink/v1/" + CNC1 + "/data/spindleSpeed", "{}"))
              .as("a partner never writes into the site's data")
              .isEqualTo(NOT_AUTHORIZED);
        }
        try (TestSubscriber a = tls(url, "acme-client-2", ca, acme)) {
          assertThat(a.tryPublish(PARTNERS + "velo/_commands/x", "{}"))
              .as("another partner's command topic")
              .isEqualTo(NOT_AUTHORIZED);
        }

        assertThatThrownBy(() -> tls(url, "stranger", ca, stranger))
            .as("a certificate from the right CA that is no partner")
            .hasMessageContaining("Not authorized");
        assertThatThrownBy(() -> tls(url, "fake-velo", ca, fakeVelo))
            .as("velo's name on a certificate that is not the pinned one")
            .hasMessageContaining("Not authorized");
        assertThatThrownBy(() -> tls(url, "acme-other-ca", ca, acmeFromOtherCa))
            .as("acme's name from another CA")
            .isInstanceOf(Exception.class);
        assertThatThrownBy(
                () ->
                    new TestSubscriber(
                        url,
                        "no-certificate",
                        BrokerTestPki.clientSocketFactory(ca, Optional.empty())))
            .as("a client without a certificate")
            .isInstanceOf(Exception.class);
        assertThatThrownBy(
                () ->
                    new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "plain"))
            .as("plain MQTT on the TLS port")
            .isInstanceOf(Exception.class);

        // Everything refused and everything shared is on record.
        Thread.sleep(1_500); // one audit interval
        String acmeAudit = get(g, "/api/audit?partner=acme");
        assertThat(acmeAudit)
            .contains("\"type\":\"shared\",\"partner\":\"acme\",\"agreement\":\"acme-speed\"")
            .contains("subscribe: " + PARTNERS + "velo/#")
            .contains("subscribe: ketenlink/v1/acme/#")
            .contains("publish: ketenlink/v1/" + CNC1 + "/data/spindleSpeed")
            .contains("publish: " + PARTNERS + "velo/_commands/x")
            .doesNotContain("\"partner\":\"velo\"");
        String refused = get(g, "/api/audit?type=refused&format=csv");
        assertThat(refused)
            .startsWith("time,type,partner,agreement,client,messages,bytes,from,to,detail\n")
            .contains("stranger")
            .contains("is not a partner's")
            .contains("fake-velo");
      }
    }
  }

  @Test
  void onTheLoopbackBrokerLocalClientsReadButOnlyTheGatewayPublishes() throws Exception {
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      GatewayConfig config =
          GatewayFixture.load(
              dir, GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals()));
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config);
          TestSubscriber local =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "local")) {
        assertThat(local.trySubscribe("ketenlink/#")).isEqualTo(1);
        local.await(
            Duration.ofSeconds(20), "the gateway's data", m -> m.topic().endsWith("/spindleSpeed"));
        assertThat(local.tryPublish("ketenlink/v1/" + CNC1 + "/data/spindleSpeed", "{\"fake\":1}"))
            .as("only the gateway publishes")
            .isEqualTo(NOT_AUTHORIZED);
      }
    }
  }

  private static String get(Gateway g, String path) throws Exception {
    return GatewayFixture.http(g, path).body();
  }

  private static TestSubscriber tls(
      String url, String clientId, BrokerTestPki.Issued ca, BrokerTestPki.Issued cert)
      throws Exception {
    return TestSubscriber.overTls(url, clientId, ca, cert);
  }
}
