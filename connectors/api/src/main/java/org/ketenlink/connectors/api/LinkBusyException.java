package org.ketenlink.connectors.api;

/** The link's bounded queue is full; the caller decides whether to retry, buffer or drop. */
public final class LinkBusyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LinkBusyException(String message) {
    super(message, null, false, false);
  }
}
