package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.SignalInfo;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig.Kind;

class NormaliserTest {

  static final Instant T0 = Instant.parse("2026-11-21T10:15:30.123Z");
  static final Instant T1 = Instant.parse("2026-11-21T10:15:30.200Z");

  static StreamSpec spec(
      String name,
      Kind kind,
      Optional<Unit> unit,
      double scale,
      double offset,
      Map<String, String> map) {
    return new StreamSpec(
        "cnc1",
        name,
        "ketenlink/v1/acme/ehv/hall-2/line1/cnc1/" + kind.topicName() + "/" + name,
        "acme/ehv/hall-2/line1/cnc1",
        kind,
        unit,
        scale,
        offset,
        map,
        1,
        kind == Kind.STATE,
        Optional.empty(),
        Optional.empty());
  }

  static Sample sample(String signal, Value v, long status) {
    return new Sample(
        "cnc1", signal, v, Quality.ofStatusCode(status), status, T0, T0.plusMillis(3));
  }

  final Normaliser normaliser =
      new Normaliser(
          Map.of(
              Normaliser.key("cnc1", "speed"),
                  spec("speed", Kind.DATA, Optional.empty(), 1, 0, Map.of()),
              Normaliser.key("cnc1", "tempF"),
                  spec("tempF", Kind.DATA, Optional.of(Units.ofCode("FAH")), 1.8, 32, Map.of()),
              Normaliser.key("cnc1", "state"),
                  spec(
                      "state",
                      Kind.STATE,
                      Optional.empty(),
                      1,
                      0,
                      Map.of("3", "Executing", "1", "OutOfService"))));

  final PayloadEncoder encoder = new PayloadEncoder("fieldlab-gw-1", "1763720000000");

  @Test
  void theDeviceUnitIsUsedWhenTheConfigurationGivesNone() {
    normaliser.learn(
        new SignalInfo(
            "cnc1",
            "speed",
            "ns=2;s=x",
            "Double",
            Optional.of(new Unit("RPM", "r/min")),
            Optional.empty()));
    NormalisedSample n =
        normaliser.normalise(sample("speed", new Value.Real(12000.5), 0), T1).orElseThrow();
    assertThat(n.unit()).contains(new Unit("RPM", "r/min"));
    assertThat(n.value()).isEqualTo(new Value.Real(12000.5));
    assertThat(n.quality()).isEqualTo(Quality.GOOD);
    assertThat(n.sourceTime()).isEqualTo(T0);
    assertThat(n.gatewayTime()).isEqualTo(T1);
  }

  @Test
  void scaleAndOffsetConvertNumbersAndTheConfiguredUnitWins() {
    normaliser.learn(
        new SignalInfo(
            "cnc1",
            "tempF",
            "ns=2;s=t",
            "Double",
            Optional.of(new Unit("CEL", "°C")),
            Optional.empty()));
    NormalisedSample n =
        normaliser.normalise(sample("tempF", new Value.Int(100), 0), T1).orElseThrow();
    assertThat(n.value()).isEqualTo(new Value.Real(212.0));
    assertThat(n.unit()).contains(new Unit("FAH", "°F"));
  }

  @Test
  void valueMapsTurnVendorCodesIntoNormalisedStates() {
    assertThat(normaliser.normalise(sample("state", new Value.Int(3), 0), T1).orElseThrow().value())
        .isEqualTo(new Value.Text("Executing"));
    assertThat(normaliser.normalise(sample("state", new Value.Int(7), 0), T1).orElseThrow().value())
        .as("an unmapped code passes unchanged")
        .isEqualTo(new Value.Int(7));
  }

  @Test
  void sequenceNumbersCountPerStreamWithoutGaps() {
    List<Long> speed =
        List.of(1, 2, 3).stream()
            .map(
                i ->
                    normaliser
                        .normalise(sample("speed", new Value.Int(i), 0), T1)
                        .orElseThrow()
                        .seq())
            .toList();
    long state = normaliser.normalise(sample("state", new Value.Int(3), 0), T1).orElseThrow().seq();
    assertThat(speed).containsExactly(1L, 2L, 3L);
    assertThat(state).isEqualTo(1L);
  }

  @Test
  void aBadSampleIsKeptWithItsQualityAndStatus() {
    NormalisedSample n =
        normaliser.normalise(sample("speed", Value.None.INSTANCE, 0x808B0000L), T1).orElseThrow();
    assertThat(n.quality()).isEqualTo(Quality.BAD);
    JsonNode json = Schemas.parse(encoder.sample(n));
    assertThat(json.get("value").isNull()).isTrue();
    assertThat(json.get("quality").asText()).isEqualTo("bad");
    assertThat(json.get("status").asText()).isEqualTo("0x808B0000");
  }

  @Test
  void anUnconfiguredSignalIsIgnored() {
    assertThat(normaliser.normalise(sample("nope", new Value.Int(1), 0), T1)).isEmpty();
  }

  @Test
  void everyValueTypeEncodesToSchemaValidJson() {
    List<Value> values =
        List.of(
            new Value.Bool(true),
            new Value.Int(-42),
            new Value.Real(3.25),
            new Value.Real(Double.NaN),
            new Value.Real(Double.NEGATIVE_INFINITY),
            new Value.Text("Executing \"quoted\" ünïcode"),
            new Value.Time(T0),
            new Value.Bytes(new byte[] {1, 2, 3}),
            new Value.Array(List.of(new Value.Int(1), new Value.Real(2.5))),
            Value.None.INSTANCE);
    normaliser.learn(
        new SignalInfo(
            "cnc1",
            "speed",
            "ns=2;s=x",
            "Double",
            Optional.of(new Unit("RPM", "r/min")),
            Optional.empty()));
    for (Value v : values) {
      byte[] payload =
          encoder.sample(normaliser.normalise(sample("speed", v, 0), T1).orElseThrow());
      assertThat(Schemas.violations(Schemas.SAMPLE, payload)).as(v.toString()).isEmpty();
    }
    JsonNode json =
        Schemas.parse(
            encoder.sample(
                normaliser.normalise(sample("speed", new Value.Time(T0), 0), T1).orElseThrow()));
    assertThat(json.get("value").asText()).isEqualTo("2026-11-21T10:15:30.123Z");
    assertThat(json.get("sourceTime").asText()).isEqualTo("2026-11-21T10:15:30.123Z");
    assertThat(json.get("gatewayTime").asText()).isEqualTo("2026-11-21T10:15:30.200Z");
    assertThat(json.get("asset").asText()).isEqualTo("acme/ehv/hall-2/line1/cnc1");
    assertThat(json.get("unit").get("code").asText()).isEqualTo("RPM");
    assertThat(json.get("gateway").asText()).isEqualTo("fieldlab-gw-1");
  }

  @Test
  void theStatusPayloadIsSchemaValid() {
    assertThat(Schemas.violations(Schemas.STATUS, encoder.status("online", T0, "0.1.0"))).isEmpty();
    assertThat(Schemas.violations(Schemas.STATUS, encoder.status("offline", T0, "0.1.0")))
        .isEmpty();
  }
}
