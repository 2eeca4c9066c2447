package org.ketenlink.gateway;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig.Kind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH hot path: one OPC UA value through the normalise stage and the JSON encoder (the sample
 * payload of {@code ketenlink.sample/1}), as the pipeline thread does for every value. Run by
 * {@link HotPathsBenchmark}; a smoke-size run is part of the test command ({@link HotPathsTest}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class NormaliseEncodeBench {

  private static final int SAMPLES = 1024;

  private Normaliser normaliser;
  private PayloadEncoder encoder;
  private Sample[] samples;
  private Instant now;
  private int next;

  @Setup
  public void setUp() {
    StreamSpec spec =
        NormaliserTest.spec(
            "spindleSpeed", Kind.DATA, Optional.of(Units.ofCode("RPM")), 1, 0, Map.of());
    normaliser = new Normaliser(Map.of(Normaliser.key("cnc1", "spindleSpeed"), spec));
    encoder = new PayloadEncoder("fieldlab-gw-1", "1763720130123");
    now = Instant.parse("2026-11-21T10:15:30.123Z");
    samples = new Sample[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      Instant t = now.minusMillis(SAMPLES - i);
      samples[i] =
          new Sample(
              "cnc1",
              "spindleSpeed",
              new Value.Real(11_950 + (i * 7919 % 100) / 10.0),
              Quality.GOOD,
              0,
              t,
              t.plusMillis(2));
    }
  }

  @Benchmark
  public byte[] normaliseAndEncode() {
    Sample s = samples[next++ & (SAMPLES - 1)];
    return encoder.sample(normaliser.normalise(s, now).orElseThrow());
  }
}
