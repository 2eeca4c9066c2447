package org.ketenlink.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.ketenlink.simulator.Scenario.MachineSpec;

/**
 * One simulated machine: a discrete-event model of cycles, scrap, breakdowns, set-ups and orders,
 * plus the continuous signals a real machine would show.
 *
 * <p>Determinism: every discrete outcome (cycle length, scrap, breakdown and repair times) is drawn
 * from {@code events} at the simulated instant the event happens, never per tick, so the counts at
 * any simulated time depend only on the seed and the commands received — not on how often the model
 * is advanced. Continuous signals draw their noise from a separate generator.
 *
 * <p>Not thread-safe: owned by the simulation thread.
 */
abstract class Machine {

  /** OPC 40001-1 MachineryItemState. */
  enum ItemState {
    NOT_AVAILABLE(0, "NotAvailable"),
    OUT_OF_SERVICE(1, "OutOfService"),
    NOT_EXECUTING(2, "NotExecuting"),
    EXECUTING(3, "Executing");

    final long number;
    final String label;

    ItemState(long number, String label) {
      this.number = number;
      this.label = label;
    }
  }

  /** OPC 40001-1 MachineryOperationMode. */
  enum OperationMode {
    NONE(0, "None"),
    MAINTENANCE(1, "Maintenance"),
    SETUP(2, "Setup"),
    PROCESSING(3, "Processing");

    final long number;
    final String label;

    OperationMode(long number, String label) {
      this.number = number;
      this.label = label;
    }
  }

  /** An active alarm; {@link #NONE} when there is none. */
  record Alarm(int code, String text, int severity) {
    static final Alarm NONE = new Alarm(0, "", 0);
  }

  /** Why a micro stop happened (packaging lines). */
  enum MicroStop {
    NONE,
    BLOCKED,
    STARVED
  }

  private static final double EPSILON = 1e-6;
  private static final double CYCLE_JITTER = 0.03;

  protected final MachineSpec spec;
  protected final SignalTable signals;
  protected final SplittableRandom events;
  protected final SplittableRandom noise;
  private final Instant epoch;
  private final FieldlabListener listener;

  /** Simulated milliseconds since {@link #epoch}; double so event times stay exact. */
  private double now;

  private final List<Order> orders = new ArrayList<>();
  private Order active;
  private boolean cycleRunning;
  private double cycleElapsed;
  private double cycleDuration;
  private double runToFailure;
  private double repairRemaining;
  private double setupRemaining;
  private double microStopRemaining;
  private MicroStop microStop = MicroStop.NONE;
  private Alarm alarm = Alarm.NONE;

  private long goodTotal;
  private long scrapTotal;
  private long cycles;
  private double runMs;
  private double microStopMs;
  private double downMs;
  private double setupMs;
  private double idleMs;
  private int breakdowns;

  /** The counters a client sees; a counter-reset fault zeroes them, unlike the totals. */
  protected long goodCounter;

  protected long scrapCounter;
  private double lastSignalUpdate;

  Machine(MachineSpec spec, long seed, Instant epoch, FieldlabListener listener) {
    this.spec = spec;
    this.epoch = epoch;
    this.listener = listener;
    this.signals = new SignalTable(spec.id(), listener);
    long base = seed * 0x9E3779B97F4A7C15L + spec.id().hashCode();
    this.events = new SplittableRandom(base);
    this.noise = new SplittableRandom(base ^ 0x5DEECE66DL);
    this.runToFailure = drawTimeToFailure();
  }

  // ---------------------------------------------------------------------------------------------
  // Signals

  /** Defines every signal; called once, after construction. */
  final void defineSignals() {
    String id = spec.id();
    long t = epochMillis();
    signals.define(
        SignalDef.plain(id, "Identification/Manufacturer", SignalType.STRING, "Manufacturer"),
        spec.manufacturer(),
        t);
    signals.define(
        SignalDef.plain(id, "Identification/Model", SignalType.STRING, "Model designation"),
        spec.model(),
        t);
    signals.define(
        SignalDef.plain(id, "Identification/SerialNumber", SignalType.STRING, "Serial number"),
        spec.serialNumber(),
        t);
    signals.define(
        SignalDef.plain(
            id, "Identification/YearOfConstruction", SignalType.UINT16, "Year of construction"),
        spec.year(),
        t);
    signals.define(
        SignalDef.plain(
            id, "State/MachineryItemState", SignalType.STRING, "OPC 40001-1 MachineryItemState"),
        ItemState.NOT_EXECUTING.label,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "State/MachineryItemStateNumber",
            SignalType.UINT32,
            "MachineryItemState number: 0 NotAvailable, 1 OutOfService, 2 NotExecuting,"
                + " 3 Executing"),
        ItemState.NOT_EXECUTING.number,
        t);
    signals.define(
        SignalDef.plain(
            id, "State/OperationMode", SignalType.STRING, "OPC 40001-1 MachineryOperationMode"),
        OperationMode.PROCESSING.label,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "State/OperationModeNumber",
            SignalType.UINT32,
            "MachineryOperationMode number: 0 None, 1 Maintenance, 2 Setup, 3 Processing"),
        OperationMode.PROCESSING.number,
        t);
    signals.define(
        SignalDef.standard(
            id,
            "machinery:MachineryBuildingBlocks/machinery:MachineryItemState/ua:CurrentState",
            SignalType.LOCALIZED_TEXT,
            "OPC 40001-1 MachineryItemState; the same as State/MachineryItemState"),
        ItemState.NOT_EXECUTING.label,
        t);
    signals.define(
        SignalDef.standard(
            id,
            "machinery:MachineryBuildingBlocks/machinery:MachineryOperationMode/ua:CurrentState",
            SignalType.LOCALIZED_TEXT,
            "OPC 40001-1 MachineryOperationMode; the same as State/OperationMode"),
        OperationMode.PROCESSING.label,
        t);
    signals.define(
        SignalDef.plain(
            id, "Alarms/AlarmActive", SignalType.BOOLEAN, "True while an alarm is active"),
        false,
        t);
    signals.define(
        SignalDef.plain(
            id, "Alarms/ActiveAlarmCode", SignalType.INT32, "Active alarm code, 0 none"),
        0,
        t);
    signals.define(
        SignalDef.plain(id, "Alarms/ActiveAlarmText", SignalType.STRING, "Active alarm text"),
        "",
        t);
    signals.define(
        SignalDef.plain(
            id,
            "Alarms/ActiveAlarmSeverity",
            SignalType.UINT16,
            "Active alarm severity, 1-1000 (OPC UA event severity), 0 none"),
        0,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "Production/GoodCount",
            SignalType.UINT32,
            "Good parts since the last counter reset"),
        0L,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "Production/ScrapCount",
            SignalType.UINT32,
            "Scrap parts since the last counter reset"),
        0L,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "Orders/ActiveOrderId",
            SignalType.STRING,
            "The order being produced, empty if none"),
        "",
        t);
    defineMonitoring(t);
  }

  /** Defines the machine type's own signals. */
  protected abstract void defineMonitoring(long simMillis);

  /** Updates the machine type's own signals for the current state. */
  protected abstract void updateMonitoring(double dtMillis, long simMillis);

  /** Hook: a cycle completed. Returns a set-up duration to insert (tool change), or zero. */
  protected Duration onCycleCompleted(double cycleMillis) {
    return Duration.ZERO;
  }

  /** Hook: the counter-reset fault zeroes the type's own counters. */
  protected void onCounterReset() {}

  /** Hook: a set-up just ended. */
  protected void onSetupEnded() {}

  /** Alarms this machine type raises on an unplanned breakdown. */
  protected abstract List<Alarm> breakdownAlarms();

  private void updateSignals() {
    long t = simMillis();
    ItemState state = itemState();
    signals.set("State/MachineryItemState", state.label, t);
    signals.set("State/MachineryItemStateNumber", state.number, t);
    signals.set("State/OperationMode", operationMode().label, t);
    signals.set("State/OperationModeNumber", operationMode().number, t);
    // The OPC 40001-1 view mirrors State/* in the same step, so both carry one source time.
    signals.set("MachineryBuildingBlocks/MachineryItemState/CurrentState", state.label, t);
    signals.set(
        "MachineryBuildingBlocks/MachineryOperationMode/CurrentState", operationMode().label, t);
    // AlarmActive last: when it turns true, code, text and severity are already current.
    signals.set("Alarms/ActiveAlarmCode", alarm.code(), t);
    signals.set("Alarms/ActiveAlarmText", alarm.text(), t);
    signals.set("Alarms/ActiveAlarmSeverity", alarm.severity(), t);
    signals.set("Alarms/AlarmActive", alarm.code() != 0, t);
    signals.set("Production/GoodCount", goodCounter, t);
    signals.set("Production/ScrapCount", scrapCounter, t);
    signals.set("Orders/ActiveOrderId", active == null ? "" : active.id, t);
    for (Order o : orders) {
      publishOrder(o, t);
    }
    listener.ordersPublished(spec.id(), orderSnapshot(), t);
    updateMonitoring(now - lastSignalUpdate, t);
    lastSignalUpdate = now;
  }

  private void defineOrderSignals(Order o, long t) {
    String id = spec.id();
    String p = "Orders/" + o.id + "/";
    signals.define(SignalDef.plain(id, p + "OrderId", SignalType.STRING, "Order id"), o.id, t);
    signals.define(
        SignalDef.plain(id, p + "CustomerId", SignalType.STRING, "Customer id"), o.customer, t);
    signals.define(
        SignalDef.plain(id, p + "Article", SignalType.STRING, "Article produced"), o.article, t);
    signals.define(
        SignalDef.plain(id, p + "PlannedQuantity", SignalType.UINT32, "Good parts ordered"),
        o.planned,
        t);
    signals.define(
        SignalDef.plain(id, p + "GoodQuantity", SignalType.UINT32, "Good parts produced"),
        o.good,
        t);
    signals.define(
        SignalDef.plain(id, p + "ScrapQuantity", SignalType.UINT32, "Scrap parts produced"),
        o.scrap,
        t);
    signals.define(
        SignalDef.plain(id, p + "State", SignalType.STRING, "Job order state"), o.state.label, t);
    signals.define(
        SignalDef.plain(
            id,
            p + "StateNumber",
            SignalType.UINT32,
            "Job order state number: 0 NotAllowedToStart, 1 AllowedToStart, 2 Running,"
                + " 3 Interrupted, 4 Ended, 5 Aborted"),
        (long) o.state.number,
        t);
    signals.define(
        SignalDef.plain(id, p + "StartTime", SignalType.DATE_TIME, "When production started"),
        o.start,
        t);
    signals.define(
        SignalDef.plain(id, p + "EndTime", SignalType.DATE_TIME, "When the order ended"), o.end, t);
    signals.define(
        SignalDef.plain(id, p + "DueDate", SignalType.DATE_TIME, "When the order is due"),
        o.due,
        t);
  }

  private void publishOrder(Order o, long t) {
    String p = "Orders/" + o.id + "/";
    signals.set(p + "PlannedQuantity", o.planned, t);
    signals.set(p + "GoodQuantity", o.good, t);
    signals.set(p + "ScrapQuantity", o.scrap, t);
    signals.set(p + "State", o.state.label, t);
    signals.set(p + "StateNumber", (long) o.state.number, t);
    signals.set(p + "StartTime", o.start, t);
    signals.set(p + "EndTime", o.end, t);
    signals.set(p + "DueDate", o.due, t);
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  /** Advances the model to {@code target}, playing every event on the way in order. */
  final void advanceTo(Instant target) {
    double t = Duration.between(epoch, target).toNanos() / 1e6;
    if (t < now) {
      return;
    }
    while (true) {
      double next = now + timeToNextEvent();
      if (next > t) {
        break;
      }
      Timer timer = runningTimer();
      elapse(next - now);
      now = next;
      handleDueEvent(timer);
    }
    elapse(t - now);
    now = t;
    updateSignals();
  }

  private double timeToNextEvent() {
    if (repairRemaining > 0) {
      return repairRemaining;
    }
    if (setupRemaining > 0) {
      return setupRemaining;
    }
    if (microStopRemaining > 0) {
      return microStopRemaining;
    }
    if (active != null && cycleRunning) {
      return Math.max(0, Math.min(cycleDuration - cycleElapsed, runToFailure));
    }
    return Double.POSITIVE_INFINITY;
  }

  private void elapse(double dt) {
    if (dt <= 0) {
      return;
    }
    if (repairRemaining > 0) {
      repairRemaining -= dt;
      downMs += dt;
    } else if (setupRemaining > 0) {
      setupRemaining -= dt;
      setupMs += dt;
    } else if (microStopRemaining > 0) {
      microStopRemaining -= dt;
      microStopMs += dt;
    } else if (active != null && cycleRunning) {
      cycleElapsed += dt;
      runToFailure -= dt;
      runMs += dt;
    } else {
      idleMs += dt;
    }
  }

  /** The timer that decides the next event; only one runs at a time. */
  private enum Timer {
    REPAIR,
    SETUP,
    MICRO_STOP,
    CYCLE,
    NONE
  }

  private Timer runningTimer() {
    if (repairRemaining > 0) {
      return Timer.REPAIR;
    }
    if (setupRemaining > 0) {
      return Timer.SETUP;
    }
    if (microStopRemaining > 0) {
      return Timer.MICRO_STOP;
    }
    return active != null && cycleRunning ? Timer.CYCLE : Timer.NONE;
  }

  private void handleDueEvent(Timer timer) {
    switch (timer) {
      case REPAIR -> {
        repairRemaining = 0;
        alarm = Alarm.NONE;
        runToFailure = drawTimeToFailure();
        resumeAfterInterruption();
      }
      case SETUP -> {
        setupRemaining = 0;
        onSetupEnded();
        resumeAfterInterruption();
      }
      case MICRO_STOP -> {
        microStopRemaining = 0;
        microStop = MicroStop.NONE;
        resumeAfterInterruption();
      }
      case CYCLE -> {
        if (cycleDuration - cycleElapsed <= EPSILON) {
          completeCycle();
        } else {
          List<Alarm> alarms = breakdownAlarms();
          Alarm a = alarms.get(events.nextInt(alarms.size()));
          breakDown(spec.mttr().toMillis() * exponential(events), a);
        }
      }
      case NONE -> {}
    }
  }

  private void resumeAfterInterruption() {
    if (repairRemaining > 0 || setupRemaining > 0 || microStopRemaining > 0) {
      return;
    }
    if (active == null) {
      pickNextOrder();
    } else if (!cycleRunning) {
      startCycle();
    }
  }

  private void completeCycle() {
    cycles++;
    int good = 0;
    int scrap = 0;
    for (int i = 0; i < spec.partsPerCycle(); i++) {
      if (spec.scrapRate() > 0 && events.nextDouble() < spec.scrapRate()) {
        scrap++;
      } else {
        good++;
      }
    }
    goodTotal += good;
    scrapTotal += scrap;
    goodCounter += good;
    scrapCounter += scrap;
    active.good += good;
    active.scrap += scrap;
    double finished = cycleDuration;
    cycleRunning = false;
    Duration extraSetup = onCycleCompleted(finished);
    if (active.good >= active.planned) {
      active.state = Order.State.ENDED;
      active.end = instant();
      active = null;
    }
    if (spec.microStopProbability() > 0 && events.nextDouble() < spec.microStopProbability()) {
      microStop = events.nextBoolean() ? MicroStop.BLOCKED : MicroStop.STARVED;
      microStopRemaining = spec.microStopMean().toMillis() * exponential(events);
    }
    if (!extraSetup.isZero()) {
      setupRemaining = extraSetup.toMillis();
    }
    if (microStopRemaining > 0 || setupRemaining > 0) {
      return;
    }
    resumeAfterInterruption();
  }

  private void startCycle() {
    double jitter = 1 + (events.nextDouble() * 2 - 1) * CYCLE_JITTER;
    cycleDuration = spec.idealCycleTime().toMillis() / spec.performance() * jitter;
    cycleElapsed = 0;
    cycleRunning = true;
  }

  private void pickNextOrder() {
    for (Order o : orders) {
      if (o.state == Order.State.ALLOWED_TO_START) {
        active = o;
        o.state = Order.State.RUNNING;
        if (o.start.equals(SignalTable.NO_TIME)) {
          o.start = instant();
        }
        if (!spec.changeover().isZero()) {
          setupRemaining = spec.changeover().toMillis();
        } else {
          startCycle();
        }
        return;
      }
    }
  }

  private void breakDown(double repairMillis, Alarm a) {
    breakdowns++;
    alarm = a;
    repairRemaining = Math.max(repairRemaining, Math.max(repairMillis, 1));
    microStopRemaining = 0;
    microStop = MicroStop.NONE;
  }

  private double drawTimeToFailure() {
    if (spec.mtbf().isZero()) {
      return Double.POSITIVE_INFINITY;
    }
    return spec.mtbf().toMillis() * exponential(events);
  }

  private static double exponential(SplittableRandom rng) {
    return -Math.log(1 - rng.nextDouble());
  }

  // ---------------------------------------------------------------------------------------------
  // Commands (the simulation thread has advanced the model to "now" before calling these)

  Order storeOrder(String orderId, String customer, String article, long quantity, Instant due) {
    Order o =
        new Order(
            orderId, spec.id(), customer, article, quantity, due, Order.State.NOT_ALLOWED_TO_START);
    orders.add(o);
    defineOrderSignals(o, simMillis());
    listener.ordersPublished(spec.id(), orderSnapshot(), simMillis());
    return o;
  }

  Outcome startOrder(Order o) {
    if (o.state != Order.State.NOT_ALLOWED_TO_START && o.state != Order.State.INTERRUPTED) {
      return Outcome.invalidState(
          "order "
              + o.id
              + " is "
              + o.state.label
              + "; only NotAllowedToStart or Interrupted"
              + " orders can be started");
    }
    o.state = Order.State.ALLOWED_TO_START;
    if (active == null) {
      resumeAfterInterruption();
    }
    updateSignals();
    return Outcome.OK;
  }

  Outcome holdOrder(Order o) {
    if (o.state != Order.State.RUNNING) {
      return Outcome.invalidState(
          "order " + o.id + " is " + o.state.label + "; only a Running order can be held");
    }
    o.state = Order.State.INTERRUPTED;
    releaseMachine(o);
    updateSignals();
    return Outcome.OK;
  }

  Outcome abortOrder(Order o) {
    if (o.state.terminal()) {
      return Outcome.invalidState("order " + o.id + " has already " + o.state.label);
    }
    o.state = Order.State.ABORTED;
    o.end = instant();
    releaseMachine(o);
    updateSignals();
    return Outcome.OK;
  }

  Outcome setPlannedQuantity(Order o, long quantity) {
    if (o.state.terminal()) {
      return Outcome.invalidState("order " + o.id + " has already " + o.state.label);
    }
    if (quantity < o.good) {
      return Outcome.invalidArgument(
          "planned quantity " + quantity + " is below the " + o.good + " good parts already made");
    }
    o.planned = quantity;
    if (o == active && o.good >= o.planned) {
      o.state = Order.State.ENDED;
      o.end = instant();
      releaseMachine(o);
    }
    updateSignals();
    return Outcome.OK;
  }

  Outcome setDueDate(Order o, Instant due) {
    if (o.state.terminal()) {
      return Outcome.invalidState("order " + o.id + " has already " + o.state.label);
    }
    o.due = due;
    updateSignals();
    return Outcome.OK;
  }

  /** Stops working on {@code o} (held, aborted, completed early) and moves to the next order. */
  private void releaseMachine(Order o) {
    if (o != active) {
      return;
    }
    active = null;
    cycleRunning = false;
    cycleElapsed = 0;
    if (operationMode() == OperationMode.SETUP && repairRemaining <= 0) {
      setupRemaining = 0;
    }
    resumeAfterInterruption();
  }

  /** Fault: an unplanned breakdown with an alarm, repaired after {@code repair}. */
  void injectBreakdown(Duration repair) {
    breakDown(repair.toMillis(), breakdownAlarms().get(0));
    updateSignals();
  }

  /** Fault: the PLC's counters restart from zero, as after a controller reset. */
  void resetCounters() {
    goodCounter = 0;
    scrapCounter = 0;
    onCounterReset();
    updateSignals();
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  ItemState itemState() {
    if (repairRemaining > 0) {
      return ItemState.OUT_OF_SERVICE;
    }
    if (setupRemaining > 0) {
      return ItemState.NOT_EXECUTING;
    }
    return active != null ? ItemState.EXECUTING : ItemState.NOT_EXECUTING;
  }

  OperationMode operationMode() {
    return setupRemaining > 0 ? OperationMode.SETUP : OperationMode.PROCESSING;
  }

  /** True while parts are being made: executing, not blocked, starved, set up or broken. */
  final boolean producing() {
    return repairRemaining <= 0
        && setupRemaining <= 0
        && microStopRemaining <= 0
        && active != null
        && cycleRunning;
  }

  final MicroStop microStop() {
    return microStop;
  }

  final Alarm alarm() {
    return alarm;
  }

  /** Fraction of the current cycle done, 0 when no cycle runs. */
  final double cyclePhase() {
    return cycleRunning && cycleDuration > 0 ? cycleElapsed / cycleDuration : 0;
  }

  final Optional<Order> activeOrder() {
    return Optional.ofNullable(active);
  }

  private List<GroundTruth.OrderTruth> orderSnapshot() {
    List<GroundTruth.OrderTruth> snapshot = new ArrayList<>(orders.size());
    for (Order o : orders) {
      snapshot.add(o.truth());
    }
    return snapshot;
  }

  final List<Order> orders() {
    return orders;
  }

  final Optional<Order> order(String orderId) {
    return orders.stream().filter(o -> o.id.equals(orderId)).findFirst();
  }

  final String id() {
    return spec.id();
  }

  final MachineSpec spec() {
    return spec;
  }

  final List<SignalDef> signalDefinitions() {
    return signals.definitions();
  }

  final Object signalValue(String path) {
    return signals.get(path);
  }

  final boolean hasSignal(String path) {
    return signals.has(path);
  }

  final long simMillis() {
    return epochMillis() + (long) Math.floor(now);
  }

  private long epochMillis() {
    return epoch.toEpochMilli();
  }

  final Instant instant() {
    return epoch.plusNanos((long) (now * 1e6));
  }

  GroundTruth.MachineTruth truth() {
    return new GroundTruth.MachineTruth(
        spec.id(),
        goodTotal,
        scrapTotal,
        cycles,
        millis(runMs),
        millis(microStopMs),
        millis(downMs),
        millis(setupMs),
        millis(idleMs),
        breakdowns,
        itemState().label,
        spec.idealCycleTime(),
        spec.partsPerCycle());
  }

  private static Duration millis(double ms) {
    return Duration.ofNanos(Math.round(ms * 1e6));
  }

  /** Rounds a value for display, as a real sensor's resolution would. */
  protected static double round(double v, int decimals) {
    double f = Math.pow(10, decimals);
    return Math.round(v * f) / f;
  }

  /** First-order lag towards {@code target} with time constant {@code tauMillis}. */
  protected static double approach(double current, double target, double dtMillis, double tau) {
    return target + (current - target) * Math.exp(-Math.max(dtMillis, 0) / tau);
  }

  protected final double gaussian(double sigma) {
    // Box-Muller on the noise generator; the event generator is never touched here.
    double u1 = 1 - noise.nextDouble();
    double u2 = noise.nextDouble();
    return sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
