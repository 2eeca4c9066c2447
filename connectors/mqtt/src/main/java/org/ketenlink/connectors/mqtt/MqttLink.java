package org.ketenlink.connectors.mqtt;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.ketenlink.connectors.api.Link;
import org.ketenlink.connectors.api.LinkBusyException;
import org.ketenlink.connectors.api.LinkStatus;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.Received;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Link} to an MQTT 5 broker (Eclipse Paho underneath; none of its types show here).
 *
 * <ul>
 *   <li><b>Connecting.</b> {@link #start()} connects in the background and keeps trying with
 *       exponential back-off, also when the very first attempt fails and after a lost connection.
 *       Every connect uses clean start and sets the will; the birth message is published after
 *       every successful connect, before anything else.
 *   <li><b>Order and window.</b> One sender thread publishes in the order {@link #publish} accepted
 *       the messages, never with more than {@code min(maxInFlight, broker Receive Maximum)}
 *       publishes unacknowledged (QoS 0 ones count until written).
 *   <li><b>At least once.</b> Messages that a lost connection left unacknowledged are re-sent first
 *       on the next connection, in their original order; so a subscriber may see one twice (a
 *       re-sent message after its first copy), but sees none of them lost. A message's expiry is
 *       shortened by the time it waited in the link, to at least one second.
 *   <li><b>Futures.</b> They complete on the link's sender thread: keep dependent actions short or
 *       use the {@code *Async} variants, or they hold up sending. Besides the failures described in
 *       {@link Link#publish}, a future fails with {@link IllegalArgumentException} for a topic that
 *       cannot be published to, and with {@link IllegalStateException} when the broker refuses the
 *       message (PUBACK reason code 0x80 or above, e.g. not authorized): re-sending would not help.
 * </ul>
 *
 * <p>Thread-safe. Threads are named {@code ketenlink-mqtt-<id>-...}; while Paho's own loops run,
 * its threads carry Paho's names ({@code MQTT Rec: <clientId>} etc.).
 */
public final class MqttLink implements Link {
  private static final Logger log = LoggerFactory.getLogger(MqttLink.class);

  private final MqttLinkSettings settings;
  private final Clock clock;
  private final ArrayBlockingQueue<Outgoing> queue;
  private final StatusBoard board;
  private final Sender sender;
  private final Object lifecycle = new Object();
  private LinkThreads threads;
  private volatile boolean closed;

  /**
   * Reads the TLS files, if any; connects only on {@link #start()}.
   *
   * @throws IllegalArgumentException if a TLS file cannot be used (the message names it)
   */
  public MqttLink(MqttLinkSettings settings) {
    this(settings, Clock.systemUTC());
  }

  MqttLink(MqttLinkSettings settings, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    Optional<SSLContext> tls = settings.tls().map(PemTls::context);
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.board = new StatusBoard(clock, settings.maxInFlight());
    this.sender = new Sender(settings, tls, clock, queue, board);
  }

  @Override
  public String id() {
    return settings.id();
  }

  /**
   * Starts connecting in the background; returns at once. Calling it again has no effect.
   *
   * @throws IllegalStateException if the link was closed
   */
  @Override
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("MQTT link " + settings.id() + " is closed");
      }
      if (threads != null) {
        return;
      }
      threads = new LinkThreads(settings.id(), sender);
      sender.bind(threads);
      threads.start();
    }
    log.info(
        "MQTT link {}: starting; broker {}, client id {}, TLS {}",
        settings.id(),
        settings.serverUri(),
        settings.clientId(),
        settings.tls().map(t -> t.clientCertificate().isPresent() ? "mutual" : "on").orElse("off"));
  }

  /** Accepted messages wait, also before {@link #start()}, until connected. Never blocks. */
  @Override
  public CompletableFuture<Void> publish(Message message) {
    Objects.requireNonNull(message, "message");
    Optional<String> topicProblem = Topics.problem(message.topic());
    if (topicProblem.isPresent()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("topic " + topicProblem.get()));
    }
    if (closed) {
      return cancelled();
    }
    Outgoing outgoing = new Outgoing(message, new CompletableFuture<>(), clock.millis());
    if (!queue.offer(outgoing)) {
      board.rejected.incrementAndGet();
      return CompletableFuture.failedFuture(
          new LinkBusyException(
              "MQTT link "
                  + settings.id()
                  + ": queue full ("
                  + settings.queueCapacity()
                  + " messages waiting for the broker)"));
    }
    if (closed && queue.remove(outgoing)) {
      // close() raced with us and its sender may have emptied the queue already.
      outgoing.future.cancel(false);
    }
    sender.wakeIfIdle();
    return outgoing.future;
  }

  @Override
  public void subscribe(String filter, Consumer<Received> handler) {
    Objects.requireNonNull(handler, "handler");
    Optional<String> problem = Topics.filterProblem(filter);
    if (problem.isPresent()) {
      throw new IllegalArgumentException("topic filter " + problem.get());
    }
    synchronized (lifecycle) {
      if (threads != null || closed) {
        throw new IllegalStateException(
            "MQTT link " + settings.id() + ": subscribe before start()");
      }
      sender.subscribe(new Sender.Subscription(filter, handler));
    }
  }

  @Override
  public LinkStatus status() {
    return board.snapshot(settings.id(), settings.serverUri(), queue.size());
  }

  /**
   * Stops reconnecting, waits up to a second for in-flight messages to be acknowledged, then
   * disconnects cleanly (the broker discards the will) and cancels every message not acknowledged.
   * Idempotent.
   */
  @Override
  public void close() {
    LinkThreads started;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      started = threads;
    }
    sender.stop();
    if (started == null) {
      sender.finishUnstarted();
      return;
    }
    try {
      // The sender may be waiting for a connect attempt to end before it can disconnect cleanly.
      Duration grace = settings.connectTimeout().plusSeconds(3);
      if (!started.awaitStopped(grace)) {
        log.warn(
            "MQTT link {}: threads still running after close, abandoned: {}",
            settings.id(),
            started.alive());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "MqttLink[" + settings.id() + " -> " + settings.serverUri() + "]";
  }

  private static CompletableFuture<Void> cancelled() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    f.cancel(false);
    return f;
  }
}
