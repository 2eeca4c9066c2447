package org.ketenlink.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.ketenlink.connectors.api.Message;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH hot path: one message turned into a journal record (topic, QoS, flags, expiry, content type,
 * user properties, payload), as the pipeline does for every message and every link. Run by {@link
 * HotPathsBenchmark}; a smoke-size run is part of the test command ({@link HotPathsTest}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MessageCodecBench {

  private Message message;

  @Setup
  public void setUp() {
    byte[] payload =
        ("{\"schema\":\"ketenlink.sample/1\",\"gateway\":\"fieldlab-gw-1\",\"run\":\"1763720130123\","
                + "\"seq\":123456,\"asset\":\"acme/eindhoven/hall-2/line1/cnc1\",\"signal\":\"spindleSpeed\","
                + "\"kind\":\"data\",\"value\":11987.4,\"unit\":{\"code\":\"RPM\",\"symbol\":\"r/min\"},"
                + "\"quality\":\"good\",\"status\":\"0x00000000\",\"sourceTime\":\"2026-11-21T10:15:30.120Z\","
                + "\"gatewayTime\":\"2026-11-21T10:15:30.123Z\"}")
            .getBytes(StandardCharsets.UTF_8);
    message =
        new Message(
            "ketenlink/v1/acme/eindhoven/hall-2/line1/cnc1/data/spindleSpeed",
            payload,
            1,
            false,
            Optional.of(Duration.ofHours(1)),
            PayloadEncoder.CONTENT_TYPE,
            Map.of("schema", PayloadEncoder.SAMPLE_SCHEMA));
  }

  @Benchmark
  public byte[] encode() {
    return MessageCodec.encode(message);
  }
}
