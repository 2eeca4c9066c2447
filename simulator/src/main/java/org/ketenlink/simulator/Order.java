package org.ketenlink.simulator;

import java.time.Instant;

/** A production order on one machine's queue; mutated only on the simulation thread. */
final class Order {

  /** Job order states after OPC 40001-3, with "Interrupted" for a held order. */
  enum State {
    NOT_ALLOWED_TO_START(0, "NotAllowedToStart"),
    ALLOWED_TO_START(1, "AllowedToStart"),
    RUNNING(2, "Running"),
    INTERRUPTED(3, "Interrupted"),
    ENDED(4, "Ended"),
    ABORTED(5, "Aborted");

    final int number;
    final String label;

    State(int number, String label) {
      this.number = number;
      this.label = label;
    }

    boolean terminal() {
      return this == ENDED || this == ABORTED;
    }
  }

  final String id;
  final String machineId;
  final String customer;
  final String article;
  long planned;
  long good;
  long scrap;
  State state;
  Instant start = SignalTable.NO_TIME;
  Instant end = SignalTable.NO_TIME;
  Instant due;

  Order(
      String id,
      String machineId,
      String customer,
      String article,
      long planned,
      Instant due,
      State state) {
    this.id = id;
    this.machineId = machineId;
    this.customer = customer;
    this.article = article;
    this.planned = planned;
    this.due = due;
    this.state = state;
  }

  GroundTruth.OrderTruth truth() {
    return new GroundTruth.OrderTruth(
        id,
        machineId,
        customer,
        article,
        state.label,
        planned,
        good,
        scrap,
        start.equals(SignalTable.NO_TIME)
            ? java.util.Optional.empty()
            : java.util.Optional.of(start),
        end.equals(SignalTable.NO_TIME) ? java.util.Optional.empty() : java.util.Optional.of(end),
        due);
  }
}
