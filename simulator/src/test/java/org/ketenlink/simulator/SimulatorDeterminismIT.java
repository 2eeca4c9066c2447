package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ketenlink.simulator.TestClients.await;
import static org.ketenlink.simulator.TestClients.read;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With a fixed seed and time scale, the counters a client reads over OPC UA end exactly where the
 * seeded model says, breakdowns and scrap included.
 */
class SimulatorDeterminismIT {

  private static final String SCENARIO =
      """
      name: Determinism
      line: {id: line1, name: Line}
      machines:
        - {id: cnc1, type: cnc-mill, idealCycleTime: 45s, performance: 0.9, scrapRate: 0.08,
           mtbf: 15m, mttr: 3m, changeover: 2m}
        - {id: mould1, type: injection-moulding, idealCycleTime: 30s, partsPerCycle: 4,
           performance: 0.95, scrapRate: 0.05, mtbf: 30m, mttr: 5m, changeover: 2m}
        - {id: pack1, type: packaging-line, idealCycleTime: 1s, performance: 0.9, scrapRate: 0.02,
           mtbf: 20m, mttr: 2m, changeover: 1m, microStopProbability: 0.01, microStopMean: 10s}
      orders:
        - {id: A-1, machine: cnc1, customer: ACME, article: flange, quantity: 40, due: 4h}
        - {id: A-2, machine: cnc1, customer: VELO, article: hub, quantity: 25, due: 6h}
        - {id: B-1, machine: mould1, customer: VELO, article: grip, quantity: 300, due: 4h}
        - {id: C-1, machine: pack1, customer: ACME, article: box, quantity: 2500, due: 4h}
      """;

  @TempDir Path pki;

  @Test
  void ordersEndWithExactlyTheGoodAndScrapCountsTheSeededModelPredicts() throws Exception {
    Scenario scenario = Scenario.parse(SCENARIO, "determinism");
    long seed = 20261121;
    GroundTruth expected = Simulator.simulateOffline(scenario, seed, Duration.ofHours(12));
    List<String> orders = List.of("A-1", "A-2", "B-1", "C-1");
    for (String id : orders) {
      assertThat(expected.order(id).orElseThrow().state()).as(id).isEqualTo("Ended");
    }
    assertThat(expected.machines().stream().mapToInt(GroundTruth.MachineTruth::breakdowns).sum())
        .as("the scenario exercises breakdowns")
        .isGreaterThan(0);

    try (Simulator sim =
        Simulator.builder()
            .port(0)
            .scenario(scenario)
            .seed(seed)
            .timeScale(1200)
            .pkiDir(pki)
            .start()) {
      OpcUaClient client = TestClients.connectTrusted(sim);
      try {
        for (String id : orders) {
          String machine = expected.order(id).orElseThrow().machineId();
          String base = "line1/" + machine + "/Orders/" + id + "/";
          await(
              Duration.ofSeconds(60),
              id + " ended",
              () -> "Ended".equals(quiet(client, base + "State")));
          GroundTruth.OrderTruth want = expected.order(id).orElseThrow();
          assertThat(((UInteger) read(client, base + "GoodQuantity")).longValue())
              .as(id + " good")
              .isEqualTo(want.good());
          assertThat(((UInteger) read(client, base + "ScrapQuantity")).longValue())
              .as(id + " scrap")
              .isEqualTo(want.scrap());
        }
        assertThat(expected.order("C-1").orElseThrow().scrap()).isGreaterThan(0);
      } finally {
        client.disconnect();
      }
    }
  }

  private static Object quiet(OpcUaClient client, String path) {
    try {
      return read(client, path);
    } catch (Exception e) {
      return null;
    }
  }
}
