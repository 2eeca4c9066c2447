package org.ketenlink.simulator;

/**
 * A unit from UNECE Recommendation 20, as OPC UA's {@code EUInformation} carries it.
 *
 * @param code the UNECE common code, e.g. {@code CEL}
 * @param symbol the display symbol, e.g. {@code °C}
 * @param description the unit's name
 */
public record EngineeringUnit(String code, String symbol, String description) {

  /** The namespace OPC UA Part 8 assigns to UNECE-coded units. */
  public static final String UNECE_NAMESPACE = "http://www.opcfoundation.org/UA/units/un/cefact";

  static final EngineeringUnit REVOLUTIONS_PER_MINUTE =
      new EngineeringUnit("RPM", "r/min", "revolutions per minute");
  static final EngineeringUnit PERCENT = new EngineeringUnit("P1", "%", "percent");
  static final EngineeringUnit KILOWATT = new EngineeringUnit("KWT", "kW", "kilowatt");
  static final EngineeringUnit DEGREE_CELSIUS = new EngineeringUnit("CEL", "°C", "degree Celsius");
  static final EngineeringUnit SECOND = new EngineeringUnit("SEC", "s", "second");
  static final EngineeringUnit BAR = new EngineeringUnit("BAR", "bar", "bar");
  static final EngineeringUnit PER_MINUTE =
      new EngineeringUnit("C94", "min⁻¹", "reciprocal minute");
  static final EngineeringUnit ONE = new EngineeringUnit("C62", "1", "one (count)");

  /**
   * The {@code UnitId} OPC UA Part 8 derives from the common code: its ASCII characters packed
   * big-endian into an Int32.
   */
  public int unitId() {
    int id = 0;
    for (char c : code.toCharArray()) {
      id = (id << 8) | (c & 0xFF);
    }
    return id;
  }
}
