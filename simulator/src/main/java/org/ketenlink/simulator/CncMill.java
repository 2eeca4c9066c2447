package org.ketenlink.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.ketenlink.simulator.Scenario.MachineSpec;

/** A CNC milling centre: spindle, feed, power, coolant and a wearing tool that gets changed. */
final class CncMill extends Machine {

  private static final double NOMINAL_SPEED = 12_000;
  private static final double STANDBY_KW = 1.4;
  private static final double COOLANT_PUMP_KW = 0.6;
  private static final double WEAR_PER_PART = 1.6;
  private static final Duration TOOL_CHANGE = Duration.ofMinutes(3);
  private static final double COOLANT_TAU_MS = 10 * 60_000;

  private double toolWear;
  private double coolant = 21;

  CncMill(MachineSpec spec, long seed, Instant epoch, FieldlabListener listener) {
    super(spec, seed, epoch, listener);
  }

  @Override
  protected void defineMonitoring(long t) {
    String id = spec.id();
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/SpindleSpeed",
            EngineeringUnit.REVOLUTIONS_PER_MINUTE,
            0,
            24_000,
            "Spindle speed"),
        0.0,
        t);
    signals.define(
        SignalDef.analog(
            id, "Monitoring/SpindleLoad", EngineeringUnit.PERCENT, 0, 100, "Spindle load"),
        0.0,
        t);
    signals.define(
        SignalDef.analog(
            id, "Monitoring/FeedOverride", EngineeringUnit.PERCENT, 0, 150, "Feed rate override"),
        100.0,
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/SpindlePower",
            EngineeringUnit.KILOWATT,
            0,
            30,
            "Spindle drive power; zero when the spindle stands still"),
        0.0,
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/Power",
            EngineeringUnit.KILOWATT,
            0,
            40,
            "Total electrical power of the machine"),
        STANDBY_KW,
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/CoolantTemperature",
            EngineeringUnit.DEGREE_CELSIUS,
            10,
            60,
            "Coolant temperature"),
        coolant,
        t);
    signals.define(
        SignalDef.analog(
            id,
            "Monitoring/ToolWear",
            EngineeringUnit.PERCENT,
            0,
            100,
            "Wear of the tool in use; the tool is changed at 100 %"),
        0.0,
        t);
  }

  @Override
  protected void updateMonitoring(double dt, long t) {
    boolean cutting = producing();
    double speed = cutting ? NOMINAL_SPEED + gaussian(15) : 0;
    double load = cutting ? Math.min(100, 48 + 0.25 * toolWear + gaussian(1.5)) : 0;
    double spindleKw = cutting ? 0.13 * load * speed / NOMINAL_SPEED : 0;
    double totalKw = STANDBY_KW + spindleKw + (cutting ? COOLANT_PUMP_KW : 0) + gaussian(0.02);
    coolant = approach(coolant, cutting ? 34 : 21, dt, COOLANT_TAU_MS);
    signals.set("Monitoring/SpindleSpeed", round(speed, 1), t);
    signals.set("Monitoring/SpindleLoad", round(load, 1), t);
    signals.set(
        "Monitoring/FeedOverride", operationMode() == OperationMode.SETUP ? 50.0 : 100.0, t);
    signals.set("Monitoring/SpindlePower", round(spindleKw, 2), t);
    signals.set("Monitoring/Power", round(totalKw, 2), t);
    signals.set("Monitoring/CoolantTemperature", round(coolant + gaussian(0.05), 2), t);
    signals.set("Monitoring/ToolWear", round(toolWear, 1), t);
  }

  @Override
  protected Duration onCycleCompleted(double cycleMillis) {
    toolWear += WEAR_PER_PART;
    return toolWear >= 100 ? TOOL_CHANGE : Duration.ZERO;
  }

  @Override
  protected void onSetupEnded() {
    if (toolWear >= 100) {
      toolWear = 0;
    }
  }

  @Override
  protected List<Alarm> breakdownAlarms() {
    return List.of(
        new Alarm(2101, "Spindle drive overload", 800),
        new Alarm(2205, "Axis X following error", 700),
        new Alarm(2310, "Coolant pressure low", 600));
  }
}
