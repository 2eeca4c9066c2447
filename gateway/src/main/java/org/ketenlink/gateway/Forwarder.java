package org.ketenlink.gateway;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.ketenlink.connectors.api.Link;
import org.ketenlink.connectors.api.LinkBusyException;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.gateway.journal.Journal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves one link's journal to its broker: reads records in order, hands them to the link, and
 * acknowledges each in the journal only when the broker acknowledged it. The backlog after an
 * outage is replayed as fast as the link's window allows while new records keep arriving behind it.
 * One thread per link ({@code ketenlink-forward-<link>}); the journal is the only buffer, the link
 * holds at most {@code maxOutstanding} of its records at a time.
 */
final class Forwarder implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
  private static final int BATCH_RECORDS = 512;
  private static final int BATCH_BYTES = 4 << 20;

  private final Link link;
  private final Journal journal;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final Semaphore outstanding;
  private final Thread thread;
  private volatile boolean running = true;
  private long lastRead;

  Forwarder(Link link, Journal journal, GatewayMetrics metrics, Clock clock, int maxOutstanding) {
    this.link = link;
    this.journal = journal;
    this.metrics = metrics;
    this.clock = clock;
    this.outstanding = new Semaphore(maxOutstanding);
    this.lastRead = journal.deliveredWatermark();
    this.thread = new Thread(this::run, "ketenlink-forward-" + link.id());
    this.thread.setDaemon(true);
  }

  /**
   * How many journal records the link may hold at once: enough to keep its in-flight window full,
   * no more, so that an outage is bridged by the journal on disk and not by memory.
   */
  static int outstanding(int maxInFlight, int linkQueueCapacity) {
    return Math.min(linkQueueCapacity, Math.max(2 * maxInFlight, 64));
  }

  void start() {
    thread.start();
  }

  /** New records were appended; called by the pipeline thread. Cheap. */
  void wakeUp() {
    LockSupport.unpark(thread);
  }

  private void run() {
    while (running) {
      try {
        // Read no more than the link can take now: what the journal hands out stays in memory
        // until delivered, and an outage should be bridged on disk, not here.
        int room = Math.max(1, Math.min(BATCH_RECORDS, outstanding.availablePermits()));
        List<Journal.Entry> batch = journal.readFrom(lastRead, room, BATCH_BYTES);
        if (batch.isEmpty()) {
          LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
          continue;
        }
        for (Journal.Entry e : batch) {
          while (running && !outstanding.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            // the link's window and queue are full: the record stays in the journal meanwhile
          }
          if (!running) {
            return;
          }
          send(e);
          lastRead = e.id();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        metrics.error(Stage.JOURNAL);
        log.error("Forwarding link {} failed; retrying", link.id(), e);
        LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
      }
    }
  }

  private void send(Journal.Entry e) {
    Message message;
    try {
      message = MessageCodec.decode(e.payload());
    } catch (IllegalArgumentException bad) {
      // A record this gateway cannot read can never be sent: count it and move on.
      metrics.dropped(Stage.JOURNAL, "unreadable");
      log.warn(
          "Link {}: journal record {} is unreadable and was skipped: {}",
          link.id(),
          e.id(),
          bad.getMessage());
      journal.acknowledge(e.id());
      outstanding.release();
      return;
    }
    long appended = e.appendedAtMillis();
    link.publish(message)
        .whenComplete(
            (ok, failure) -> {
              if (failure == null) {
                journal.acknowledge(e.id());
                metrics.published(link.id(), Duration.ofMillis(clock.millis() - appended));
                outstanding.release();
                return;
              }
              Throwable cause =
                  failure instanceof CompletionException ? failure.getCause() : failure;
              outstanding.release();
              if (cause instanceof CancellationException || !running) {
                return; // closing: the record stays in the journal for the next start
              }
              if (cause instanceof LinkBusyException) {
                // Cannot happen while maxOutstanding <= the link's queue; never lose it anyway.
                log.warn(
                    "Link {} refused journal record {}; it will be sent after a restart",
                    link.id(),
                    e.id());
                return;
              }
              // The broker refused this message for good (e.g. not authorised): it is dropped,
              // counted and logged, so one poisoned message cannot stop the stream.
              metrics.dropped(Stage.LINK, "refused");
              log.warn(
                  "Link {}: the broker refused {}: {}",
                  link.id(),
                  message.topic(),
                  cause.getMessage());
              journal.acknowledge(e.id());
            });
  }

  @Override
  public void close() {
    running = false;
    LockSupport.unpark(thread);
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
