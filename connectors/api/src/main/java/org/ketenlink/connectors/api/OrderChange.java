package org.ketenlink.connectors.api;

import java.time.Instant;

/** A change to a production order that a machine applies through its order methods. */
public sealed interface OrderChange {

  /** Sets the planned quantity (good parts ordered). */
  record PlannedQuantity(long quantity) implements OrderChange {}

  /** Sets the due date. */
  record DueDate(Instant due) implements OrderChange {}

  /** Interrupts the order; it can be resumed on the machine. */
  record Hold() implements OrderChange {}

  /** Aborts the order for good. */
  record Abort() implements OrderChange {}
}
