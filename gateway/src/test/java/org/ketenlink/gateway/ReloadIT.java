package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/**
 * Changed partners and agreements take effect while the gateway runs, without dropping the other
 * partners; an invalid change or one that needs a restart changes nothing.
 */
class ReloadIT {

  private static final String PARTNERS = "ketenlink/v1/partners/";
  private static final String CNC1 = "acme/ehv/hall-2/line1/cnc1";

  @TempDir Path dir;

  @Test
  void agreementsChangeWhileRunningAndOnlyTheRemovedPartnerIsDisconnected() throws Exception {
    BrokerTestPki.Issued ca = BrokerTestPki.ca("Fieldlab CA");
    BrokerTls files =
        BrokerTestPki.writeBrokerFiles(
            Files.createDirectories(dir.resolve("certs")), BrokerTestPki.server(ca), ca);
    BrokerTestPki.Issued acme = BrokerTestPki.client(ca, "acme");
    BrokerTestPki.Issued velo = BrokerTestPki.client(ca, "velo");
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      String base =
          GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
                  .replace(
                      "broker: {port: 0}",
                      "broker: {port: 0, tls: {certificate: %s, privateKey: %s, clientCa: %s}}"
                          .formatted(files.certificate(), files.privateKey(), files.clientCa()))
              + "audit: {interval: 1s}\n";
      String before =
          base
              + """
              partners: [{id: acme}, {id: velo}]
              agreements:
                - {id: acme-speed, partner: acme, purpose: p, share: [line1/cnc1/data/spindleSpeed]}
                - {id: velo-power, partner: velo, purpose: p, share: [line1/cnc1/data/power]}
              """;
      GatewayConfig config = GatewayFixture.load(dir, before);
      Path file = dir.resolve("ketenlink.yaml");
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        g.watch(file, new ConfigLoader(n -> null), Duration.ofMillis(200));
        String url = "ssl://127.0.0.1:" + g.brokerPort().orElseThrow();
        try (TestSubscriber a = tls(url, "acme-client", ca, acme);
            TestSubscriber v = tls(url, "velo-client", ca, velo)) {
          a.subscribe(PARTNERS + "acme/#");
          v.subscribe(PARTNERS + "velo/#");
          String speed = PARTNERS + "acme/" + CNC1 + "/data/spindleSpeed";
          String power = PARTNERS + "acme/" + CNC1 + "/data/power";
          a.await(Duration.ofSeconds(20), "acme's speed", m -> m.topic().equals(speed));
          v.await(Duration.ofSeconds(20), "velo's power", m -> m.topic().endsWith("/data/power"));

          // velo's agreement ends and velo is no partner any more; acme gets power as well.
          Files.writeString(
              file,
              base
                  + """
                  partners: [{id: acme}]
                  agreements:
                    - {id: acme-speed, partner: acme, purpose: p, share: [line1/cnc1/data/spindleSpeed]}
                    - {id: acme-power, partner: acme, purpose: p, share: [line1/cnc1/data/power]}
                  """);
          a.await(Duration.ofSeconds(10), "acme's new power view", m -> m.topic().equals(power));
          GatewayFailuresIT.await(
              Duration.ofSeconds(10), "velo to be disconnected", () -> !v.isConnected());
          assertThat(a.isConnected()).as("acme stays connected throughout").isTrue();

          // An invalid change and one that needs a restart change nothing.
          int powerBefore = a.on(power).size();
          Files.writeString(
              file,
              base
                  + """
                  partners: [{id: acme}]
                  agreements:
                    - {id: acme-speed, partner: nobody, purpose: p, share: [line1/cnc1/data/spindleSpeed]}
                  """);
          Thread.sleep(1_500);
          Files.writeString(
              file,
              base.replace("publish: {qos: 1, messageExpiry: 10m}", "publish: {qos: 0}")
                  + """
                  partners: [{id: acme}]
                  agreements: []
                  """);
          Thread.sleep(1_500);
          assertThat(a.on(power).size())
              .as("still sharing under the applied agreements")
              .isGreaterThan(powerBefore + 5);
          assertThat(a.isConnected()).isTrue();

          List<Long> seqs = a.on(speed).stream().map(r -> r.json().get("seq").asLong()).toList();
          TreeSet<Long> distinct = new TreeSet<>(seqs);
          assertThat(distinct.last() - distinct.first() + 1)
              .as("acme's speed view never paused: no gap in its sequence")
              .isEqualTo(distinct.size());
          String audit = GatewayFixture.http(g, "/api/audit").body();
          assertThat(audit)
              .contains(
                  "\"type\":\"agreement-added\",\"partner\":\"acme\",\"agreement\":\"acme-power\"")
              .contains(
                  "\"type\":\"agreement-removed\",\"partner\":\"velo\",\"agreement\":\"velo-power\"")
              .contains("\"type\":\"config-refused\"")
              .contains("'nobody' is not a partner")
              .contains("\"type\":\"config-not-applied\"")
              .contains("restart needed for: sources, publish");
        }
      }
    }
  }

  private static TestSubscriber tls(
      String url, String clientId, BrokerTestPki.Issued ca, BrokerTestPki.Issued cert)
      throws Exception {
    return TestSubscriber.overTls(url, clientId, ca, cert);
  }
}
