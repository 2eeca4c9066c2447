package org.ketenlink.connectors.mqtt;

import java.util.concurrent.CompletableFuture;
import org.ketenlink.connectors.api.Message;

/**
 * A message from acceptance until the broker acknowledged it. Identity matters: the same instance
 * may be sent on several connections, and {@link #done} makes sure it is completed once.
 */
final class Outgoing {
  final Message message;

  /** Completed on the sender thread; {@code null} for the link's own birth message. */
  final CompletableFuture<Void> future;

  /** Clock millis when accepted; the expiry still left is counted from here. */
  final long acceptedAt;

  /** Acknowledged (or refused) by the broker. Sender thread only. */
  boolean done;

  Outgoing(Message message, CompletableFuture<Void> future, long acceptedAt) {
    this.message = message;
    this.future = future;
    this.acceptedAt = acceptedAt;
  }

  boolean isBirth() {
    return future == null;
  }
}
