package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Scenario;
import org.ketenlink.simulator.Simulator;

/**
 * The ready-made mappings against a real OPC UA server: the simulator's machines mapped through the
 * OPC 40001-1 Machinery profile (found under Objects/Machines by standard browse names from three
 * namespaces; orders from its OPC 40001-3 Job Management), the OPC 30050 PackML profile and the
 * simulator's own profile, each needing no more than what the standard does not define (counters,
 * ideal cycle time).
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class ProfilesIT {

  private static final String SITE = "ketenlink/v1/acme/ehv/hall-2/line1/";
  private static final String SCENARIO =
      """
      name: Profiles
      line: {id: line1, name: Line 1}
      machines:
        - {id: cnc1, type: cnc-mill, idealCycleTime: 60s, changeover: 1m}
        - {id: mould1, type: injection-moulding, idealCycleTime: 40s, partsPerCycle: 2, changeover: 1m}
        - {id: pack1, type: packaging-line, idealCycleTime: 5s, changeover: 1m}
      orders:
        - {id: C-1, machine: cnc1, customer: ACME, article: flange, quantity: 100, due: 1d}
        - {id: M-1, machine: mould1, customer: ACME, article: cap, quantity: 1000, due: 1d}
        - {id: P-1, machine: pack1, customer: VELO, article: box, quantity: 10000, due: 1d}
      faults:
        - {at: 4m, type: breakdown, machine: cnc1, duration: 3m}
      """;

  @TempDir Path dir;

  @Test
  void machineryPackmlAndSimulatorProfilesMapTheMachinesByStandardBrowsePaths() throws Exception {
    try (Simulator sim =
        Simulator.builder()
            .port(0)
            .pkiDir(dir.resolve("simulator-pki"))
            .scenario(Scenario.parse(SCENARIO, "profiles"))
            .seed(3)
            .timeScale(60)
            .start()) {
      String ns = GatewayFixture.NS;
      String yaml =
          """
          gateway: {id: it-gw, enterprise: acme, site: ehv, area: hall-2}
          dataDir: data
          sources:
            - id: cnc1
              endpoint: "%1$s"
              line: line1
              publishingInterval: 100ms
              profile: {name: machinery, namespace: "%2$s"}
              signals:
                - {name: goodCount, nodeId: "nsu=%2$s;s=line1/cnc1/Production/GoodCount"}
                - {name: scrapCount, nodeId: "nsu=%2$s;s=line1/cnc1/Production/ScrapCount"}
                - {name: ownState, kind: state, nodeId: "nsu=%2$s;s=line1/cnc1/State/MachineryItemState"}
              production: {good: goodCount, scrap: scrapCount, idealCycleTime: 60s}
            - id: pack1
              endpoint: "%1$s"
              line: line1
              publishingInterval: 100ms
              profile: {name: packml, namespace: "%2$s", path: line1/pack1/PackML}
              signals:
                - {name: goodCount, nodeId: "nsu=%2$s;s=line1/pack1/Production/GoodCount"}
                - {name: scrapCount, nodeId: "nsu=%2$s;s=line1/pack1/Production/ScrapCount"}
              production: {good: goodCount, scrap: scrapCount, idealCycleTime: 5s}
            - id: mould1
              endpoint: "%1$s"
              line: line1
              publishingInterval: 100ms
              profile: simulator
              orders: {browsePath: {namespace: "%2$s", path: line1/mould1/Orders}, pollInterval: 200ms}
              production: {idealCycleTime: 40s, partsPerCycle: 2}
          links:
            - {id: main, broker: embedded}
          broker: {port: 0}
          admin: {port: 0}
          """
              .formatted(sim.endpointUrl(), ns);
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config);
          TestSubscriber s =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "profiles")) {
        s.subscribe(SITE + "#");

        // Machinery: the breakdown and the repair, read from MachineryItemState/CurrentState.
        s.await(
            Duration.ofSeconds(40),
            "cnc1 repaired after its breakdown",
            m ->
                m.topic().equals(SITE + "cnc1/state/timeline")
                    && m.json().path("state").asText().equals("Executing")
                    && m.json().path("previous").path("state").asText().equals("OutOfService"));
        List<String> standard = values(s, SITE + "cnc1/state/state");
        List<String> own = values(s, SITE + "cnc1/state/ownState");
        assertThat(standard)
            .as("the standard view tells what the machine's own node tells")
            .contains("Executing", "OutOfService")
            .isEqualTo(own.subList(0, standard.size()));
        assertThat(s.on(SITE + "cnc1/state/operationMode")).isNotEmpty();
        JsonNode breakdown =
            s.on(SITE + "cnc1/state/timeline").stream()
                .map(TestSubscriber.Received::json)
                .filter(n -> n.path("state").asText().equals("OutOfService"))
                .findFirst()
                .orElseThrow();
        assertThat(breakdown.path("category").asText()).isEqualTo("unplannedStop");

        // Machinery's orders: OPC 40001-3 Job Management (ISA-95 job orders, decoded from the
        // structure definitions the server publishes).
        TestSubscriber.Received c1 =
            s.await(
                Duration.ofSeconds(20),
                "C-1 from the Job Management view",
                m ->
                    m.topic().equals(SITE + "cnc1/order/C-1")
                        && m.json().path("state").asText().equals("Running"));
        var truth = sim.groundTruth().order("C-1").orElseThrow();
        assertThat(c1.json().path("customer").asText()).isEqualTo(truth.customer());
        assertThat(c1.json().path("article").asText()).isEqualTo(truth.article());
        assertThat(c1.json().path("planned").asLong()).isEqualTo(truth.planned());
        assertThat(c1.json().path("due").asText())
            .isEqualTo(PayloadEncoder.TIME.format(truth.due()));

        // PackML: the state from BaseStateMachine/CurrentState, the speed from Status.
        s.await(
            Duration.ofSeconds(20),
            "pack1 executing",
            m ->
                m.topic().equals(SITE + "pack1/state/timeline")
                    && m.json().path("state").asText().equals("Execute"));
        assertThat(
                s.on(SITE + "pack1/state/timeline").stream()
                    .map(TestSubscriber.Received::json)
                    .filter(n -> n.path("state").asText().equals("Execute")))
            .allSatisfy(n -> assertThat(n.path("category").asText()).isEqualTo("running"));
        s.await(
            Duration.ofSeconds(20),
            "pack1 speed",
            m ->
                m.topic().equals(SITE + "pack1/data/machineSpeed")
                    && m.json().path("value").asDouble() > 0);
        assertThat(s.on(SITE + "pack1/state/unitMode")).isNotEmpty();

        // Simulator profile: orders object, active order, counters, alarms.
        s.await(
            Duration.ofSeconds(20),
            "M-1 running, from the orders object",
            m ->
                m.topic().equals(SITE + "mould1/order/M-1")
                    && m.json().path("state").asText().equals("Running"));
        assertThat(s.on(SITE + "mould1/state/activeOrder")).isNotEmpty();
        assertThat(s.on(SITE + "mould1/data/goodCount")).isNotEmpty();

        // Nothing unbound: every profile signal was found on the server.
        assertThat(g.status().sources())
            .hasSize(3)
            .allSatisfy(
                src ->
                    assertThat(src.signalsActive())
                        .as(src.id() + " signals found")
                        .isEqualTo(src.signalsConfigured()));
      }
    }
  }

  private static List<String> values(TestSubscriber s, String topic) {
    return s.on(topic).stream()
        .map(r -> r.json().path("value").asText())
        .reduce(
            new java.util.ArrayList<String>(),
            (list, v) -> {
              if (list.isEmpty() || !list.get(list.size() - 1).equals(v)) {
                list.add(v);
              }
              return list;
            },
            (a, b) -> a);
  }
}
