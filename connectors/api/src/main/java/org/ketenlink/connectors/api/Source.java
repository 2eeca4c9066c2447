package org.ketenlink.connectors.api;

import java.util.Optional;

/**
 * A connection to one device or server that delivers samples. A source recovers by itself from lost
 * connections and device restarts; it never stops delivering because of them.
 */
public interface Source extends AutoCloseable {

  /** The configured id. */
  String id();

  /**
   * Starts connecting in the background and delivering to {@code sink}. Returns at once; a device
   * that is not reachable yet is retried with back-off.
   */
  void start(SampleSink sink);

  /** A snapshot of the current state; thread-safe. */
  SourceStatus status();

  /**
   * The machine's production orders, if this source is configured with an order model; empty
   * otherwise.
   */
  default Optional<OrderControl> orders() {
    return Optional.empty();
  }

  /** Stops and releases every resource. */
  @Override
  void close();
}
