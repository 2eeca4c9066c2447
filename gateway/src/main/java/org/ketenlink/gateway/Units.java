package org.ketenlink.gateway;

import java.util.Map;
import java.util.Optional;
import org.ketenlink.connectors.api.Unit;

/** Display symbols of common UNECE Rec. 20 codes, for units configured by code only. */
final class Units {

  private static final Map<String, String> SYMBOLS =
      Map.ofEntries(
          Map.entry("CEL", "°C"),
          Map.entry("FAH", "°F"),
          Map.entry("KEL", "K"),
          Map.entry("KWT", "kW"),
          Map.entry("WTT", "W"),
          Map.entry("KWH", "kW·h"),
          Map.entry("RPM", "r/min"),
          Map.entry("P1", "%"),
          Map.entry("SEC", "s"),
          Map.entry("MIN", "min"),
          Map.entry("HUR", "h"),
          Map.entry("C26", "ms"),
          Map.entry("BAR", "bar"),
          Map.entry("PAL", "Pa"),
          Map.entry("KPA", "kPa"),
          Map.entry("MMT", "mm"),
          Map.entry("MTR", "m"),
          Map.entry("MTS", "m/s"),
          Map.entry("KGM", "kg"),
          Map.entry("GRM", "g"),
          Map.entry("LTR", "l"),
          Map.entry("AMP", "A"),
          Map.entry("VLT", "V"),
          Map.entry("HTZ", "Hz"),
          Map.entry("NU", "N·m"),
          Map.entry("C94", "min⁻¹"),
          Map.entry("C62", "1"));

  private Units() {}

  /** The unit for a configured code, with its symbol when known (else the code). */
  static Unit ofCode(String code) {
    return new Unit(code, SYMBOLS.getOrDefault(code, code));
  }

  static Optional<String> symbol(String code) {
    return Optional.ofNullable(SYMBOLS.get(code));
  }
}
