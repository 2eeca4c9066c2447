package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenarioTest {

  @Test
  void theBuiltInScenarioHasOneLineThreeMachinesAndOrdersForTwoCustomers() {
    Scenario s = Scenario.defaultScenario();
    assertThat(s.lineId()).isEqualTo("line1");
    assertThat(s.machines())
        .extracting(Scenario.MachineSpec::type)
        .containsExactly(
            Scenario.MachineType.CNC_MILL,
            Scenario.MachineType.INJECTION_MOULDING,
            Scenario.MachineType.PACKAGING_LINE);
    assertThat(s.orders()).extracting(Scenario.OrderSpec::customer).containsOnly("ACME", "VELO");
    assertThat(s.orders()).anyMatch(o -> !o.released());
  }

  @Test
  void durationsAcceptShortAndIsoForms() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
    assertThat(Durations.parse("1.5m")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("PT10M")).isEqualTo(Duration.ofMinutes(10));
    assertThatThrownBy(() -> Durations.parse("soon"))
        .hasMessageContaining("'soon' is not a duration");
  }

  @Test
  void everyProblemInAScenarioIsListedWithItsPath() {
    String yaml =
        """
        name: Broken
        colour: blue
        machines:
          - {id: cnc1, type: laser-cutter, idealCycleTime: 45s}
          - {id: cnc1, type: cnc-mill, idealCycleTime: fast, scrapRate: 1.5}
          - {id: "has space", type: packaging-line, idealCycleTime: 1s, performance: "high"}
        orders:
          - {id: O-1, machine: cnc9, customer: ACME, article: x, quantity: 0}
          - {id: O-1, machine: cnc1, customer: ACME, quantity: 5}
        faults:
          - {at: 10m, type: bad-signal, machine: cnc1}
          - {type: meteor}
        users:
          operator: short
        """;
    assertThatThrownBy(() -> Scenario.parse(yaml, "broken.yaml"))
        .isInstanceOfSatisfying(
            Scenario.InvalidScenarioException.class,
            e -> {
              assertThat(e.getMessage()).startsWith("scenario broken.yaml has");
              assertThat(e.problems())
                  .anyMatch(p -> p.startsWith("colour: unknown key"))
                  .anyMatch(p -> p.startsWith("machines[0].type: 'laser-cutter' is not one of"))
                  .anyMatch(p -> p.equals("machines[1].id: 'cnc1' is used twice"))
                  .anyMatch(
                      p -> p.startsWith("machines[1].idealCycleTime: 'fast' is not a duration"))
                  .anyMatch(
                      p -> p.startsWith("machines[1].scrapRate: 1.5 is out of range [0, 0.99]"))
                  .anyMatch(p -> p.startsWith("machines[2].id: 'has space' must be"))
                  .anyMatch(p -> p.equals("machines[2].performance: 'high' is not a number"))
                  .anyMatch(p -> p.startsWith("orders[0].machine: no machine 'cnc9'"))
                  .anyMatch(p -> p.startsWith("orders[0].quantity: 0 is out of range"))
                  .anyMatch(p -> p.equals("orders[1].id: 'O-1' is used twice"))
                  .anyMatch(p -> p.equals("orders[1].article: missing"))
                  .anyMatch(p -> p.startsWith("faults[0].signal: required for a bad-signal fault"))
                  .anyMatch(p -> p.startsWith("faults[1].type: 'meteor' is not one of"))
                  .anyMatch(p -> p.startsWith("faults[1].at: missing"))
                  .anyMatch(p -> p.startsWith("users.operator: password must have at least 8"));
            });
  }

  @Test
  void aLineIdTakenByAnotherNodeBelowObjectsIsRefused() {
    String yaml =
        """
        line: {id: Machines}
        machines:
          - {id: m1, type: cnc-mill, idealCycleTime: 10s}
        """;
    assertThatThrownBy(() -> Scenario.parse(yaml, "reserved"))
        .isInstanceOf(Scenario.InvalidScenarioException.class)
        .hasMessageContaining("line.id: must not be Machines, Simulation, Load");
  }

  @Test
  void invalidYamlIsReportedAsSuch() {
    assertThatThrownBy(() -> Scenario.parse("machines: [ {id: a", "x.yaml"))
        .isInstanceOf(Scenario.InvalidScenarioException.class)
        .hasMessageContaining("not valid YAML");
  }

  @Test
  void aFaultTimelineIsOrderedByTime() {
    String yaml =
        """
        machines:
          - {id: m1, type: cnc-mill, idealCycleTime: 10s}
        faults:
          - {at: 20m, type: restart, duration: 5s}
          - {at: 5m, type: breakdown, machine: m1, duration: 2m}
          - {at: 10m, type: slow, delay: 800ms, duration: 1m}
        """;
    Scenario s = Scenario.parse(yaml, "timeline");
    assertThat(s.faults())
        .extracting(Scenario.FaultSpec::type)
        .containsExactly(
            Scenario.FaultType.BREAKDOWN, Scenario.FaultType.SLOW, Scenario.FaultType.RESTART);
    assertThat(s.faults().get(1).delay()).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void aTimelineBreakdownAndCounterResetArePlayedByTheModelAtTheirSimulatedTime() {
    String yaml =
        """
        machines:
          - {id: m1, type: packaging-line, idealCycleTime: 1s}
        orders:
          - {id: O, machine: m1, customer: ACME, article: box, quantity: 100000, due: 1d}
        faults:
          - {at: 10m, type: breakdown, machine: m1, duration: 5m}
          - {at: 30m, type: counter-reset, machine: m1}
        """;
    java.time.Instant start = java.time.Instant.parse("2026-01-05T06:00:00Z");
    Fieldlab lab = new Fieldlab(Scenario.parse(yaml, "t"), 1, start, FieldlabListener.NONE);
    lab.advanceTo(start.plus(Duration.ofMinutes(12)));
    Machine m = lab.machine("m1").orElseThrow();
    assertThat(m.itemState()).isEqualTo(Machine.ItemState.OUT_OF_SERVICE);
    assertThat(m.alarm().code()).isNotZero();
    lab.advanceTo(start.plus(Duration.ofMinutes(29)));
    assertThat(m.itemState()).isEqualTo(Machine.ItemState.EXECUTING);
    assertThat((Long) m.signalValue("Production/GoodCount")).isGreaterThan(1000L);
    lab.advanceTo(start.plus(Duration.ofMinutes(30)));
    assertThat((Long) m.signalValue("Production/GoodCount")).isLessThan(5L);
    assertThat(lab.truth().machine("m1").orElseThrow().downTime()).isEqualTo(Duration.ofMinutes(5));
  }
}
