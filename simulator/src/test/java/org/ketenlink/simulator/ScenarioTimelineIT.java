package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ketenlink.simulator.TestClients.await;
import static org.ketenlink.simulator.TestClients.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Faults on a scenario's timeline happen at their simulated time, without anyone calling. */
class ScenarioTimelineIT {

  private static final String SCENARIO =
      """
      machines:
        - {id: pack1, type: packaging-line, idealCycleTime: 1s, performance: 0.9}
      orders:
        - {id: O-1, machine: pack1, customer: ACME, article: box, quantity: 1000000, due: 1d}
      faults:
        - {at: 1m, type: bad-signal, machine: pack1, signal: Monitoring/Speed, duration: 2m}
        - {at: 4m, type: slow, delay: 400ms, duration: 2m}
      """;

  @TempDir Path pki;

  @Test
  void aTimelineBadSignalAndSlowResponsesComeAndGoAtTheirSimulatedTimes() throws Exception {
    try (Simulator sim =
        Simulator.builder()
            .port(0)
            .scenario(Scenario.parse(SCENARIO, "timeline"))
            .timeScale(60)
            .pkiDir(pki)
            .start()) {
      OpcUaClient client = TestClients.connectTrusted(sim);
      try {
        List<DataValue> values = new CopyOnWriteArrayList<>();
        OpcUaSubscription sub = new OpcUaSubscription(client, 50.0);
        sub.create();
        OpcUaMonitoredItem item =
            OpcUaMonitoredItem.newDataItem(node(client, "line1/pack1/Monitoring/Speed"));
        item.setDataValueListener((i, v) -> values.add(v));
        sub.addMonitoredItem(item);
        sub.synchronizeMonitoredItems();

        // 1 simulated minute = 1 s real at time scale 60.
        await(
            Duration.ofSeconds(10),
            "the scheduled bad status",
            () ->
                values.stream()
                    .anyMatch(v -> v.statusCode().getValue() == StatusCodes.Bad_SensorFailure));
        int badAt = values.size();
        await(
            Duration.ofSeconds(10),
            "good status after the fault's duration",
            () -> values.size() > badAt && values.get(values.size() - 1).statusCode().isGood());

        await(Duration.ofSeconds(10), "the slow period", () -> readMillis(client) >= 400);
        await(Duration.ofSeconds(10), "fast responses again", () -> readMillis(client) < 300);
        assertThat(sim.simulatedTime()).isAfter(sim.simulatedStart().plus(Duration.ofMinutes(6)));
      } finally {
        client.disconnect();
      }
    }
  }

  private static long readMillis(OpcUaClient client) {
    long t0 = System.nanoTime();
    try {
      client.readValue(
          0, TimestampsToReturn.Neither, node(client, "line1/pack1/Identification/Model"));
    } catch (Exception e) {
      return Long.MAX_VALUE;
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
