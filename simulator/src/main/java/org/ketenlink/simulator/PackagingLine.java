package org.ketenlink.simulator;

import java.time.Instant;
import java.util.List;
import org.ketenlink.simulator.Scenario.MachineSpec;

/**
 * A packaging line that speaks PackML: speed, blocked/starved stops, processed and defect counts.
 */
final class PackagingLine extends Machine {

  /** PackML (ISA-TR88.00.02) state numbers and names the line uses. */
  enum PackMl {
    STOPPED(2, "Stopped"),
    IDLE(4, "Idle"),
    SUSPENDED(5, "Suspended"),
    EXECUTE(6, "Execute"),
    ABORTED(9, "Aborted");

    final int number;
    final String label;

    PackMl(int number, String label) {
      this.number = number;
      this.label = label;
    }
  }

  /** Stop reason codes shown in {@code Monitoring/StopReason}. */
  enum StopReason {
    RUNNING(0, "Running"),
    BLOCKED(1, "Blocked by downstream"),
    STARVED(2, "Starved by upstream"),
    BREAKDOWN(3, "Breakdown"),
    CHANGEOVER(4, "Changeover"),
    NO_ORDER(5, "No order");

    final int code;
    final String text;

    StopReason(int code, String text) {
      this.code = code;
      this.text = text;
    }
  }

  /** PackML UnitModeCurrent 1 = Production; the model has no other mode. */
  private static final int PRODUCTION_MODE = 1;

  PackagingLine(MachineSpec spec, long seed, Instant epoch, FieldlabListener listener) {
    super(spec, seed, epoch, listener);
  }

  @Override
  protected void defineMonitoring(long t) {
    String id = spec.id();
    signals.define(
        SignalDef.plain(id, "State/PackMLState", SignalType.STRING, "PackML state name"),
        PackMl.IDLE.label,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "State/PackMLStateNumber",
            SignalType.INT32,
            "PackML state number: 2 Stopped, 4 Idle, 5 Suspended, 6 Execute, 9 Aborted"),
        PackMl.IDLE.number,
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/Speed",
            EngineeringUnit.PER_MINUTE,
            0,
            120,
            "Line speed in packs per minute"),
        0.0,
        t);
    signals.define(
        SignalDef.plain(id, "Monitoring/Blocked", SignalType.BOOLEAN, "Blocked by downstream"),
        false,
        t);
    signals.define(
        SignalDef.plain(id, "Monitoring/Starved", SignalType.BOOLEAN, "Starved by upstream"),
        false,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "Monitoring/ProcessedCount",
            SignalType.UINT32,
            "Packs processed (good and defective) since the last counter reset"),
        0L,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "Monitoring/DefectiveCount",
            SignalType.UINT32,
            "Defective packs since the last counter reset"),
        0L,
        t);
    signals.define(
        SignalDef.plain(
            id,
            "Monitoring/StopReason",
            SignalType.INT32,
            "0 Running, 1 Blocked, 2 Starved, 3 Breakdown, 4 Changeover, 5 No order"),
        StopReason.NO_ORDER.code,
        t);
    signals.define(
        SignalDef.plain(id, "Monitoring/StopReasonText", SignalType.STRING, "Stop reason text"),
        StopReason.NO_ORDER.text,
        t);
    definePackMlView(id, t);
  }

  /** The OPC 30050 view: PackML/BaseStateMachine and PackML/Status, mirroring the above. */
  private void definePackMlView(String id, long t) {
    signals.define(
        SignalDef.standard(
            id,
            "PackML/packml:BaseStateMachine/ua:CurrentState",
            SignalType.LOCALIZED_TEXT,
            "PackML state name; the same as State/PackMLState"),
        PackMl.IDLE.label,
        t);
    signals.define(
        SignalDef.standard(
            id,
            "PackML/packml:Status/packml:UnitModeCurrent",
            SignalType.INT32,
            "PackML unit mode; always 1 Production"),
        PRODUCTION_MODE,
        t);
    signals.define(
        SignalDef.standard(
            id,
            "PackML/packml:Status/packml:CurMachSpeed",
            SignalType.FLOAT,
            "Current speed in packs per minute; the same as Monitoring/Speed"),
        0.0f,
        t);
    signals.define(
        SignalDef.standard(
            id,
            "PackML/packml:Status/packml:MachSpeed",
            SignalType.FLOAT,
            "Speed set point in packs per minute: the speed while running"),
        (float) round(nominalSpeed(), 1),
        t);
    signals.define(
        SignalDef.standard(
            id,
            "PackML/packml:Status/packml:EquipmentBlocked",
            SignalType.BOOLEAN,
            "True while stopped, blocked by downstream; the same as Monitoring/Blocked"),
        false,
        t);
    signals.define(
        SignalDef.standard(
            id,
            "PackML/packml:Status/packml:EquipmentStarved",
            SignalType.BOOLEAN,
            "True while stopped, starved by upstream; the same as Monitoring/Starved"),
        false,
        t);
  }

  private double nominalSpeed() {
    return 60_000.0 / spec.idealCycleTime().toMillis() * spec.performance();
  }

  @Override
  protected void updateMonitoring(double dt, long t) {
    StopReason reason = stopReason();
    PackMl state =
        switch (reason) {
          case RUNNING -> PackMl.EXECUTE;
          case BLOCKED, STARVED -> PackMl.SUSPENDED;
          case BREAKDOWN -> PackMl.ABORTED;
          case CHANGEOVER -> PackMl.STOPPED;
          case NO_ORDER -> PackMl.IDLE;
        };
    double raw = reason == StopReason.RUNNING ? nominalSpeed() + gaussian(0.3) : 0;
    double speed = round(Math.max(raw, 0), 1);
    boolean blocked = reason == StopReason.BLOCKED;
    boolean starved = reason == StopReason.STARVED;
    signals.set("State/PackMLState", state.label, t);
    signals.set("State/PackMLStateNumber", state.number, t);
    signals.set("Monitoring/Speed", speed, t);
    signals.set("Monitoring/Blocked", blocked, t);
    signals.set("Monitoring/Starved", starved, t);
    signals.set("Monitoring/ProcessedCount", goodCounter + scrapCounter, t);
    signals.set("Monitoring/DefectiveCount", scrapCounter, t);
    signals.set("Monitoring/StopReason", reason.code, t);
    signals.set("Monitoring/StopReasonText", reason.text, t);
    signals.set("PackML/BaseStateMachine/CurrentState", state.label, t);
    signals.set("PackML/Status/CurMachSpeed", (float) speed, t);
    signals.set("PackML/Status/EquipmentBlocked", blocked, t);
    signals.set("PackML/Status/EquipmentStarved", starved, t);
  }

  private StopReason stopReason() {
    if (itemState() == ItemState.OUT_OF_SERVICE) {
      return StopReason.BREAKDOWN;
    }
    if (operationMode() == OperationMode.SETUP) {
      return StopReason.CHANGEOVER;
    }
    return switch (microStop()) {
      case BLOCKED -> StopReason.BLOCKED;
      case STARVED -> StopReason.STARVED;
      case NONE -> activeOrder().isPresent() ? StopReason.RUNNING : StopReason.NO_ORDER;
    };
  }

  @Override
  protected List<Alarm> breakdownAlarms() {
    return List.of(
        new Alarm(4102, "Carton magazine jam", 700),
        new Alarm(4210, "Glue unit temperature fault", 600),
        new Alarm(4305, "Safety door opened", 900));
  }
}
