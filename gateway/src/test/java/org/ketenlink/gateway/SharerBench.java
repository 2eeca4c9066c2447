package org.ketenlink.gateway;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.config.GatewayConfig.Granularity;
import org.ketenlink.gateway.config.GatewayConfig.Kind;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH hot path: partner view filtering. One normalised value offered to the share stage with {@code
 * partners} raw agreements selecting its stream (0: the value is no partner's — the cost every
 * unshared value pays), each view encoded and counted as the pipeline does. Run by {@link
 * HotPathsBenchmark}; a smoke-size run is part of the test command ({@link HotPathsTest}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SharerBench {

  @Param({"0", "1", "10"})
  public int partners;

  private Sharer sharer;
  private AuditTrail audit;
  private Path auditDir;
  private NormalisedSample[] values;
  private Message last;
  private final Consumer<Message> sink = m -> last = m;
  private int next;

  @Setup
  public void setUp() throws IOException {
    StreamSpec speed = NormaliserTest.spec("speed", Kind.DATA, Optional.empty(), 1, 0, Map.of());
    StreamSpec power = NormaliserTest.spec("power", Kind.DATA, Optional.empty(), 1, 0, Map.of());
    List<AgreementConfig> agreements = new ArrayList<>();
    for (int i = 0; i < partners; i++) {
      agreements.add(
          SharerTest.agreement(
              "a" + i,
              "partner" + i,
              "line1/cnc1/data/speed",
              Granularity.raw(),
              Set.of("status"),
              Optional.empty(),
              Optional.empty()));
    }
    // Another partner's agreement on another stream: filtering must skip it.
    agreements.add(
        SharerTest.agreement(
            "other",
            "other",
            "line1/cnc1/data/power",
            Granularity.raw(),
            Set.of(),
            Optional.empty(),
            Optional.empty()));
    auditDir = Files.createTempDirectory("ketenlink-bench-audit");
    audit = AuditTrail.open(auditDir, java.time.Clock.systemUTC(), Duration.ofHours(1));
    sharer =
        new Sharer(
            Map.of(
                Normaliser.key("cnc1", "speed"), speed,
                Normaliser.key("cnc1", "power"), power),
            agreements,
            new PayloadEncoder("fieldlab-gw-1", "1763720130123"),
            new GatewayMetrics(new SimpleMeterRegistry()),
            Optional.empty(),
            audit);
    Instant t = Instant.parse("2026-11-21T10:15:30.123Z");
    values = new NormalisedSample[1024];
    for (int i = 0; i < values.length; i++) {
      values[i] = SharerTest.value(speed, new Value.Real(1200 + i % 50), Quality.GOOD, t, i + 1);
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    audit.close();
    try (var files = Files.walk(auditDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public Message share() {
    sharer.share(values[next++ & 1023], sink);
    return last;
  }
}
