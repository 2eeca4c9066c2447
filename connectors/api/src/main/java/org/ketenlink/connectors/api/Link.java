package org.ketenlink.connectors.api;

import java.util.concurrent.CompletableFuture;

/**
 * A connection to a message broker. A link reconnects by itself (also when the very first connect
 * fails) and keeps the messages it accepted until they are acknowledged or it is closed.
 */
public interface Link extends AutoCloseable {

  /** The configured id. */
  String id();

  /** Starts connecting in the background; returns at once. */
  void start();

  /**
   * Queues a message. Never blocks. The future completes when the broker acknowledged it (QoS 1) or
   * it was written to the connection (QoS 0); it fails with {@link LinkBusyException} at once when
   * the link's bounded queue is full, and with {@link java.util.concurrent.CancellationException}
   * if the link is closed first. Messages are sent in the order they were queued.
   */
  CompletableFuture<Void> publish(Message message);

  /** A snapshot of the current state; thread-safe. */
  LinkStatus status();

  /** Disconnects cleanly (the broker does not publish the Last Will) and releases resources. */
  @Override
  void close();
}
