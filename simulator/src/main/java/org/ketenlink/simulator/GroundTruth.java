package org.ketenlink.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What really happened in the simulated plant, independent of what the OPC UA variables show
 * (faults can freeze, falsify or reset those). Tests compare what a client derived with this.
 *
 * @param simulatedTime the simulated time the snapshot was taken at
 */
public record GroundTruth(
    Instant simulatedTime, List<MachineTruth> machines, List<OrderTruth> orders) {

  public GroundTruth {
    machines = List.copyOf(machines);
    orders = List.copyOf(orders);
  }

  /**
   * One machine's totals since the run started.
   *
   * @param good good parts produced
   * @param scrap scrap parts produced
   * @param cycles machine cycles completed
   * @param runTime time spent executing cycles
   * @param microStopTime time spent blocked or starved while executing (performance loss)
   * @param downTime time out of service (unplanned breakdowns)
   * @param setupTime planned changeover and tool-change time
   * @param idleTime time with no order to work on
   * @param breakdowns number of breakdowns
   * @param idealCycleTime the machine's design cycle time
   * @param partsPerCycle parts per cycle
   */
  public record MachineTruth(
      String machineId,
      long good,
      long scrap,
      long cycles,
      Duration runTime,
      Duration microStopTime,
      Duration downTime,
      Duration setupTime,
      Duration idleTime,
      int breakdowns,
      String itemState,
      Duration idealCycleTime,
      int partsPerCycle) {}

  /** One order as it really stands. */
  public record OrderTruth(
      String orderId,
      String machineId,
      String customer,
      String article,
      String state,
      long planned,
      long good,
      long scrap,
      Optional<Instant> start,
      Optional<Instant> end,
      Instant due) {}

  /** Finds an order by id. */
  public Optional<OrderTruth> order(String orderId) {
    return orders.stream().filter(o -> o.orderId().equals(orderId)).findFirst();
  }

  /** Finds a machine by id. */
  public Optional<MachineTruth> machine(String machineId) {
    return machines.stream().filter(m -> m.machineId().equals(machineId)).findFirst();
  }
}
