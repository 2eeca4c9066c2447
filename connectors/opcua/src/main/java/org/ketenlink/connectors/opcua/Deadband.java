package org.ketenlink.connectors.opcua;

/**
 * A server-side data change deadband: the server reports a new value only when it differs from the
 * last reported one by more than {@code value} (absolute, in the signal's unit) or by more than
 * {@code value} percent of the node's EURange (percent; the node must have an EURange).
 */
public record Deadband(Kind kind, double value) {

  /** The kind of deadband. */
  public enum Kind {
    NONE,
    ABSOLUTE,
    PERCENT
  }

  /** Every change is reported. */
  public static final Deadband NONE = new Deadband(Kind.NONE, 0);

  /** Report changes larger than {@code value} in the signal's own unit. */
  public static Deadband absolute(double value) {
    return new Deadband(Kind.ABSOLUTE, value);
  }

  /** Report changes larger than {@code percent} % of the node's EURange. */
  public static Deadband percent(double percent) {
    return new Deadband(Kind.PERCENT, percent);
  }
}
