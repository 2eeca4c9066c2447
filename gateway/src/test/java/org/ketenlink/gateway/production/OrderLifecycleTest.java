package org.ketenlink.gateway.production;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.gateway.production.OrderLifecycle.Event;
import org.ketenlink.gateway.production.OrderLifecycle.OrderEvent;

class OrderLifecycleTest {
  static final Instant T0 = Instant.parse("2026-11-21T06:00:00Z");
  static final Instant DUE = T0.plus(Duration.ofHours(10));

  final OrderLifecycle lifecycle =
      new OrderLifecycle(new OrderLifecycle.Progress(10, Duration.ofMinutes(5)));

  static OrderFacts order(String state, long planned, long good, long scrap, Instant start) {
    return new OrderFacts(
        "O-1",
        "ACME",
        "flange",
        planned,
        good,
        scrap,
        state,
        Optional.ofNullable(start),
        state.equals("Ended") ? Optional.of(T0.plus(Duration.ofHours(3))) : Optional.empty(),
        Optional.of(DUE));
  }

  private List<Event> update(Instant at, OrderFacts... orders) {
    return lifecycle.update(List.of(orders), at).stream().map(OrderEvent::event).toList();
  }

  @Test
  void aNormalLifeFromCreationToCompletion() {
    assertThat(update(T0, order("NotAllowedToStart", 100, 0, 0, null)))
        .as("known before the first snapshot: its status")
        .containsExactly(Event.STATUS);
    assertThat(update(T0)).isEmpty();
    assertThat(update(T0, order("NotAllowedToStart", 100, 0, 0, null)))
        .as("seen again after it was gone: new")
        .containsExactly(Event.CREATED);
    assertThat(update(T0, order("AllowedToStart", 100, 0, 0, null)))
        .containsExactly(Event.RELEASED);
    Instant start = T0.plusSeconds(60);
    assertThat(update(start, order("Running", 100, 0, 0, start))).containsExactly(Event.STARTED);
    assertThat(update(start.plusSeconds(60), order("Running", 100, 9, 1, start))).isEmpty();
    assertThat(update(start.plusSeconds(120), order("Running", 100, 10, 1, start)))
        .containsExactly(Event.PROGRESS);
    assertThat(update(start.plusSeconds(180), order("Running", 100, 11, 1, start)))
        .as("one part, one minute: neither threshold")
        .isEmpty();
    assertThat(update(start.plusSeconds(421), order("Running", 100, 12, 1, start)))
        .as("five minutes since the last report")
        .containsExactly(Event.PROGRESS);
    assertThat(update(start.plusSeconds(500), order("Interrupted", 100, 12, 1, start)))
        .containsExactly(Event.HELD);
    assertThat(update(start.plusSeconds(600), order("Running", 100, 12, 1, start)))
        .containsExactly(Event.RESUMED);
    assertThat(update(start.plusSeconds(700), order("Running", 150, 13, 1, start)))
        .containsExactly(Event.CHANGED);
    assertThat(update(start.plusSeconds(9000), order("Ended", 150, 150, 9, start)))
        .containsExactly(Event.COMPLETED);
    assertThat(update(start.plusSeconds(9100), order("Ended", 150, 150, 9, start))).isEmpty();
  }

  @Test
  void skippedStatesStillStartBeforeTheyEndAndAnOrderCreatedMeanwhileIsCreated() {
    update(T0);
    assertThat(update(T0, order("Ended", 10, 10, 0, T0)))
        .containsExactly(Event.CREATED, Event.STARTED, Event.COMPLETED);
    OrderLifecycle other =
        new OrderLifecycle(new OrderLifecycle.Progress(10, Duration.ofMinutes(5)));
    other.update(List.of(order("NotAllowedToStart", 10, 0, 0, null)), T0);
    assertThat(other.update(List.of(order("Interrupted", 10, 3, 0, T0)), T0))
        .extracting(OrderEvent::event)
        .containsExactly(Event.STARTED, Event.HELD);
  }

  @Test
  void countsNeverGoBackAndAnUnreadableCountKeepsTheLastOne() {
    update(T0, order("Running", 100, 40, 2, T0));
    List<OrderEvent> e =
        lifecycle.update(List.of(order("Running", -1, -1, -1, T0)), T0.plusSeconds(600));
    assertThat(e).isEmpty();
    assertThat(lifecycle.reported().get("O-1").good()).isEqualTo(40);
    assertThat(lifecycle.reported().get("O-1").planned()).isEqualTo(100);
    lifecycle.update(List.of(order("Running", 100, 0, 0, T0)), T0.plusSeconds(700));
    assertThat(lifecycle.reported().get("O-1").good())
        .as("a reset to 0 is not believed")
        .isEqualTo(40);
    List<OrderEvent> more =
        lifecycle.update(List.of(order("Running", 100, 50, 3, T0)), T0.plusSeconds(800));
    assertThat(more).extracting(OrderEvent::event).containsExactly(Event.PROGRESS);
    assertThat(more.get(0).order().good()).isEqualTo(50);
  }

  @Test
  void afterARestartOnlyWhatHappenedMeanwhileIsReported() {
    update(T0, order("Running", 100, 40, 2, T0));
    var kept = lifecycle.reported();
    OrderLifecycle restarted =
        new OrderLifecycle(new OrderLifecycle.Progress(10, Duration.ofMinutes(5)));
    restarted.restore(kept);
    assertThat(restarted.update(List.of(order("Running", 100, 45, 2, T0)), T0.plusSeconds(60)))
        .as("no second 'started'")
        .isEmpty();
    assertThat(restarted.update(List.of(order("Ended", 100, 100, 4, T0)), T0.plusSeconds(90)))
        .extracting(OrderEvent::event)
        .containsExactly(Event.COMPLETED);
  }

  @Test
  void theProjectionComesFromTheRateSoFarAndFlagsALateOrder() {
    update(T0);
    Instant now = T0.plus(Duration.ofHours(2));
    // 20 good parts in 2 h: 10 an hour; 90 more take 9 h -> 1 h after the due date.
    OrderEvent e = lifecycle.update(List.of(order("Running", 110, 20, 1, T0)), now).get(0);
    assertThat(e.goodPerHour())
        .hasValueSatisfying(
            r -> assertThat(r).isCloseTo(10.0, org.assertj.core.data.Offset.offset(1e-9)));
    assertThat(e.projectedEnd()).contains(now.plus(Duration.ofHours(9)));
    assertThat(e.atRisk()).isTrue();
    OrderEvent fast = lifecycle.update(List.of(order("Running", 110, 90, 1, T0)), now).get(0);
    // 90 in 2 h: 45 an hour; 20 more take 26 min 40 s.
    assertThat(fast.projectedEnd()).contains(now.plus(Duration.ofMinutes(26)).plusSeconds(40));
    assertThat(fast.atRisk()).isFalse();
  }
}
