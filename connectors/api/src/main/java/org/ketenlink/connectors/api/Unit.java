package org.ketenlink.connectors.api;

/**
 * An engineering unit: its UNECE Recommendation 20 common code and display symbol.
 *
 * @param code UNECE code, e.g. {@code CEL}
 * @param symbol display symbol, e.g. {@code °C}
 */
public record Unit(String code, String symbol) {

  /**
   * Decodes an OPC UA {@code EUInformation.UnitId} back into its UNECE code (the code's ASCII
   * characters packed big-endian into the Int32, OPC UA Part 8).
   */
  public static String codeOfUnitId(int unitId) {
    StringBuilder b = new StringBuilder(4);
    for (int shift = 24; shift >= 0; shift -= 8) {
      int c = (unitId >>> shift) & 0xFF;
      if (c != 0) {
        b.append((char) c);
      }
    }
    return b.toString();
  }
}
