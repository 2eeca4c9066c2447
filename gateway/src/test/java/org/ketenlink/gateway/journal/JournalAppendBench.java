package org.ketenlink.gateway.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
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
 * JMH hot path: one record appended to a link's journal (a typical 412-byte sample message), with
 * the sync policy as a parameter; the disk budget (256 MiB) drops the oldest segments as in
 * production, so a long run stays bounded. Run by {@code HotPathsBenchmark}; a smoke-size run is
 * part of the test command ({@code HotPathsTest}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class JournalAppendBench {

  @Param({"NONE", "GROUP"})
  public JournalSettings.SyncPolicy sync;

  private Path dir;
  private Journal journal;
  private byte[] record;

  @Setup
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("ketenlink-bench-journal");
    JournalSettings defaults = JournalSettings.defaults();
    journal =
        Journal.open(
            dir,
            new JournalSettings(
                256L << 20,
                defaults.maxAge(),
                16L << 20,
                sync,
                defaults.syncInterval(),
                defaults.overflow()),
            Clock.systemUTC());
    record =
        ("ketenlink/v1/acme/eindhoven/hall-2/line1/cnc1/data/spindleSpeed\n"
                + "{\"schema\":\"ketenlink.sample/1\",\"gateway\":\"fieldlab-gw-1\",\"run\":\"1763720130123\","
                + "\"seq\":123456,\"asset\":\"acme/eindhoven/hall-2/line1/cnc1\",\"signal\":\"spindleSpeed\","
                + "\"kind\":\"data\",\"value\":11987.4,\"unit\":{\"code\":\"RPM\",\"symbol\":\"r/min\"},"
                + "\"quality\":\"good\",\"status\":\"0x00000000\",\"sourceTime\":\"2026-11-21T10:15:30.120Z\","
                + "\"gatewayTime\":\"2026-11-21T10:15:30.123Z\"}")
            .getBytes(StandardCharsets.UTF_8);
  }

  @TearDown
  public void tearDown() throws IOException {
    journal.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Benchmark
  public long append() {
    return journal.append(record);
  }
}
