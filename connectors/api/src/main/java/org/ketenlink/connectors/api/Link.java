package org.ketenlink.connectors.api;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

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

  /**
   * Receives what is published to {@code filter} (QoS 1) for as long as the link lives: the
   * subscription is made again after every (re)connect. Messages published while the link is
   * disconnected are not received, nor are retained ones. {@code handler} runs on the link's
   * receiving thread and must not block. Call before {@link #start()}.
   *
   * @throws IllegalArgumentException if {@code filter} is not a valid topic filter
   * @throws IllegalStateException if the link has been started
   */
  void subscribe(String filter, Consumer<Received> handler);

  /** A snapshot of the current state; thread-safe. */
  LinkStatus status();

  /** Disconnects cleanly (the broker does not publish the Last Will) and releases resources. */
  @Override
  void close();
}
