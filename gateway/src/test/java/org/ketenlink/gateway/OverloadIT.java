package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/**
 * More changes than a source is set up to carry: the OPC UA server's queue for each monitored item
 * overflows, and the gateway says so in its metrics, its status and its readiness problems.
 */
class OverloadIT {

  @TempDir Path dir;

  @Test
  void valuesTheServerCouldNotQueueAreCountedAndReported() throws Exception {
    // 20 values changing every 20 ms, published once a second with room for two values each: the
    // server discards most changes and flags what it keeps with the Overflow bit (a queue of one
    // never sets it, OPC 10000-4 5.12.1.5).
    try (Simulator sim = GatewayFixture.simulatorWithLoad(dir, 20, Duration.ofMillis(20))) {
      String yaml =
          GatewayFixture.withLoadSource(
                  GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals()),
                  sim,
                  20)
              .replace(
                  "    line: load\n    publishingInterval: 100ms\n"
                      + "    signalDefaults: {samplingInterval: 0ms, queueSize: 4}\n",
                  "    line: load\n    publishingInterval: 1s\n"
                      + "    signalDefaults: {samplingInterval: 0ms, queueSize: 2}\n");
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway gateway = Gateway.start(config)) {
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long dropped = 0;
        while (dropped == 0 && System.nanoTime() < deadline) {
          Thread.sleep(500);
          for (JsonNode s :
              json.readTree(GatewayFixture.http(gateway, "/api/status").body()).get("sources")) {
            if (s.get("id").asText().equals("load1")) {
              dropped = s.get("samplesDropped").asLong();
            }
          }
        }
        assertThat(dropped).as("load1's samplesDropped in /api/status").isPositive();

        String metrics = GatewayFixture.http(gateway, "/metrics").body();
        assertThat(metrics)
            .containsPattern(
                "ketenlink_source_values_dropped_total\\{[^}]*source=\"load1\"[^}]*\\} [1-9]");
        JsonNode ready = json.readTree(GatewayFixture.http(gateway, "/ready").body());
        assertThat(ready.toString())
            .contains("source load1: the OPC UA server reported")
            .contains("raise the signals' queueSize or lower their samplingInterval");
        JsonNode pipeline =
            json.readTree(GatewayFixture.http(gateway, "/api/status").body()).get("pipeline");
        assertThat(pipeline.get("capacity").asInt()).isPositive();
        assertThat(pipeline.get("dropped").isObject())
            .as("the gateway's own drops, by reason")
            .isTrue();
        // The sources that are not overloaded report nothing lost.
        for (JsonNode s :
            json.readTree(GatewayFixture.http(gateway, "/api/status").body()).get("sources")) {
          if (!s.get("id").asText().equals("load1")) {
            assertThat(s.get("samplesDropped").asLong()).as(s.get("id").asText()).isZero();
          }
        }
      }
    }
  }
}
