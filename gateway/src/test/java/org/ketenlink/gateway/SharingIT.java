package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.pki.SigningKey;
import org.ketenlink.simulator.Simulator;

/**
 * Partners' views end to end: simulator → gateway → embedded broker → a subscriber that sees
 * everything. Each partner gets exactly what its agreement grants, under its own prefix, with the
 * redacted fields absent and aggregates that match the values they summarise.
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class SharingIT {

  private static final String LINE = "acme/ehv/hall-2/line1/cnc1";
  private static final String PARTNERS = "ketenlink/v1/partners/";

  @TempDir Path dir;

  @Test
  void eachPartnerReceivesExactlyWhatItsAgreementAllows() throws Exception {
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      String yaml =
          GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
              + """
              partners: [{id: acme, name: ACME Bikes}, {id: velo}, {id: gone}]
              agreements:
                - {id: acme-cnc, partner: acme, purpose: Delivery planning,
                   share: [line1/cnc1/data/spindleSpeed, line1/cnc1/state/#],
                   redact: [status, sourceTime], sign: true}
                - {id: velo-power, partner: velo, purpose: Energy reporting,
                   share: [line1/cnc1/data/power], granularity: {every: 2s}}
                - {id: gone-all, partner: gone, purpose: Expired trial, share: ["#"],
                   validUntil: 2020-01-01T00:00:00Z}
              """;
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config);
          TestSubscriber all =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "everything")
                  .subscribe("ketenlink/#")) {
        String velo = PARTNERS + "velo/" + LINE + "/data/power";
        String internal = "ketenlink/v1/" + LINE + "/data/power";
        all.await(Duration.ofSeconds(30), "internal power values", m -> m.topic().equals(internal));
        Instant firstInternal =
            Instant.parse(all.on(internal).get(0).json().get("gatewayTime").asText());
        // Windows that began after the subscriber's first value can be checked value by value.
        GatewayFailuresIT.await(
            Duration.ofSeconds(30),
            "two aggregated windows for velo that the subscriber saw whole",
            () ->
                all.on(velo).stream()
                        .filter(
                            r ->
                                !Instant.parse(r.json().get("window").get("start").asText())
                                    .isBefore(firstInternal))
                        .count()
                    >= 2);

        List<TestSubscriber.Received> received = all.received();
        PublicKey signingKey =
            SigningKey.readPublic(dir.resolve("data/pki/mqtt").resolve(SigningKey.PUBLIC_FILE));
        assertThat(all.on(velo))
            .as("velo's agreement does not sign")
            .allMatch(m -> !m.userProperties().containsKey("signature"));
        Set<String> acmeTopics = topicsUnder(received, PARTNERS + "acme/");
        assertThat(acmeTopics)
            .containsExactlyInAnyOrder(
                PARTNERS + "acme/" + LINE + "/data/spindleSpeed",
                PARTNERS + "acme/" + LINE + "/state/state");
        assertThat(topicsUnder(received, PARTNERS + "velo/")).containsExactly(velo);
        assertThat(topicsUnder(received, PARTNERS + "gone/")).as("expired agreement").isEmpty();
        assertThat(topicsUnder(received, PARTNERS))
            .allMatch(t -> t.startsWith(PARTNERS + "acme/") || t.startsWith(PARTNERS + "velo/"));

        for (TestSubscriber.Received r : received) {
          if (r.topic().startsWith(PARTNERS)) {
            assertThat(Schemas.violations(Schemas.SHARE, r.payload())).as(r.topic()).isEmpty();
            assertThat(r.userProperties()).containsEntry("schema", "ketenlink.share/1");
          }
          if (r.topic().startsWith(PARTNERS + "acme/")) {
            assertThat(
                    SigningKey.verify(
                        signingKey, r.topic(), r.payload(), r.userProperties().get("signature")))
                .as("signed by the gateway: " + r.topic())
                .isTrue();
            byte[] tampered = r.payload().clone();
            tampered[tampered.length - 2] ^= 1;
            assertThat(
                    SigningKey.verify(
                        signingKey, r.topic(), tampered, r.userProperties().get("signature")))
                .isFalse();
            assertThat(
                    SigningKey.verify(
                        signingKey,
                        r.topic().replace("/acme/", "/velo/"),
                        r.payload(),
                        r.userProperties().get("signature")))
                .as("bound to its topic")
                .isFalse();
            JsonNode json = r.json();
            assertThat(json.has("status") || json.has("sourceTime")).as("redacted").isFalse();
            assertThat(json.get("agreement").asText()).isEqualTo("acme-cnc");
          }
        }

        // Each of velo's windows summarises exactly the internal values of that window.
        int checked = 0;
        for (TestSubscriber.Received r : all.on(velo)) {
          JsonNode w = r.json();
          Instant start = Instant.parse(w.get("window").get("start").asText());
          Instant end = Instant.parse(w.get("window").get("end").asText());
          if (start.isBefore(firstInternal)) {
            continue; // the subscriber may have missed values of a window that began before it
          }
          List<Double> values =
              all.on(internal).stream()
                  .map(TestSubscriber.Received::json)
                  .filter(
                      j -> {
                        Instant t = Instant.parse(j.get("gatewayTime").asText());
                        return !t.isBefore(start) && t.isBefore(end);
                      })
                  .map(j -> j.get("value").asDouble())
                  .toList();
          assertThat(w.get("count").asLong()).isEqualTo(values.size());
          assertThat(w.get("min").asDouble())
              .isEqualTo(values.stream().mapToDouble(d -> d).min().orElseThrow());
          assertThat(w.get("max").asDouble())
              .isEqualTo(values.stream().mapToDouble(d -> d).max().orElseThrow());
          assertThat(w.get("avg").asDouble())
              .isCloseTo(values.stream().mapToDouble(d -> d).average().orElseThrow(), within(1e-9));
          assertThat(w.get("last").asDouble()).isEqualTo(values.get(values.size() - 1));
          checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(2);
        assertThat(g.scrape())
            .contains("ketenlink_share_messages_total{agreement=\"acme-cnc\",partner=\"acme\"}")
            .doesNotContain("partner=\"gone\"");
      }
    }
  }

  private static Set<String> topicsUnder(List<TestSubscriber.Received> received, String prefix) {
    return received.stream()
        .map(TestSubscriber.Received::topic)
        .filter(t -> t.startsWith(prefix))
        .collect(Collectors.toSet());
  }
}
