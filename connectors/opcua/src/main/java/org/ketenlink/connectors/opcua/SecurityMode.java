package org.ketenlink.connectors.opcua;

import java.util.Locale;
import java.util.Optional;

/** The OPC UA message security modes; {@link #NONE} goes only with {@link SecurityPolicy#NONE}. */
public enum SecurityMode {
  NONE("None"),
  SIGN("Sign"),
  SIGN_AND_ENCRYPT("SignAndEncrypt");

  private final String opcUaName;

  SecurityMode(String opcUaName) {
    this.opcUaName = opcUaName;
  }

  /** The name OPC UA uses, e.g. {@code SignAndEncrypt}. */
  public String opcUaName() {
    return opcUaName;
  }

  /**
   * The mode with this name, matching either the OPC UA name ({@code SignAndEncrypt}) or the
   * constant ({@code SIGN_AND_ENCRYPT}), ignoring case.
   */
  public static Optional<SecurityMode> byName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.trim().toUpperCase(Locale.ROOT);
    for (SecurityMode m : values()) {
      if (m.name().equals(n) || m.opcUaName.toUpperCase(Locale.ROOT).equals(n)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}
