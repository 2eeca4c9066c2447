package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FieldlabTest {

  private static final Instant START = Instant.parse("2026-01-05T06:00:00Z");

  private static Fieldlab fieldlab(long seed) {
    return new Fieldlab(Scenario.defaultScenario(), seed, START, FieldlabListener.NONE);
  }

  @Test
  void countsDependOnSeedAndSimulatedTimeButNotOnHowOftenTheModelIsAdvanced() {
    Fieldlab coarse = fieldlab(42);
    coarse.advanceTo(START.plus(Duration.ofHours(6)));

    Fieldlab fine = fieldlab(42);
    for (int s = 1; s <= 6 * 3600; s += 7) {
      fine.advanceTo(START.plusSeconds(s));
    }
    fine.advanceTo(START.plus(Duration.ofHours(6)));

    assertThat(fine.truth()).isEqualTo(coarse.truth());
  }

  @Test
  void aDifferentSeedGivesDifferentScrap() {
    Fieldlab a = fieldlab(1);
    Fieldlab b = fieldlab(2);
    a.advanceTo(START.plus(Duration.ofHours(3)));
    b.advanceTo(START.plus(Duration.ofHours(3)));
    assertThat(a.truth().machines()).isNotEqualTo(b.truth().machines());
  }

  @Test
  void anOrderEndsWhenItsPlannedGoodQuantityIsReached() {
    Fieldlab lab = fieldlab(7);
    lab.advanceTo(START.plus(Duration.ofHours(1)));
    GroundTruth.OrderTruth o = lab.truth().order("ORD-1001").orElseThrow();
    assertThat(o.state()).isEqualTo("Ended");
    assertThat(o.good()).isEqualTo(40);
    assertThat(o.end()).isPresent();
    assertThat(lab.truth().order("ORD-1002").orElseThrow().state()).isEqualTo("Running");
  }

  @Test
  void goodAndScrapOfAllOrdersAddUpToTheMachineTotals() {
    Fieldlab lab = fieldlab(11);
    lab.advanceTo(START.plus(Duration.ofHours(8)));
    GroundTruth truth = lab.truth();
    for (GroundTruth.MachineTruth m : truth.machines()) {
      long good =
          truth.orders().stream()
              .filter(o -> o.machineId().equals(m.machineId()))
              .mapToLong(GroundTruth.OrderTruth::good)
              .sum();
      long scrap =
          truth.orders().stream()
              .filter(o -> o.machineId().equals(m.machineId()))
              .mapToLong(GroundTruth.OrderTruth::scrap)
              .sum();
      assertThat(good).as(m.machineId() + " good").isEqualTo(m.good());
      assertThat(scrap).as(m.machineId() + " scrap").isEqualTo(m.scrap());
      assertThat(good + scrap).isEqualTo(m.cycles() * m.partsPerCycle());
    }
  }

  @Test
  void timeAccountingCoversTheWholeRun() {
    Fieldlab lab = fieldlab(3);
    Duration run = Duration.ofHours(5);
    lab.advanceTo(START.plus(run));
    for (GroundTruth.MachineTruth m : lab.truth().machines()) {
      Duration total =
          m.runTime()
              .plus(m.microStopTime())
              .plus(m.downTime())
              .plus(m.setupTime())
              .plus(m.idleTime());
      assertThat(total.toMillis())
          .as(m.machineId())
          .isBetween(run.toMillis() - 1, run.toMillis() + 1);
    }
  }

  @Test
  void longRunRatesMatchTheScenarioWithinStatisticalTolerance() {
    String yaml =
        """
        machines:
          - {id: pack1, type: packaging-line, idealCycleTime: 1s, performance: 0.9,
             scrapRate: 0.01, mtbf: 2h, mttr: 10m}
        orders:
          - {id: BIG, machine: pack1, customer: ACME, article: box, quantity: 1000000, due: 30d}
        """;
    Fieldlab lab = new Fieldlab(Scenario.parse(yaml, "test"), 5, START, FieldlabListener.NONE);
    lab.advanceTo(START.plus(Duration.ofDays(10)));
    GroundTruth.MachineTruth m = lab.truth().machine("pack1").orElseThrow();
    double quality = (double) m.good() / (m.good() + m.scrap());
    double availability =
        (double) m.runTime().toMillis() / (m.runTime().toMillis() + m.downTime().toMillis());
    double performance = m.cycles() * 1000.0 / m.runTime().toMillis();
    assertThat(quality).isCloseTo(0.99, org.assertj.core.data.Offset.offset(0.002));
    assertThat(availability).isCloseTo(120.0 / 130.0, org.assertj.core.data.Offset.offset(0.02));
    assertThat(performance).isCloseTo(0.9, org.assertj.core.data.Offset.offset(0.002));
  }

  @Test
  void commandsAreValidatedAndRejectedCommandsChangeNothing() {
    Fieldlab lab = fieldlab(1);
    lab.advanceTo(START.plusSeconds(60));
    GroundTruth before = lab.truth();
    assertThat(lab.startOrder("cnc1", "NOPE").status()).isEqualTo(Outcome.Status.NOT_FOUND);
    assertThat(lab.startOrder("cnc1", "ORD-2001").status()).isEqualTo(Outcome.Status.NOT_FOUND);
    assertThat(lab.holdOrder("cnc1", "ORD-1002").status()).isEqualTo(Outcome.Status.INVALID_STATE);
    assertThat(lab.setPlannedQuantity("cnc1", "ORD-1001", 0).status())
        .isEqualTo(Outcome.Status.INVALID_ARGUMENT);
    assertThat(lab.storeOrder("cnc1", "ORD-1001", "ACME", "x", 5, START).status())
        .isEqualTo(Outcome.Status.ALREADY_EXISTS);
    assertThat(lab.storeOrder("cnc1", "bad id", "ACME", "x", 5, START).status())
        .isEqualTo(Outcome.Status.INVALID_ARGUMENT);
    assertThat(lab.truth()).isEqualTo(before);
  }

  @Test
  void holdStopsProductionAndStartResumesIt() {
    List<String> changes = new ArrayList<>();
    FieldlabListener recorder =
        new FieldlabListener() {
          @Override
          public void signalAdded(SignalDef def, Object value, long t) {}

          @Override
          public void signalChanged(SignalDef def, Object value, long t) {
            if (def.path().equals("State/MachineryItemState")) {
              changes.add(def.machineId() + "=" + value);
            }
          }

          @Override
          public void faultDue(Scenario.FaultSpec fault) {}
        };
    Fieldlab lab = new Fieldlab(Scenario.defaultScenario(), 1, START, recorder);
    lab.advanceTo(START.plus(Duration.ofMinutes(30)));
    assertThat(lab.machine("cnc1").orElseThrow().itemState())
        .isEqualTo(Machine.ItemState.EXECUTING);

    assertThat(lab.holdOrder("cnc1", "ORD-1001").ok()).isTrue();
    GroundTruth held = lab.truth();
    assertThat(held.order("ORD-1001").orElseThrow().state()).isEqualTo("Interrupted");
    // The machine moves on to the next released order.
    assertThat(held.order("ORD-1002").orElseThrow().state()).isEqualTo("Running");

    assertThat(lab.startOrder("cnc1", "ORD-1001").ok()).isTrue();
    assertThat(lab.truth().order("ORD-1001").orElseThrow().state()).isEqualTo("AllowedToStart");
    assertThat(changes).contains("cnc1=Executing");
  }

  @Test
  void theStandardViewsChangeInTheSameStepAndToTheSameValueAsTheSignalsTheyMirror() {
    Map<String, String> mirrors =
        Map.of(
            "MachineryBuildingBlocks/MachineryItemState/CurrentState", "State/MachineryItemState",
            "MachineryBuildingBlocks/MachineryOperationMode/CurrentState", "State/OperationMode",
            "PackML/BaseStateMachine/CurrentState", "State/PackMLState",
            "PackML/Status/CurMachSpeed", "Monitoring/Speed",
            "PackML/Status/EquipmentBlocked", "Monitoring/Blocked",
            "PackML/Status/EquipmentStarved", "Monitoring/Starved");
    Map<String, List<String>> original = new HashMap<>();
    Map<String, List<String>> view = new HashMap<>();
    FieldlabListener recorder =
        new FieldlabListener() {
          @Override
          public void signalAdded(SignalDef def, Object value, long t) {
            signalChanged(def, value, t);
          }

          @Override
          public void signalChanged(SignalDef def, Object value, long t) {
            String mirrored = mirrors.get(def.path());
            if (mirrored != null) {
              view.computeIfAbsent(def.machineId() + "/" + mirrored, k -> new ArrayList<>())
                  .add(change(value, t));
            } else if (mirrors.containsValue(def.path())) {
              original.computeIfAbsent(def.key(), k -> new ArrayList<>()).add(change(value, t));
            }
          }

          @Override
          public void faultDue(Scenario.FaultSpec fault) {}
        };
    Fieldlab lab = new Fieldlab(Scenario.defaultScenario(), 3, START, recorder);
    for (int s = 10; s <= 8 * 3600; s += 10) {
      lab.advanceTo(START.plusSeconds(s));
    }
    lab.injectBreakdown("pack1", Duration.ofMinutes(5));
    lab.advanceTo(START.plus(Duration.ofHours(9)));

    assertThat(view).isEqualTo(original).hasSize(10);
    assertThat(view.get("pack1/State/PackMLState"))
        .anyMatch(c -> c.startsWith("Suspended@"))
        .anyMatch(c -> c.startsWith("Aborted@"));
  }

  /** A value and its time; numbers as Float, since the PackML view publishes Float. */
  private static String change(Object value, long t) {
    Object v = value instanceof Double d ? Float.valueOf(d.floatValue()) : value;
    return v + "@" + t;
  }

  @Test
  void aStoppedMachineDrawsNoSpindlePower() {
    Fieldlab lab = fieldlab(1);
    lab.advanceTo(START.plus(Duration.ofMinutes(5)));
    Machine cnc = lab.machine("cnc1").orElseThrow();
    // 10 minutes changeover first: not executing.
    assertThat(cnc.operationMode()).isEqualTo(Machine.OperationMode.SETUP);
    assertThat(cnc.signalValue("Monitoring/SpindlePower")).isEqualTo(0.0);
    assertThat(cnc.signalValue("Monitoring/SpindleSpeed")).isEqualTo(0.0);
    lab.advanceTo(START.plus(Duration.ofMinutes(12)));
    assertThat(cnc.itemState()).isEqualTo(Machine.ItemState.EXECUTING);
    assertThat((Double) cnc.signalValue("Monitoring/SpindleSpeed")).isGreaterThan(11_000.0);
    assertThat((Double) cnc.signalValue("Monitoring/SpindlePower")).isGreaterThan(3.0);
  }
}
