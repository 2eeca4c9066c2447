package org.ketenlink.connectors.mqtt;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkStatus;

/**
 * What {@link MqttLink#status()} reports. Written by the sender thread (and {@code rejected} by
 * publishers), read by anyone; each field is individually consistent, the snapshot as a whole is
 * not atomic.
 */
final class StatusBoard {
  /** State, when it last changed and the last connection error change together. */
  private record Phase(ConnectionState state, Instant since, Optional<String> lastError) {}

  private final Clock clock;
  private volatile Phase phase;
  volatile int inFlight;
  volatile int inFlightLimit;
  volatile int resendWaiting;
  final AtomicLong published = new AtomicLong();
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong reconnects = new AtomicLong();

  StatusBoard(Clock clock, int configuredWindow) {
    this.clock = clock;
    this.phase = new Phase(ConnectionState.CONNECTING, clock.instant(), Optional.empty());
    this.inFlightLimit = configuredWindow;
  }

  ConnectionState state() {
    return phase.state();
  }

  synchronized void state(ConnectionState state) {
    Phase p = phase;
    if (p.state() != state) {
      phase = new Phase(state, clock.instant(), p.lastError());
    }
  }

  synchronized void error(String lastError) {
    Phase p = phase;
    phase = new Phase(p.state(), p.since(), Optional.of(lastError));
  }

  LinkStatus snapshot(String id, String broker, int queued) {
    Phase p = phase;
    return new LinkStatus(
        id,
        p.state(),
        broker,
        inFlight,
        inFlightLimit,
        queued + resendWaiting,
        published.get(),
        acknowledged.get(),
        rejected.get(),
        reconnects.get(),
        p.lastError(),
        p.since());
  }
}
