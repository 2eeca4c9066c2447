package org.ketenlink.connectors.api;

/** Where a connection to a peer stands. */
public enum ConnectionState {
  /** Not started yet, or trying to (re)connect. */
  CONNECTING,
  /** Connected and working. */
  CONNECTED,
  /** Lost; reconnecting with back-off. */
  DISCONNECTED,
  /** Closed on purpose. */
  STOPPED
}
