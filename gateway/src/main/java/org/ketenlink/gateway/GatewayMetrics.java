package org.ketenlink.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.Link;
import org.ketenlink.connectors.api.Source;

/**
 * The one metrics catalogue: every meter the gateway exposes is named here, all under {@code
 * ketenlink.*}, with low-cardinality tags only (source, link, stage, reason, partner, agreement).
 * Documented in docs/operations.md.
 */
final class GatewayMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final Map<String, Counter[]> shared = new ConcurrentHashMap<>();

  GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  MeterRegistry registry() {
    return registry;
  }

  /**
   * Meters read from a source's status snapshot when scraped. The source itself is the meters'
   * state object: Micrometer holds it weakly, and the gateway holds it for its whole life.
   */
  void source(Source status) {
    String id = status.id();
    FunctionCounter.builder(
            "ketenlink.source.values.received", status, s -> s.status().samplesReceived())
        .description("Values received from the source")
        .tag("source", id)
        .register(registry);
    FunctionCounter.builder(
            "ketenlink.source.values.dropped", status, s -> s.status().samplesDropped())
        .description("Values the OPC UA server reported lost (queue overflow, lost notifications)")
        .tag("source", id)
        .register(registry);
    FunctionCounter.builder("ketenlink.source.reconnects", status, s -> s.status().reconnects())
        .description("Sessions lost and re-established")
        .tag("source", id)
        .register(registry);
    FunctionCounter.builder(
            "ketenlink.source.subscription.recoveries",
            status,
            s -> s.status().subscriptionRecoveries())
        .description("Subscriptions re-created after the server lost them (e.g. a PLC restart)")
        .tag("source", id)
        .register(registry);
    Gauge.builder("ketenlink.source.connected", status, s -> connected(s.status().state()))
        .description("1 while the source's session is up")
        .tag("source", id)
        .register(registry);
    Gauge.builder("ketenlink.source.signals.active", status, s -> s.status().signalsActive())
        .description("Signals monitored with a good result")
        .tag("source", id)
        .register(registry);
  }

  /** Meters read from a link's status snapshot when scraped; the link is the state object. */
  void link(Link status) {
    String id = status.id();
    FunctionCounter.builder(
            "ketenlink.link.messages.published", status, s -> s.status().published())
        .description("Messages sent to the broker")
        .tag("link", id)
        .register(registry);
    FunctionCounter.builder(
            "ketenlink.link.messages.acknowledged", status, s -> s.status().acknowledged())
        .description("Messages the broker acknowledged")
        .tag("link", id)
        .register(registry);
    FunctionCounter.builder("ketenlink.link.reconnects", status, s -> s.status().reconnects())
        .description("Broker connections lost and re-established")
        .tag("link", id)
        .register(registry);
    Gauge.builder("ketenlink.link.inflight", status, s -> s.status().inFlight())
        .description("Messages sent and not yet acknowledged")
        .tag("link", id)
        .register(registry);
    Gauge.builder("ketenlink.link.queued", status, s -> s.status().queued())
        .description("Messages accepted and waiting for the in-flight window")
        .tag("link", id)
        .register(registry);
    Gauge.builder("ketenlink.link.connected", status, s -> connected(s.status().state()))
        .description("1 while the link is connected")
        .tag("link", id)
        .register(registry);
  }

  /** A link's journal; the journal is the state object, held by the gateway for its life. */
  void journal(String linkId, org.ketenlink.gateway.journal.Journal journal) {
    Gauge.builder("ketenlink.journal.backlog.records", journal, j -> j.stats().backlogRecords())
        .description("Values journaled and not yet acknowledged by the broker")
        .tag("link", linkId)
        .register(registry);
    Gauge.builder("ketenlink.journal.backlog.bytes", journal, j -> j.stats().backlogBytes())
        .description("Bytes journaled and not yet acknowledged")
        .tag("link", linkId)
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder(
            "ketenlink.journal.oldest.age", journal, j -> j.stats().oldestAgeMillis() / 1000.0)
        .description("Age of the oldest unacknowledged value")
        .tag("link", linkId)
        .baseUnit("seconds")
        .register(registry);
    FunctionCounter.builder("ketenlink.journal.dropped", journal, j -> j.stats().droppedByBudget())
        .description("Unacknowledged values dropped by the journal's limits")
        .tag("link", linkId)
        .tag("reason", "budget")
        .register(registry);
    FunctionCounter.builder("ketenlink.journal.dropped", journal, j -> j.stats().droppedByAge())
        .description("Unacknowledged values dropped by the journal's limits")
        .tag("link", linkId)
        .tag("reason", "age")
        .register(registry);
    FunctionCounter.builder("ketenlink.journal.appended", journal, j -> j.stats().appended())
        .description("Values written to the journal")
        .tag("link", linkId)
        .register(registry);
  }

  void pipelineQueue(IntSupplier size, int capacity) {
    Gauge.builder("ketenlink.pipeline.queue.size", size, IntSupplier::getAsInt)
        .strongReference(true)
        .description("Samples waiting for the pipeline thread (capacity " + capacity + ")")
        .register(registry);
  }

  void dropped(Stage stage, String reason) {
    dropped
        .computeIfAbsent(
            stage.tag() + "/" + reason,
            k ->
                Counter.builder("ketenlink.pipeline.dropped")
                    .description("Values dropped, by stage and reason; never silent")
                    .tag("stage", stage.tag())
                    .tag("reason", reason)
                    .register(registry))
        .increment();
  }

  /** What {@link #dropped} counted so far, by {@code stage/reason}. */
  java.util.SortedMap<String, Long> droppedByReason() {
    java.util.SortedMap<String, Long> counts = new java.util.TreeMap<>();
    dropped.forEach((key, counter) -> counts.put(key, (long) counter.count()));
    return counts;
  }

  void error(Stage stage) {
    errors
        .computeIfAbsent(
            stage.tag(),
            k ->
                Counter.builder("ketenlink.errors")
                    .description("Unexpected failures, by stage")
                    .tag("stage", stage.tag())
                    .register(registry))
        .increment();
  }

  /** A message was acknowledged; latency is from receiving the value to the acknowledgement. */
  void published(String linkId, Duration sinceReceived) {
    latency
        .computeIfAbsent(
            linkId,
            k ->
                Timer.builder("ketenlink.publish.latency")
                    .description(
                        "From receiving a value from the source to the broker's acknowledgement")
                    .tag("link", k)
                    .publishPercentiles(0.5, 0.99)
                    .register(registry))
        .record(sinceReceived);
  }

  /** A message of {@code bytes} payload was shared with a partner under an agreement. */
  void shared(String partner, String agreement, int bytes) {
    Counter[] c =
        shared.computeIfAbsent(
            partner + "/" + agreement,
            k ->
                new Counter[] {
                  Counter.builder("ketenlink.share.messages")
                      .description("Messages shared with a partner, by agreement")
                      .tag("partner", partner)
                      .tag("agreement", agreement)
                      .register(registry),
                  Counter.builder("ketenlink.share.bytes")
                      .description("Payload bytes shared with a partner, by agreement")
                      .tag("partner", partner)
                      .tag("agreement", agreement)
                      .register(registry)
                });
    c[0].increment();
    c[1].increment(bytes);
  }

  private static double connected(ConnectionState state) {
    return state == ConnectionState.CONNECTED ? 1 : 0;
  }
}
