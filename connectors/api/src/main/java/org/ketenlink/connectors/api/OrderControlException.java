package org.ketenlink.connectors.api;

/**
 * Why an order could not be read or changed: the machine cannot be reached ({@link #unavailable()})
 * or it refused the request ({@link #status()} names its status code, e.g. {@code
 * Bad_InvalidState}).
 */
public final class OrderControlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean unavailable;
  private final String status;

  public OrderControlException(boolean unavailable, String status, String message) {
    super(message);
    this.unavailable = unavailable;
    this.status = status;
  }

  /** Whether the machine could not be reached, so trying again later may succeed. */
  public boolean unavailable() {
    return unavailable;
  }

  /** The machine's status code name, e.g. {@code Bad_InvalidState}; empty when unavailable. */
  public String status() {
    return status;
  }
}
