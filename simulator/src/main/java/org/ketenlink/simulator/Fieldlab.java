package org.ketenlink.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.ketenlink.simulator.Scenario.FaultSpec;
import org.ketenlink.simulator.Scenario.MachineSpec;
import org.ketenlink.simulator.Scenario.OrderSpec;

/**
 * The simulated plant: the scenario's machines advanced together in simulated time, the fault
 * timeline, and the order commands. Pure model: no threads, no clock reads, no OPC UA.
 *
 * <p>Not thread-safe: one thread (the simulation thread) owns it.
 */
final class Fieldlab {

  static final int MAX_ARTICLE_LENGTH = 128;
  static final long MAX_QUANTITY = 1_000_000;

  private final Scenario scenario;
  private final Instant start;
  private final FieldlabListener listener;
  private final List<Machine> machines = new ArrayList<>();
  private int nextFault;
  private Instant now;

  Fieldlab(Scenario scenario, long seed, Instant start, FieldlabListener listener) {
    this.scenario = scenario;
    this.start = start;
    this.now = start;
    this.listener = listener;
    for (MachineSpec spec : scenario.machines()) {
      Machine m =
          switch (spec.type()) {
            case CNC_MILL -> new CncMill(spec, seed, start, listener);
            case INJECTION_MOULDING -> new InjectionMoulder(spec, seed, start, listener);
            case PACKAGING_LINE -> new PackagingLine(spec, seed, start, listener);
          };
      m.defineSignals();
      machines.add(m);
    }
    for (OrderSpec o : scenario.orders()) {
      Outcome stored =
          storeOrder(
              o.machine(), o.id(), o.customer(), o.article(), o.quantity(), start.plus(o.due()));
      if (!stored.ok()) {
        throw new IllegalArgumentException("scenario order " + o.id() + ": " + stored.message());
      }
      if (o.released()) {
        startOrder(o.machine(), o.id());
      }
    }
  }

  /** Plays everything up to {@code target}: machine events and due timeline faults, in order. */
  void advanceTo(Instant target) {
    List<FaultSpec> faults = scenario.faults();
    while (nextFault < faults.size()) {
      FaultSpec f = faults.get(nextFault);
      Instant due = start.plus(f.at());
      if (due.isAfter(target)) {
        break;
      }
      advanceMachines(due);
      nextFault++;
      apply(f);
    }
    advanceMachines(target);
  }

  private void advanceMachines(Instant t) {
    if (t.isBefore(now)) {
      return;
    }
    for (Machine m : machines) {
      m.advanceTo(t);
    }
    now = t;
  }

  private void apply(FaultSpec f) {
    switch (f.type()) {
      case BREAKDOWN ->
          machine(f.machine().orElseThrow()).ifPresent(m -> m.injectBreakdown(f.duration()));
      case COUNTER_RESET -> machine(f.machine().orElseThrow()).ifPresent(Machine::resetCounters);
      default -> listener.faultDue(f);
    }
  }

  Instant now() {
    return now;
  }

  Instant start() {
    return start;
  }

  Scenario scenario() {
    return scenario;
  }

  List<Machine> machines() {
    return machines;
  }

  Optional<Machine> machine(String id) {
    return machines.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  private Optional<Order> anyOrder(String orderId) {
    for (Machine m : machines) {
      Optional<Order> o = m.order(orderId);
      if (o.isPresent()) {
        return o;
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------------------------------------
  // Commands: validated here, applied by the machine. The caller has advanced to "now".

  Outcome storeOrder(
      String machineId,
      String orderId,
      String customer,
      String article,
      long quantity,
      Instant due) {
    Optional<Machine> m = machine(machineId);
    if (m.isEmpty()) {
      return Outcome.notFound("no machine '" + machineId + "'");
    }
    if (orderId == null || !Scenario.ID.matcher(orderId).matches()) {
      return Outcome.invalidArgument(
          "OrderId must be 1-64 letters, digits, '.', '_' or '-', got '" + orderId + "'");
    }
    if (customer == null || !Scenario.ID.matcher(customer).matches()) {
      return Outcome.invalidArgument(
          "CustomerId must be 1-64 letters, digits, '.', '_' or '-', got '" + customer + "'");
    }
    if (article == null || article.isBlank() || article.length() > MAX_ARTICLE_LENGTH) {
      return Outcome.invalidArgument("Article must be 1-" + MAX_ARTICLE_LENGTH + " characters");
    }
    if (quantity < 1 || quantity > MAX_QUANTITY) {
      return Outcome.invalidArgument(
          "PlannedQuantity must be 1-" + MAX_QUANTITY + ", got " + quantity);
    }
    if (due == null) {
      return Outcome.invalidArgument("DueDate must be set");
    }
    if (anyOrder(orderId).isPresent()) {
      return Outcome.alreadyExists("order " + orderId + " already exists");
    }
    m.get().storeOrder(orderId, customer, article, quantity, due);
    return Outcome.OK;
  }

  Outcome startOrder(String machineId, String orderId) {
    return withOrder(machineId, orderId, (m, o) -> m.startOrder(o));
  }

  Outcome holdOrder(String machineId, String orderId) {
    return withOrder(machineId, orderId, (m, o) -> m.holdOrder(o));
  }

  /** Resumes an Interrupted order only (OPC 40001-3 Resume); {@link #startOrder} also releases. */
  Outcome resumeOrder(String machineId, String orderId) {
    return withOrder(
        machineId,
        orderId,
        (m, o) ->
            o.state == Order.State.INTERRUPTED
                ? m.startOrder(o)
                : Outcome.invalidState(
                    "order "
                        + o.id
                        + " is "
                        + o.state.label
                        + "; only an Interrupted order resumes"));
  }

  /**
   * Changes the planned quantity and/or due date of an order that has not started (OPC 40001-3
   * Update); an empty value keeps the current one. Both or neither are applied.
   */
  Outcome updateOrder(
      String machineId, String orderId, OptionalLong quantity, Optional<Instant> due) {
    if (quantity.isPresent() && (quantity.getAsLong() < 1 || quantity.getAsLong() > MAX_QUANTITY)) {
      return Outcome.invalidArgument(
          "PlannedQuantity must be 1-" + MAX_QUANTITY + ", got " + quantity.getAsLong());
    }
    return withOrder(
        machineId,
        orderId,
        (m, o) -> {
          // A resumed order is AllowedToStart again but has started: not updatable either.
          boolean prepared =
              o.state == Order.State.NOT_ALLOWED_TO_START
                  || o.state == Order.State.ALLOWED_TO_START;
          if (!prepared || !o.start.equals(SignalTable.NO_TIME)) {
            return Outcome.invalidState(
                "order "
                    + o.id
                    + " is "
                    + o.state.label
                    + "; only an order not yet started"
                    + " can be updated");
          }
          Outcome planned = m.setPlannedQuantity(o, quantity.orElse(o.planned));
          return planned.ok() ? m.setDueDate(o, due.orElse(o.due)) : planned;
        });
  }

  Outcome abortOrder(String machineId, String orderId) {
    return withOrder(machineId, orderId, (m, o) -> m.abortOrder(o));
  }

  Outcome setPlannedQuantity(String machineId, String orderId, long quantity) {
    if (quantity < 1 || quantity > MAX_QUANTITY) {
      return Outcome.invalidArgument(
          "PlannedQuantity must be 1-" + MAX_QUANTITY + ", got " + quantity);
    }
    return withOrder(machineId, orderId, (m, o) -> m.setPlannedQuantity(o, quantity));
  }

  Outcome setDueDate(String machineId, String orderId, Instant due) {
    if (due == null) {
      return Outcome.invalidArgument("DueDate must be set");
    }
    return withOrder(machineId, orderId, (m, o) -> m.setDueDate(o, due));
  }

  Outcome injectBreakdown(String machineId, Duration repair) {
    Optional<Machine> m = machine(machineId);
    if (m.isEmpty()) {
      return Outcome.notFound("no machine '" + machineId + "'");
    }
    if (repair.isNegative() || repair.isZero()) {
      return Outcome.invalidArgument("repair duration must be positive");
    }
    m.get().injectBreakdown(repair);
    return Outcome.OK;
  }

  Outcome resetCounters(String machineId) {
    Optional<Machine> m = machine(machineId);
    if (m.isEmpty()) {
      return Outcome.notFound("no machine '" + machineId + "'");
    }
    m.get().resetCounters();
    return Outcome.OK;
  }

  private interface OrderCommand {
    Outcome apply(Machine m, Order o);
  }

  private Outcome withOrder(String machineId, String orderId, OrderCommand command) {
    Optional<Machine> m = machine(machineId);
    if (m.isEmpty()) {
      return Outcome.notFound("no machine '" + machineId + "'");
    }
    Optional<Order> o = m.get().order(orderId);
    if (o.isEmpty()) {
      return Outcome.notFound("no order '" + orderId + "' on machine " + machineId);
    }
    return command.apply(m.get(), o.get());
  }

  GroundTruth truth() {
    return new GroundTruth(
        now,
        machines.stream().map(Machine::truth).toList(),
        machines.stream().flatMap(m -> m.orders().stream()).map(Order::truth).toList());
  }
}
