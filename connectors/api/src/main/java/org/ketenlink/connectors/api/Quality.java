package org.ketenlink.connectors.api;

/** How far a value can be trusted, after the severity bits of an OPC UA status code. */
public enum Quality {
  GOOD,
  UNCERTAIN,
  BAD;

  /** The quality an OPC UA status code (as an unsigned 32-bit value) stands for. */
  public static Quality ofStatusCode(long statusCode) {
    long severity = (statusCode >>> 30) & 0b11;
    if (severity == 0) {
      return GOOD;
    }
    return severity == 1 ? UNCERTAIN : BAD;
  }

  /** The lower-case name used in payloads: {@code good}, {@code uncertain}, {@code bad}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
