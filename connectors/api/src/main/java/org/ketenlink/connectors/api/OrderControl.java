package org.ketenlink.connectors.api;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Reading and changing the production orders a machine holds, through the machine's own order model
 * (e.g. its OPC UA order methods). Futures fail with {@link OrderControlException}; they never
 * block the caller's thread.
 */
public interface OrderControl {

  /** Every order the machine holds, in the machine's order. */
  CompletableFuture<List<OrderFacts>> all();

  /** The order's facts, or empty if this machine has no order with that id. */
  CompletableFuture<Optional<OrderFacts>> order(String orderId);

  /** Applies {@code change} to the order; completes when the machine accepted it. */
  CompletableFuture<Void> change(String orderId, OrderChange change);
}
