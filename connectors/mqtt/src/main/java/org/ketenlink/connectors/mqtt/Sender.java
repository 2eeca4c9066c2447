package org.ketenlink.connectors.mqtt;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.Received;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link's single writer: one thread that connects (with back-off, also when the very first
 * attempt fails), publishes in order within the in-flight window, and re-sends what a lost
 * connection left unacknowledged. It alone touches the Paho client and the window; Paho's threads
 * only hand events over ({@link #events}) and wake it, so nothing ever blocks Paho's callback
 * thread. Completes the callers' futures, so their dependent actions run here.
 *
 * <p>A new Paho client is made for every connection: a client whose connect hangs or fails is
 * thrown away instead of being reasoned about, and nothing of a previous connection's state can
 * leak into the next one (clean start; the link, not Paho, keeps what must be re-sent).
 */
final class Sender implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(MqttLink.class);

  /** How long close() lets in-flight messages be acknowledged before disconnecting. */
  private static final long CLOSE_QUIESCE_MILLIS = 1_000;

  /**
   * Paho enforces the connect timeout per step (TCP, TLS handshake) but not for the CONNACK; the
   * link enforces it for the whole attempt, a little later so that Paho's more specific error wins.
   */
  private static final long CONNECT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final MqttLinkSettings settings;
  private final Optional<SSLContext> tls;
  private final Clock clock;
  private final Queue<Outgoing> queue;
  private final StatusBoard board;
  private final String hostPort;
  private final Backoff backoff;
  private final Queue<Event> events = new ConcurrentLinkedQueue<>();

  /** Sent on an earlier connection and not acknowledged, in send order; sent before the queue. */
  private final ArrayDeque<Outgoing> resend = new ArrayDeque<>();

  private volatile Thread thread;
  private volatile boolean closing;
  private volatile boolean idle;

  private Connection current;
  private boolean everConnected;

  /** Whether a failure has been logged at WARN since the last success (then DEBUG). */
  private boolean failing;

  /** Whether a refused message has been logged at WARN (later ones at DEBUG). */
  private boolean refusalLogged;

  private LinkThreads threads;

  /** A standing subscription, made again on every connection. */
  record Subscription(String filter, Consumer<Received> handler) {}

  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();

  Sender(
      MqttLinkSettings settings,
      Optional<SSLContext> tls,
      Clock clock,
      Queue<Outgoing> queue,
      StatusBoard board) {
    this.settings = settings;
    this.tls = tls;
    this.clock = clock;
    this.queue = queue;
    this.board = board;
    URI uri = URI.create(settings.serverUri());
    this.hostPort =
        uri.getHost()
            + ":"
            + (uri.getPort() > 0 ? uri.getPort() : "ssl".equals(uri.getScheme()) ? 8883 : 1883);
    this.backoff =
        new Backoff(
            settings.reconnectMinDelay(),
            settings.reconnectMaxDelay(),
            () -> ThreadLocalRandom.current().nextDouble());
  }

  /** Called once, before the thread starts. */
  void bind(LinkThreads threads) {
    this.threads = threads;
    this.thread = threads.sender();
  }

  /** Registers a subscription; only before the thread starts. */
  void subscribe(Subscription subscription) {
    subscriptions.add(subscription);
  }

  /** A publisher queued a message. */
  void wakeIfIdle() {
    if (idle) {
      wake();
    }
  }

  /** Makes the loop finish: it disconnects cleanly and cancels whatever is still pending. */
  void stop() {
    closing = true;
    wake();
  }

  private void wake() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void run() {
    try {
      while (!closing) {
        Connection connection = connect();
        if (connection == null) {
          break;
        }
        serve(connection);
        if (!closing) {
          pause(backoff.next());
        }
      }
    } catch (RuntimeException | Error e) {
      log.error("MQTT link {}: sender stopped unexpectedly", settings.id(), e);
      board.error("internal error: " + e);
    } finally {
      try {
        finish();
      } finally {
        threads.stopPaho();
      }
    }
  }

  // ---------------------------------------------------------------- connecting

  /**
   * Connects, retrying with back-off; {@code null} once the link is closing. An attempt under way
   * when the link closes is seen through (it ends within the connect timeout): Paho wedges a thread
   * if a connect is aborted while it starts its loops, and a connection that did come up must be
   * ended with a DISCONNECT, or the broker would publish the will.
   */
  private Connection connect() {
    while (!closing) {
      Connection connection = null;
      try {
        connection = new Connection(newClient());
        current = connection;
        IMqttToken token = connection.open();
        if (closing) {
          return null; // finish() disconnects it cleanly
        }
        connected(connection, token);
        return connection;
      } catch (MqttException | RuntimeException e) {
        if (connection != null) {
          dispose(connection, connection.hung);
        }
        current = null;
        if (closing) {
          return null;
        }
        failed(Failures.describeConnect(e, hostPort, tls.isPresent()), e);
        pause(backoff.next());
      }
    }
    return null;
  }

  private MqttAsyncClient newClient() throws MqttException {
    return new PahoClient(settings.serverUri(), settings.clientId(), threads.paho());
  }

  private void connected(Connection connection, IMqttToken token) {
    MqttProperties connack = token.getResponseProperties();
    Integer receiveMaximum = connack == null ? null : connack.getReceiveMaximum();
    int brokerWindow = receiveMaximum == null ? 65_535 : receiveMaximum;
    connection.limit = Math.min(settings.maxInFlight(), brokerWindow);
    connection.connectedAt = System.nanoTime();
    board.inFlightLimit = connection.limit;
    if (everConnected) {
      board.reconnects.incrementAndGet();
    }
    everConnected = true;
    failing = false;
    board.state(ConnectionState.CONNECTED);
    log.info(
        "MQTT link {}: connected to {} as {} (in-flight window {}: configured {}, broker {});"
            + " messages waiting: {}",
        settings.id(),
        settings.serverUri(),
        settings.clientId(),
        connection.limit,
        settings.maxInFlight(),
        receiveMaximum == null ? "no limit" : receiveMaximum,
        queue.size() + resend.size());
    subscribeAll(connection);
  }

  /**
   * Makes the standing subscriptions on a new connection (clean start: the broker kept none).
   * Asynchronous: a refusal is logged and reported in the status, the connection stays up. Retained
   * messages are not sent (retain handling 2): a retained request would otherwise be received again
   * on every reconnect.
   */
  private void subscribeAll(Connection connection) {
    for (Subscription sub : subscriptions) {
      MqttSubscription paho = new MqttSubscription(sub.filter(), 1);
      paho.setRetainHandling(2);
      try {
        connection.client.subscribe(
            new MqttSubscription[] {paho},
            null,
            new MqttActionListener() {
              @Override
              public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes();
                int code = codes == null || codes.length == 0 ? 0 : codes[0];
                if (code >= 0x80) {
                  refusedSubscription(sub.filter(), Failures.reason(code));
                } else {
                  log.info("MQTT link {}: subscribed to {}", settings.id(), sub.filter());
                }
              }

              @Override
              public void onFailure(IMqttToken token, Throwable e) {
                if (!connection.lost) {
                  refusedSubscription(sub.filter(), Failures.describe(e, hostPort));
                }
              }
            },
            new MqttProperties());
      } catch (MqttException | RuntimeException e) {
        refusedSubscription(sub.filter(), e.toString());
      }
    }
  }

  private void refusedSubscription(String filter, String reason) {
    String text = "subscription to " + filter + " refused: " + reason;
    board.error(text);
    log.warn("MQTT link {}: {}", settings.id(), text);
  }

  /** On Paho's callback thread: hands the message to every subscription it matches. */
  private void arrived(String topic, MqttMessage message) {
    Received received = null;
    for (Subscription sub : subscriptions) {
      if (Topics.matches(sub.filter(), topic)) {
        if (received == null) {
          received = new Received(topic, message.getPayload());
        }
        try {
          sub.handler().accept(received);
        } catch (RuntimeException e) {
          log.error(
              "MQTT link {}: the handler of {} failed on a message to {}",
              settings.id(),
              sub.filter(),
              topic,
              e);
        }
      }
    }
  }

  private void failed(String reason, Throwable e) {
    board.error(reason);
    if (!failing) {
      failing = true;
      log.warn(
          "MQTT link {}: cannot connect to {}: {}; retrying with back-off up to {} ms"
              + " (further failures are logged at DEBUG until connected)",
          settings.id(),
          settings.serverUri(),
          reason,
          settings.reconnectMaxDelay().toMillis());
    } else {
      log.debug(
          "MQTT link {}: cannot connect to {}: {}", settings.id(), settings.serverUri(), reason);
    }
    log.debug("MQTT link {}: connect failure detail", settings.id(), e);
  }

  // ---------------------------------------------------------------- sending

  private void serve(Connection connection) {
    settings.birth().ifPresent(b -> send(connection, new Outgoing(b, null, clock.millis())));
    while (true) {
      drainEvents();
      if (closing || connection.lost) {
        return;
      }
      if (connection.inFlight.size() < connection.limit) {
        Outgoing next = nextToSend();
        if (next != null) {
          send(connection, next);
          continue;
        }
      }
      idle = true;
      if (events.isEmpty()
          && !closing
          && (connection.inFlight.size() >= connection.limit
              || (resend.isEmpty() && queue.isEmpty()))) {
        park(IDLE_PARK_NANOS);
      }
      idle = false;
    }
  }

  private Outgoing nextToSend() {
    Outgoing next;
    while ((next = resend.pollFirst()) != null) {
      if (!next.done) {
        board.resendWaiting = resend.size();
        return next;
      }
    }
    board.resendWaiting = 0;
    return queue.poll();
  }

  private void send(Connection connection, Outgoing outgoing) {
    MqttMessage message =
        PahoMessages.toPaho(outgoing.message, clock.millis() - outgoing.acceptedAt);
    connection.inFlight.add(outgoing);
    try {
      connection.client.publish(outgoing.message.topic(), message, outgoing, connection.deliveries);
      if (!outgoing.isBirth()) {
        board.published.incrementAndGet();
      }
    } catch (MqttException e) {
      connection.inFlight.remove(outgoing);
      switch (e.getReasonCode()) {
        case MqttClientException.REASON_CODE_MAX_INFLIGHT,
            MqttClientException.REASON_CODE_NO_MESSAGE_IDS_AVAILABLE -> {
          // Paho frees a slot a moment after it reported the acknowledgement; try again shortly.
          resend.addFirst(outgoing);
          park(TimeUnit.MILLISECONDS.toNanos(1));
        }
        case MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED,
            MqttClientException.REASON_CODE_CLIENT_DISCONNECTING,
            MqttClientException.REASON_CODE_CONNECTION_LOST,
            MqttClientException.REASON_CODE_CLIENT_CLOSED -> {
          resend.addFirst(outgoing);
          lost(connection, Failures.describe(e, hostPort));
        }
        default -> refuse(outgoing, Failures.describe(e, hostPort));
      }
    } catch (RuntimeException e) {
      connection.inFlight.remove(outgoing);
      refuse(outgoing, e.getMessage());
    }
    board.inFlight = connection.inFlight.size();
    board.resendWaiting = resend.size();
  }

  private void drainEvents() {
    Event event;
    while ((event = events.poll()) != null) {
      if (event instanceof Acked acked) {
        if (acked.connection() == current) {
          current.inFlight.remove(acked.outgoing());
        }
        acknowledged(acked.outgoing(), acked.reasonCode());
      } else if (event instanceof Lost l
          && !closing
          && l.connection() == current
          && !current.lost) {
        lost(current, l.reason());
      }
    }
    board.inFlight = current == null ? 0 : current.inFlight.size();
  }

  private void acknowledged(Outgoing outgoing, int reasonCode) {
    if (outgoing.done) {
      return;
    }
    outgoing.done = true;
    if (reasonCode >= 0x80) {
      refuse(outgoing, "broker refused it: " + Failures.reason(reasonCode));
    } else if (!outgoing.isBirth()) {
      board.acknowledged.incrementAndGet();
      outgoing.future.complete(null);
    }
  }

  private void refuse(Outgoing outgoing, String reason) {
    outgoing.done = true;
    String text = "cannot publish to " + outgoing.message.topic() + ": " + reason;
    if (outgoing.isBirth()) {
      log.warn("MQTT link {}: birth message not published: {}", settings.id(), text);
      return;
    }
    if (!refusalLogged) {
      refusalLogged = true;
      log.warn(
          "MQTT link {}: {} (the caller's future fails; further refusals are logged at DEBUG)",
          settings.id(),
          text);
    } else {
      log.debug("MQTT link {}: {}", settings.id(), text);
    }
    outgoing.future.completeExceptionally(new IllegalStateException(text));
  }

  /**
   * The connection is gone: what it left unacknowledged goes back in front of the queue, in the
   * order it was sent, to be re-sent on the next connection (at least once: the broker may have
   * received some of it).
   */
  private void lost(Connection connection, String reason) {
    connection.lost = true;
    List<Outgoing> again = new ArrayList<>();
    for (Outgoing o : connection.inFlight) {
      if (!o.done && !o.isBirth()) {
        again.add(o);
      }
    }
    for (Outgoing o : resend) {
      if (!o.done && !o.isBirth()) {
        again.add(o);
      }
    }
    connection.inFlight.clear();
    resend.clear();
    resend.addAll(again);
    board.inFlight = 0;
    board.resendWaiting = resend.size();
    board.error(reason);
    board.state(ConnectionState.DISCONNECTED);
    failing = true;
    log.warn(
        "MQTT link {}: connection to {} lost: {}; reconnecting with back-off, {} unacknowledged"
            + " messages will be re-sent (further failures are logged at DEBUG until connected)",
        settings.id(),
        settings.serverUri(),
        reason,
        resend.size());
    if (System.nanoTime() - connection.connectedAt >= settings.reconnectMaxDelay().toNanos()) {
      backoff.reset();
    }
    dispose(connection, false);
    current = null;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Sleeps until {@code delay} has passed or the link closes; late events are still handled. */
  private void pause(Duration delay) {
    long deadline = System.nanoTime() + delay.toNanos();
    long left;
    while (!closing && (left = deadline - System.nanoTime()) > 0) {
      park(left);
      drainEvents();
    }
  }

  /**
   * Nobody interrupts the sender on purpose ({@link #stop()} is how it is told to finish); a stray
   * interrupt, e.g. from a caller's dependent action, is cleared so that parking does not spin.
   */
  private void park(long nanos) {
    LockSupport.parkNanos(this, nanos);
    if (Thread.interrupted()) {
      log.debug("MQTT link {}: sender thread interrupted; ignored", settings.id());
    }
  }

  /** Disconnects cleanly (no will) and cancels what was not acknowledged. */
  private void finish() {
    Connection connection = current;
    if (connection != null) {
      boolean clean = false;
      try {
        connection
            .client
            .disconnect(CLOSE_QUIESCE_MILLIS)
            .waitForCompletion(settings.connectTimeout().toMillis());
        clean = true;
      } catch (MqttException | RuntimeException e) {
        log.debug("MQTT link {}: clean disconnect failed", settings.id(), e);
      }
      drainEvents();
      dispose(connection, !clean);
      current = null;
    }
    int cancelled = 0;
    if (connection != null) {
      cancelled += cancel(connection.inFlight);
    }
    cancelled += cancel(resend);
    List<Outgoing> queued = new ArrayList<>();
    Outgoing o;
    while ((o = queue.poll()) != null) {
      queued.add(o);
    }
    cancelled += cancel(queued);
    board.inFlight = 0;
    board.resendWaiting = 0;
    board.state(ConnectionState.STOPPED);
    log.info(
        "MQTT link {}: closed ({} unacknowledged messages cancelled)", settings.id(), cancelled);
  }

  /** Without a thread (never started): cancel what was queued. */
  void finishUnstarted() {
    finish();
  }

  private static int cancel(Iterable<Outgoing> outgoing) {
    int n = 0;
    for (Outgoing o : outgoing) {
      if (!o.done && !o.isBirth()) {
        o.done = true;
        o.future.cancel(false);
        n++;
      }
    }
    return n;
  }

  /**
   * Closes the Paho client, best effort: one that hangs is abandoned and its threads end when the
   * link closes.
   *
   * @param abort whether the client may still be connecting and its network must be torn down
   *     first; not for a client Paho has already disconnected (that would report the loss again)
   */
  private void dispose(Connection connection, boolean abort) {
    MqttAsyncClient client = connection.client;
    if (abort) {
      try {
        client.disconnectForcibly(0, 0, false);
      } catch (MqttException | RuntimeException e) {
        log.debug("MQTT link {}: abort: {}", settings.id(), e.toString());
      }
    }
    try {
      client.close(true);
    } catch (MqttException | RuntimeException e) {
      log.debug("MQTT link {}: Paho client not closed: {}", settings.id(), e.toString());
    }
  }

  // ---------------------------------------------------------------- Paho side

  private sealed interface Event permits Acked, Lost {}

  private record Acked(Connection connection, Outgoing outgoing, int reasonCode) implements Event {}

  private record Lost(Connection connection, String reason) implements Event {}

  private void post(Event event) {
    events.add(event);
    wake();
  }

  /** One Paho client and what was sent on it; sender thread only, except the Paho callbacks. */
  private final class Connection {
    final MqttAsyncClient client;
    final LinkedHashSet<Outgoing> inFlight = new LinkedHashSet<>();
    int limit;
    long connectedAt;
    boolean lost;

    /** The connect attempt timed out; Paho may still be busy with it. */
    boolean hung;

    final MqttActionListener deliveries =
        new MqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            int[] codes = token.getReasonCodes();
            post(
                new Acked(
                    Connection.this,
                    (Outgoing) token.getUserContext(),
                    codes == null || codes.length == 0 ? 0 : codes[0]));
          }

          @Override
          public void onFailure(IMqttToken token, Throwable e) {
            // Only happens when the connection goes; disconnected() reports that, and the message
            // is re-sent on the next connection.
          }
        };

    Connection(MqttAsyncClient client) {
      this.client = client;
      client.setCallback(
          new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
              post(new Lost(Connection.this, describe(response)));
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
              log.debug("MQTT link {}: protocol error reported by Paho", settings.id(), e);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
              arrived(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
          });
    }

    /**
     * Connects and waits for the CONNACK, or Paho's failure, or the connect timeout (then the
     * attempt is marked {@link #hung} and must be aborted).
     */
    IMqttToken open() throws MqttException {
      CompletableFuture<IMqttToken> result = new CompletableFuture<>();
      client.connect(
          PahoMessages.connectOptions(settings, tls),
          null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              result.complete(token);
              wake();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable e) {
              result.completeExceptionally(e);
              wake();
            }
          });
      long deadline = System.nanoTime() + settings.connectTimeout().toNanos() + CONNECT_GRACE_NANOS;
      while (!result.isDone() && deadline - System.nanoTime() > 0) {
        park(deadline - System.nanoTime());
      }
      if (!result.isDone()) {
        hung = true;
        throw new MqttException(
            MqttClientException.REASON_CODE_CLIENT_TIMEOUT,
            new java.net.SocketTimeoutException(
                "no CONNACK within " + settings.connectTimeout().toSeconds() + " s"));
      }
      Throwable failure = result.handle((t, e) -> e).join();
      if (failure instanceof MqttException e) {
        throw e;
      }
      if (failure != null) {
        throw new MqttException(failure);
      }
      return result.join();
    }

    private String describe(MqttDisconnectResponse response) {
      if (response == null) {
        return "connection lost: " + hostPort;
      }
      if (response.getReturnCode() >= 0x80) {
        String detail = response.getReasonString();
        return "broker disconnected us: "
            + Failures.reason(response.getReturnCode())
            + (detail == null || detail.isBlank() ? "" : " - " + detail);
      }
      if (response.getException() != null) {
        return Failures.describe(response.getException(), hostPort);
      }
      return "connection lost: " + hostPort;
    }
  }
}
