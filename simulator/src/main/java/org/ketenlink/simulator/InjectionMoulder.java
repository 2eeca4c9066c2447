package org.ketenlink.simulator;

import java.time.Instant;
import java.util.List;
import org.ketenlink.simulator.Scenario.MachineSpec;

/** An injection moulding machine: shots with several cavities, heated barrel and mould. */
final class InjectionMoulder extends Machine {

  private static final double BARREL_SETPOINT = 230;
  private static final double MOULD_RUNNING = 45;
  private static final double AMBIENT = 22;
  private static final double MOULD_TAU_MS = 8 * 60_000;

  private long shots;
  private double lastCycleSeconds;
  private double mould = MOULD_RUNNING;

  InjectionMoulder(MachineSpec spec, long seed, Instant epoch, FieldlabListener listener) {
    super(spec, seed, epoch, listener);
    this.shots = 180_000 + Math.floorMod(spec.serialNumber().hashCode(), 20_000);
  }

  @Override
  protected void defineMonitoring(long t) {
    String id = spec.id();
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/CycleTime",
            EngineeringUnit.SECOND,
            0,
            120,
            "Duration of the last completed cycle"),
        0.0,
        t);
    signals.define(
        SignalDef.plain(
            id, "Monitoring/ShotCounter", SignalType.UINT32, "Shots since the last counter reset"),
        shots,
        t);
    signals.define(
        SignalDef.plain(id, "Monitoring/Cavities", SignalType.UINT16, "Cavities in the mould"),
        spec.partsPerCycle(),
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/BarrelTemperature",
            EngineeringUnit.DEGREE_CELSIUS,
            0,
            350,
            "Barrel (melt) temperature"),
        BARREL_SETPOINT,
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/MouldTemperature",
            EngineeringUnit.DEGREE_CELSIUS,
            0,
            120,
            "Mould temperature"),
        mould,
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/InjectionPressure",
            EngineeringUnit.BAR,
            0,
            2_000,
            "Hydraulic injection pressure"),
        0.0,
        t);
  }

  @Override
  protected void updateMonitoring(double dt, long t) {
    boolean running = producing();
    double phase = cyclePhase();
    double pressure = 0;
    if (running && phase < 0.08) {
      pressure = 1_150 + gaussian(12);
    } else if (running && phase < 0.35) {
      pressure = 450 + gaussian(6);
    }
    boolean heated = itemState() != ItemState.NOT_AVAILABLE;
    mould = approach(mould, running ? MOULD_RUNNING : AMBIENT + 8, dt, MOULD_TAU_MS);
    signals.set("Monitoring/CycleTime", round(lastCycleSeconds, 3), t);
    signals.set("Monitoring/ShotCounter", shots, t);
    signals.set(
        "Monitoring/BarrelTemperature",
        round(heated ? BARREL_SETPOINT + gaussian(0.4) : AMBIENT, 1),
        t);
    signals.set("Monitoring/MouldTemperature", round(mould + gaussian(0.1), 1), t);
    signals.set("Monitoring/InjectionPressure", round(pressure, 1), t);
  }

  @Override
  protected java.time.Duration onCycleCompleted(double cycleMillis) {
    shots++;
    lastCycleSeconds = cycleMillis / 1000;
    return java.time.Duration.ZERO;
  }

  @Override
  protected void onCounterReset() {
    shots = 0;
  }

  @Override
  protected List<Alarm> breakdownAlarms() {
    return List.of(
        new Alarm(3105, "Hydraulic pressure loss", 800),
        new Alarm(3210, "Barrel heater zone 3 fault", 700),
        new Alarm(3302, "Ejector stuck", 600));
  }
}
