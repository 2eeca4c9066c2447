package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.EndToEnd.Broker;
import org.ketenlink.gateway.EndToEnd.Result;
import org.ketenlink.gateway.EndToEnd.Settings;

/**
 * The end-to-end benchmark at smoke size, in the test run so the harness cannot rot: the gateway
 * started by the launcher in its own process, real OPC UA from the simulator's load mode, a real
 * broker, a subscriber that checks every stream's sequence. Speeds are not asserted here (they live
 * in {@link EndToEndBenchmark} and docs/benchmarks.md); completeness is.
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class EndToEndSmokeIT {

  @TempDir Path dir;

  private static Settings small(Broker broker, boolean batch) {
    return new Settings(2, 50, 100, 2, 4, broker, batch, 1, "", "");
  }

  private static void assertComplete(Result r) {
    System.out.println(r.line());
    assertThat(r.lost()).as("values lost on the way").isZero();
    assertThat(r.delivered()).as("values/s delivered").isGreaterThan(r.settings().offered() * 0.8);
    assertThat(r.p50()).as("a latency was measured").isGreaterThanOrEqualTo(0);
    assertThat(r.startupMillis()).isPositive();
    assertThat(r.gatewayCpu()).isPositive();
    assertThat(r.gatewayRssMb()).isPositive().isLessThanOrEqualTo(r.gatewayPeakRssMb());
    assertThat(r.sourceDropped() + r.pipelineDropped()).as("dropped anywhere").isZero();
  }

  @Test
  void oneMessagePerValueThroughTheEmbeddedBroker() throws Exception {
    Result r = EndToEnd.run(small(Broker.EMBEDDED, false), dir);
    assertComplete(r);
    assertThat(r.messages()).isEqualTo(r.delivered());
  }

  @Test
  void batchedThroughMosquitto() throws Exception {
    Result r = EndToEnd.run(small(Broker.MOSQUITTO, true), dir);
    assertComplete(r);
    // Measured from Mosquitto's own /proc entry (-1 means it was not); at smoke size its CPU can be
    // below one clock tick (10 ms in 4 s), so zero is a valid measurement.
    assertThat(r.brokerCpu()).as("Mosquitto's CPU was measured").isNotNegative();
    assertThat(r.messages())
        .as("one message per machine per publishing cycle, not per value")
        .isLessThan(r.delivered() / 10);
  }
}
