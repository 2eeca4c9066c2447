package org.ketenlink.gateway.production;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.ketenlink.gateway.production.MachineProduction.Period;
import org.ketenlink.gateway.production.MachineProduction.StateChange;
import org.ketenlink.gateway.production.StateModel.Category;

class MachineProductionTest {
  static final Instant T0 = Instant.parse("2026-11-23T06:00:00Z");

  static MachineProduction machine(Optional<MachineProduction.Shifts> shifts) {
    return new MachineProduction(
        new MachineProduction.Settings(
            StateModel.MACHINERY, Duration.ofSeconds(30), 1, Duration.ofHours(1), shifts),
        OptionalLong.empty(),
        OptionalLong.empty());
  }

  static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  static List<Period> periods(List<Object> out) {
    return out.stream().filter(Period.class::isInstance).map(Period.class::cast).toList();
  }

  @Test
  void anHourWithASetUpABreakdownAndScrapGivesItsOee() {
    MachineProduction m = machine(Optional.empty());
    m.good(1000, true, at(0));
    m.scrap(50, true, at(0));
    m.state("NotExecuting", true, at(0)); // 10 min set-up (planned)
    m.state(3, true, at(10)); // 40 min running
    List<Object> out = m.state("OutOfService", true, at(50)); // 10 min breakdown
    StateChange change = (StateChange) out.get(0);
    assertThat(change.state().category()).isEqualTo(Category.UNPLANNED_STOP);
    assertThat(change.ended().orElseThrow().state().name()).isEqualTo("Executing");
    assertThat(change.ended().orElseThrow().duration()).isEqualTo(Duration.ofMinutes(40));
    m.good(1072, true, at(50)); // 72 good
    m.scrap(58, true, at(50)); // 8 scrap: 80 parts in 40 min at an ideal 30 s = 40 min ideal
    List<Period> done = periods(m.tick(at(60)));
    assertThat(done).hasSize(1);
    Period p = done.get(0);
    assertThat(p.partial()).isTrue();
    assertThat(p.good()).isEqualTo(72);
    assertThat(p.scrap()).isEqualTo(8);
    assertThat(p.time().get(Category.RUNNING)).isEqualTo(Duration.ofMinutes(40));
    assertThat(p.time().get(Category.PLANNED_STOP)).isEqualTo(Duration.ofMinutes(10));
    assertThat(p.time().get(Category.UNPLANNED_STOP)).isEqualTo(Duration.ofMinutes(10));
    assertThat(p.availability().getAsDouble()).isCloseTo(0.8, within(1e-9));
    assertThat(p.performance().getAsDouble()).isCloseTo(1.0, within(1e-9));
    assertThat(p.quality().getAsDouble()).isCloseTo(0.9, within(1e-9));
    assertThat(p.oee().getAsDouble()).isCloseTo(0.72, within(1e-9));
    assertThat(p.averageCycle()).contains(Duration.ofSeconds(30));
    assertThat(m.baselines()[0]).hasValue(1072);
  }

  @Test
  void aCounterResetAndABadValueNeitherLoseNorDoublePartsAndPeriodsFollowEachOther() {
    MachineProduction m = machine(Optional.empty());
    m.state(3, true, at(0));
    m.good(10, true, at(0));
    m.good(20, true, at(30));
    m.good(0, false, at(35)); // Bad
    m.good(2, true, at(40)); // reset, then 2
    List<Period> first = periods(m.good(7, true, at(70)));
    assertThat(first).hasSize(1);
    assertThat(first.get(0).good()).isEqualTo(12);
    List<Period> second = periods(m.tick(at(181)));
    assertThat(second).extracting(p -> p.window().start()).containsExactly(at(60), at(120));
    assertThat(second.get(0).good()).isEqualTo(5);
    assertThat(second.get(0).partial()).isFalse();
    assertThat(second.get(1).good()).isZero();
    assertThat(second.get(1).time().get(Category.RUNNING)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void shiftsCloseOnTheirOwnBoundaries() {
    MachineProduction m =
        machine(
            Optional.of(
                new MachineProduction.Shifts(
                    ZoneId.of("Europe/Amsterdam"),
                    List.of(LocalTime.of(6, 0), LocalTime.of(14, 0), LocalTime.of(22, 0)),
                    List.of("early", "late", "night"))));
    m.state(3, true, Instant.parse("2026-11-23T12:30:00Z")); // 13:30 in Amsterdam
    List<Period> out = periods(m.tick(Instant.parse("2026-11-23T13:30:00Z")));
    assertThat(out)
        .filteredOn(p -> p.window().kind().equals("shift"))
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.window().name()).isEqualTo("early");
              assertThat(p.window().end()).isEqualTo(Instant.parse("2026-11-23T13:00:00Z"));
              assertThat(p.time().get(Category.RUNNING)).isEqualTo(Duration.ofMinutes(30));
            });
  }

  @Test
  void anOrdersOeeCoversTheStretchesItWasActive() {
    MachineProduction m = machine(Optional.empty());
    m.state("NotExecuting", true, at(0));
    m.good(0, true, at(0));
    m.activeOrder("O-1", at(0)); // 10 min set-up for O-1
    m.state(3, true, at(10)); // 30 min running
    m.good(50, true, at(40));
    m.activeOrder("O-2", at(40)); // O-2 runs 20 min
    m.good(90, true, at(60));
    m.activeOrder("O-1", at(60)); // O-1 again: 10 min down, 10 min running
    m.state(1, true, at(60));
    m.state(3, true, at(70));
    m.good(110, true, at(80));
    Period o1 = m.finishOrder("O-1", OptionalLong.of(70), OptionalLong.of(5), at(80)).orElseThrow();
    assertThat(o1.window().kind()).isEqualTo("order");
    assertThat(o1.window().start()).isEqualTo(at(0));
    assertThat(o1.window().end()).isEqualTo(at(80));
    assertThat(o1.time().get(Category.RUNNING)).isEqualTo(Duration.ofMinutes(40));
    assertThat(o1.time().get(Category.PLANNED_STOP)).isEqualTo(Duration.ofMinutes(10));
    assertThat(o1.time().get(Category.UNPLANNED_STOP)).isEqualTo(Duration.ofMinutes(10));
    assertThat(o1.good()).as("the machine's own count for the order").isEqualTo(70);
    assertThat(o1.availability().getAsDouble()).isCloseTo(0.8, within(1e-9));
    // 75 parts at an ideal 30 s = 37.5 min over 40 min running.
    assertThat(o1.performance().getAsDouble()).isCloseTo(37.5 / 40, within(1e-9));
    Period o2 =
        m.finishOrder("O-2", OptionalLong.empty(), OptionalLong.empty(), at(90)).orElseThrow();
    assertThat(o2.good()).as("counter increments while O-2 was active").isEqualTo(40);
    assertThat(o2.time().get(Category.RUNNING)).isEqualTo(Duration.ofMinutes(20));
    assertThat(m.finishOrder("O-2", OptionalLong.empty(), OptionalLong.empty(), at(90))).isEmpty();
  }

  @Test
  void packMlStatesAndUnknownValues() {
    assertThat(StateModel.PACKML.read(6).category()).isEqualTo(Category.RUNNING);
    assertThat(StateModel.PACKML.read("Suspended").category()).isEqualTo(Category.RUNNING);
    assertThat(StateModel.PACKML.read("9").name()).isEqualTo("Aborted");
    assertThat(StateModel.PACKML.read(9).category()).isEqualTo(Category.UNPLANNED_STOP);
    assertThat(StateModel.PACKML.read("idle").category()).isEqualTo(Category.PLANNED_STOP);
    assertThat(StateModel.MACHINERY.read(7).category()).isEqualTo(Category.UNKNOWN);
    assertThat(StateModel.MACHINERY.read(2.5).category()).isEqualTo(Category.UNKNOWN);
    assertThat(StateModel.MACHINERY.read("executing").name()).isEqualTo("Executing");
  }
}
