package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.Aggregate;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.config.GatewayConfig.Granularity;
import org.ketenlink.gateway.config.GatewayConfig.Kind;
import org.ketenlink.gateway.config.StreamSelector;

class SharerTest {

  static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123Z");
  static final String PREFIX = "ketenlink/v1/partners/";
  static final StreamSpec SPEED =
      NormaliserTest.spec("speed", Kind.DATA, Optional.empty(), 1, 0, Map.of());
  static final StreamSpec POWER =
      NormaliserTest.spec("power", Kind.DATA, Optional.of(Units.ofCode("KWT")), 1, 0, Map.of());
  static final StreamSpec STATE =
      NormaliserTest.spec("state", Kind.STATE, Optional.empty(), 1, 0, Map.of());

  final List<Message> out = new ArrayList<>();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  @TempDir Path auditDir;
  AuditTrail audit;

  @BeforeEach
  void openAudit() {
    audit = AuditTrail.open(auditDir, java.time.Clock.systemUTC(), Duration.ofHours(1));
  }

  @AfterEach
  void closeAudit() {
    audit.close();
  }

  static AgreementConfig agreement(
      String id,
      String partner,
      String selector,
      Granularity granularity,
      Set<String> redact,
      Optional<Instant> from,
      Optional<Instant> until) {
    return new AgreementConfig(
        id,
        partner,
        "test",
        from,
        until,
        List.of(StreamSelector.parse(selector).selector().orElseThrow()),
        granularity,
        redact,
        Optional.empty(),
        false,
        Optional.empty(),
        GatewayConfig.OrderScope.OWN);
  }

  Sharer sharer(AgreementConfig... agreements) {
    return new Sharer(
        Map.of(
            Normaliser.key("cnc1", "speed"), SPEED,
            Normaliser.key("cnc1", "power"), POWER,
            Normaliser.key("cnc1", "state"), STATE),
        List.of(agreements),
        new PayloadEncoder("gw", "1763720130123"),
        new GatewayMetrics(registry),
        Optional.empty(),
        audit);
  }

  static NormalisedSample value(StreamSpec s, Value v, Quality q, Instant at, long seq) {
    return new NormalisedSample(
        s, v, s.configuredUnit(), q, q == Quality.GOOD ? 0 : 0x808C0000L, at, at, at, seq);
  }

  @Test
  void aRawShareGoesUnderThePartnersPrefixWithoutTheRedactedFields() {
    Sharer sharer =
        sharer(
            agreement(
                "acme-speed",
                "acme",
                "line1/cnc1/data/speed",
                Granularity.raw(),
                Set.of("status", "sourceTime", "asset"),
                Optional.empty(),
                Optional.empty()));
    sharer.share(value(SPEED, new Value.Real(1200.5), Quality.GOOD, T0, 1), out::add);
    sharer.share(value(POWER, new Value.Real(4.2), Quality.GOOD, T0, 1), out::add);
    sharer.share(value(SPEED, new Value.Real(1210), Quality.GOOD, T0.plusMillis(100), 2), out::add);

    assertThat(out).hasSize(2);
    Message m = out.get(0);
    assertThat(m.topic()).isEqualTo(PREFIX + "acme/acme/ehv/hall-2/line1/cnc1/data/speed");
    assertThat(Schemas.violations(Schemas.SHARE, m.payload())).isEmpty();
    JsonNode json = Schemas.parse(m.payload());
    assertThat(json.get("partner").asText()).isEqualTo("acme");
    assertThat(json.get("agreement").asText()).isEqualTo("acme-speed");
    assertThat(json.get("value").asDouble()).isEqualTo(1200.5);
    assertThat(json.get("quality").asText()).isEqualTo("good");
    assertThat(json.has("status")).isFalse();
    assertThat(json.has("sourceTime")).isFalse();
    assertThat(json.has("asset")).isFalse();
    assertThat(json.get("gatewayTime").asText()).isEqualTo("2026-11-21T10:15:30.123Z");
    assertThat(Schemas.parse(out.get(1).payload()).get("seq").asLong()).isEqualTo(2);
    assertThat(registry.get("ketenlink.share.messages").tag("partner", "acme").counter().count())
        .isEqualTo(2);
  }

  @Test
  void anAggregatedShareCarriesMinMaxAvgOfTheGoodValuesPerWindow() {
    Sharer sharer =
        sharer(
            agreement(
                "velo-energy",
                "velo",
                "line1/+/data/power",
                new Granularity(
                    Optional.of(Duration.ofSeconds(10)),
                    List.of(
                        Aggregate.LAST,
                        Aggregate.MIN,
                        Aggregate.MAX,
                        Aggregate.AVG,
                        Aggregate.COUNT)),
                Set.of(),
                Optional.empty(),
                Optional.empty()));
    // Window [10:15:30, 10:15:40): three good values and one bad one.
    sharer.share(value(POWER, new Value.Real(10), Quality.GOOD, T0, 1), out::add);
    sharer.share(value(POWER, new Value.Int(60), Quality.GOOD, T0.plusSeconds(2), 2), out::add);
    sharer.share(value(POWER, new Value.Real(1000), Quality.BAD, T0.plusSeconds(3), 3), out::add);
    sharer.share(value(POWER, new Value.Real(20), Quality.GOOD, T0.plusSeconds(4), 4), out::add);
    sharer.flush(Instant.parse("2026-11-21T10:15:39.999Z"), out::add);
    assertThat(out).as("nothing before the window has ended").isEmpty();

    sharer.flush(Instant.parse("2026-11-21T10:15:40Z"), out::add);
    assertThat(out).hasSize(1);
    assertThat(Schemas.violations(Schemas.SHARE, out.get(0).payload())).isEmpty();
    JsonNode w = Schemas.parse(out.get(0).payload());
    assertThat(w.get("window").get("start").asText()).isEqualTo("2026-11-21T10:15:30.000Z");
    assertThat(w.get("window").get("end").asText()).isEqualTo("2026-11-21T10:15:40.000Z");
    assertThat(w.get("min").asDouble()).isEqualTo(10);
    assertThat(w.get("max").asDouble()).isEqualTo(60);
    assertThat(w.get("avg").asDouble()).isEqualTo(30);
    assertThat(w.get("count").asLong()).isEqualTo(4);
    assertThat(w.get("last").asDouble()).isEqualTo(20);
    assertThat(w.get("quality").asText()).isEqualTo("bad");
    assertThat(w.get("unit").get("code").asText()).isEqualTo("KWT");
    assertThat(w.has("value")).isFalse();

    // A value in a later window closes nothing early; an empty window publishes nothing.
    sharer.share(value(POWER, new Value.Real(5), Quality.BAD, T0.plusSeconds(25), 5), out::add);
    sharer.flush(Instant.parse("2026-11-21T10:16:00Z"), out::add);
    assertThat(out).hasSize(2);
    JsonNode second = Schemas.parse(out.get(1).payload());
    assertThat(second.get("seq").asLong()).isEqualTo(2);
    assertThat(second.get("window").get("start").asText()).isEqualTo("2026-11-21T10:15:50.000Z");
    assertThat(second.get("min").isNull()).as("no good numeric value").isTrue();
    assertThat(second.get("count").asLong()).isEqualTo(1);
  }

  @Test
  void nothingIsSharedOutsideTheAgreementsValidity() {
    Sharer sharer =
        sharer(
            agreement(
                "acme-state",
                "acme",
                "line1/cnc1/state/#",
                Granularity.raw(),
                Set.of(),
                Optional.of(T0.plusSeconds(10)),
                Optional.of(T0.plusSeconds(20))));
    Value running = new Value.Text("Running");
    sharer.share(value(STATE, running, Quality.GOOD, T0, 1), out::add);
    sharer.share(value(STATE, running, Quality.GOOD, T0.plusSeconds(10), 2), out::add);
    sharer.share(value(STATE, running, Quality.GOOD, T0.plusSeconds(19), 3), out::add);
    sharer.share(value(STATE, running, Quality.GOOD, T0.plusSeconds(20), 4), out::add);
    assertThat(out).hasSize(2);
    assertThat(out.get(0).retained()).as("a state view is retained like the state").isTrue();
    assertThat(sharer.grants()).isEqualTo(1);
  }

  @Test
  void withoutAnAgreementNothingIsShared() {
    Sharer sharer = sharer();
    sharer.share(value(SPEED, new Value.Real(1), Quality.GOOD, T0, 1), out::add);
    sharer.flush(T0.plusSeconds(60), out::add);
    assertThat(out).isEmpty();
  }
}
