package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Scenario;
import org.ketenlink.simulator.Simulator;

/**
 * A machine with nothing to do sends nothing: its state and counters stay as they are. Its
 * production periods must still close on time, by the machine's clock as the gateway estimates it,
 * not when the machine next speaks. The simulator runs in real time here, so the machine's clock
 * and the gateway's run at the same pace.
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class SilentMachineIT {

  private static final String SITE = "ketenlink/v1/acme/ehv/hall-2/line1/cnc1/";

  @TempDir Path dir;

  @Test
  void anIdleMachinesPeriodsCloseOnTimeWithoutAValueFromIt() throws Exception {
    try (Simulator sim =
        Simulator.builder()
            .port(0)
            .pkiDir(dir.resolve("simulator-pki"))
            .scenario(
                Scenario.parse(
                    """
                    name: Idle
                    line: {id: line1, name: Line 1}
                    machines:
                      - {id: cnc1, type: cnc-mill, idealCycleTime: 60s}
                    orders: []
                    """,
                    "idle"))
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
              signals:
                - {name: state, kind: state, nodeId: "nsu=%2$s;s=line1/cnc1/State/MachineryItemStateNumber"}
                - {name: goodCount, nodeId: "nsu=%2$s;s=line1/cnc1/Production/GoodCount"}
                - {name: scrapCount, nodeId: "nsu=%2$s;s=line1/cnc1/Production/ScrapCount"}
              production: {state: {signal: state}, good: goodCount, scrap: scrapCount,
                           idealCycleTime: 60s, interval: 10s}
          links:
            - {id: main, broker: embedded}
          broker: {port: 0}
          admin: {port: 0}
          """
              .formatted(sim.endpointUrl(), ns);
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      // Every value the gateway takes from the machine, as it takes it (the subscriber below
      // may connect after the first ones were published).
      List<Instant> fromMachine = new java.util.concurrent.CopyOnWriteArrayList<>();
      try (Gateway g =
              Gateway.start(
                  config, java.time.Clock.systemUTC(), n -> fromMachine.add(n.sourceTime()));
          TestSubscriber s =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "idle")) {
        s.subscribe(SITE + "#");
        TestSubscriber.Received period =
            s.await(
                Duration.ofSeconds(30),
                "an interval period",
                m -> m.topic().equals(SITE + "production/interval"));
        assertThat(fromMachine).as("the machine's first values").isNotEmpty();
        Instant lastValue = fromMachine.stream().max(Instant::compareTo).orElseThrow();
        // The machine sent only its first values, which say nothing of its clock now: the gateway
        // takes the clocks to agree (the simulator's runs in real time, at most 1 s behind).
        JsonNode p = period.json();
        Instant end = Instant.parse(p.path("window").path("end").asText());
        Instant closedAt = Instant.parse(p.path("gatewayTime").asText());
        System.out.printf(
            "Silent machine: period ending %s closed at %s (gateway clock); last value from the"
                + " machine at %s%n",
            end, closedAt, lastValue);
        assertThat(lastValue).as("no value from the machine up to the period's end").isBefore(end);
        assertThat(closedAt)
            .as("closed %s after its end", ProductionStage.SILENCE_GRACE)
            .isAfterOrEqualTo(end.plus(ProductionStage.SILENCE_GRACE))
            .isBefore(end.plus(ProductionStage.SILENCE_GRACE).plusMillis(1_000));
        assertThat(p.path("seconds").path("plannedStop").asDouble())
            .as("its time in the state the machine stayed in (NotExecuting: no order)")
            .isPositive();
        assertThat(p.path("seconds").path("running").asDouble()).isZero();
      }
    }
  }
}
