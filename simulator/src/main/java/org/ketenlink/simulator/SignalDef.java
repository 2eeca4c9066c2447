package org.ketenlink.simulator;

import java.util.Optional;

/**
 * One variable of a simulated machine, independent of OPC UA.
 *
 * @param machineId the owning machine, e.g. {@code cnc1}
 * @param path the variable's path below the machine object, e.g. {@code Monitoring/SpindleSpeed}
 * @param type its data type
 * @param unit its engineering unit, if it is an analog measurement
 * @param range its normal operating range (EURange), if it has one
 * @param description what it means, shown as the node's description
 */
record SignalDef(
    String machineId,
    String path,
    SignalType type,
    Optional<EngineeringUnit> unit,
    Optional<Range> range,
    String description) {

  /** An EURange: the values the signal normally takes. */
  record Range(double low, double high) {}

  static SignalDef plain(String machineId, String path, SignalType type, String description) {
    return new SignalDef(machineId, path, type, Optional.empty(), Optional.empty(), description);
  }

  static SignalDef analog(
      String machineId,
      String path,
      EngineeringUnit unit,
      double low,
      double high,
      String description) {
    return new SignalDef(
        machineId,
        path,
        SignalType.DOUBLE,
        Optional.of(unit),
        Optional.of(new Range(low, high)),
        description);
  }

  /** The key that identifies the signal across the whole plant, e.g. {@code cnc1/State/X}. */
  String key() {
    return machineId + "/" + path;
  }

  /** The last path segment: the variable's browse name. */
  String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The folders between the machine object and the variable, possibly empty. */
  String folder() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }
}
