package org.ketenlink.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.config.GatewayConfig.PartnerConfig;
import org.ketenlink.gateway.config.StreamSelector;
import org.ketenlink.gateway.pki.SigningKey;

/**
 * The share stage: turns normalised values into each partner's view, as its sharing agreements
 * allow — default deny. A value reaches a partner only through an agreement that selects its stream
 * and is in force at the gateway time of the value; it is published under the partner's own prefix
 * ({@code ketenlink/v1/partners/<partner>/...}), with the agreement's fields redacted, raw or
 * aggregated per window.
 *
 * <p>Not thread-safe: the pipeline thread owns it.
 */
final class Sharer {

  /** One agreement granting one stream to its partner. */
  record Grant(AgreementConfig agreement, StreamSpec stream, String topic) {}

  /** An aggregation window of one grant. */
  record Window(
      Instant start,
      Instant end,
      long count,
      Value last,
      long numeric,
      double min,
      double max,
      double sum,
      Optional<Unit> unit,
      Quality worst) {}

  /** MQTT user property with the Ed25519 signature (base64) over topic, newline and payload. */
  static final String SIGNATURE = "signature";

  /** MQTT user property naming the signing key (first 16 hex digits of its SHA-256). */
  static final String SIGNING_KEY = "signing-key";

  private final Map<String, List<Grant>> grants = new HashMap<>();
  private final Map<Grant, Accumulator> windows = new HashMap<>();
  private final Map<String, long[]> sequences = new HashMap<>();
  private final PayloadEncoder encoder;
  private final GatewayMetrics metrics;
  private final Map<String, StreamSpec> streams;
  private Optional<SigningKey> signing;
  private final AuditTrail audit;
  private List<AgreementConfig> agreements = List.of();
  private Map<String, PartnerConfig> partners = Map.of();

  /**
   * @param streams the configured streams, keyed by {@link Normaliser#key}
   */
  Sharer(
      Map<String, StreamSpec> streams,
      List<AgreementConfig> agreements,
      PayloadEncoder encoder,
      GatewayMetrics metrics,
      Optional<SigningKey> signing,
      AuditTrail audit) {
    this.encoder = encoder;
    this.audit = audit;
    this.metrics = metrics;
    this.signing = signing;
    this.streams = Map.copyOf(streams);
    grant(agreements);
  }

  /** The partners, for their customers (which orders are their own). */
  void partners(List<PartnerConfig> list) {
    Map<String, PartnerConfig> m = new HashMap<>();
    list.forEach(p -> m.put(p.id(), p));
    partners = m;
  }

  private void grant(List<AgreementConfig> agreements) {
    this.agreements = List.copyOf(agreements);
    grants.clear();
    streams.forEach(
        (key, spec) -> {
          for (AgreementConfig a : agreements) {
            if (a.share().stream().anyMatch(sel -> selects(sel, spec))) {
              Grant grant = new Grant(a, spec, Topics.partner(a.partner(), spec.topic()));
              grants.computeIfAbsent(key, k -> new ArrayList<>()).add(grant);
            }
          }
        });
  }

  /**
   * Applies changed agreements from now on: open windows of grants that no longer exist are
   * published first (they hold values shared under the old terms); sequence numbers go on.
   */
  void update(
      List<AgreementConfig> agreements, Optional<SigningKey> signing, Consumer<Message> out) {
    windows.forEach(
        (g, acc) -> {
          if (acc.count > 0) {
            emit(g, acc, out);
          }
        });
    windows.clear();
    this.signing = signing;
    grant(agreements);
  }

  private static boolean selects(StreamSelector sel, StreamSpec spec) {
    String[] levels = spec.topic().split("/");
    int n = levels.length; // ketenlink/v1/ent/site/area/line/machine/kind/name
    return sel.matches(levels[n - 4], levels[n - 3], levels[n - 2], levels[n - 1]);
  }

  /** How many (agreement, stream) grants there are. */
  int grants() {
    return grants.values().stream().mapToInt(List::size).sum();
  }

  /** Shares one value with every partner whose agreement selects it and is in force now. */
  void share(NormalisedSample n, Consumer<Message> out) {
    List<Grant> gs = grants.get(Normaliser.key(n.stream().sourceId(), n.stream().name()));
    if (gs == null) {
      return;
    }
    Instant now = n.gatewayTime();
    for (Grant g : gs) {
      if (!g.agreement().activeAt(now)) {
        continue;
      }
      if (g.agreement().granularity().isRaw()) {
        publish(g, encoder.share(n, g, next(g.topic())), out);
      } else {
        Accumulator acc = windows.computeIfAbsent(g, x -> new Accumulator());
        Duration every = g.agreement().granularity().every().orElseThrow();
        if (acc.count > 0 && !now.isBefore(acc.end)) {
          emit(g, acc, out);
        }
        if (acc.count == 0) {
          acc.open(now, every);
        }
        acc.add(n);
      }
    }
  }

  /**
   * A message the gateway derived for one machine — an order event, a state change, a production
   * period — to share as the agreements allow. It is selected by {@code line/machine/kind/name};
   * one about an order carries the order's customer, so that an {@code orders: own} agreement
   * shares it only with the partner whose customers include it.
   *
   * @param topic the message's own topic (the partner's is the same under its prefix)
   * @param payload the partner's payload from its agreement and its sequence number
   */
  record Derived(
      String line,
      String machine,
      String kind,
      String name,
      String topic,
      Optional<String> customer,
      String schema,
      BiFunction<AgreementConfig, Long, byte[]> payload) {}

  /** Shares one order event; see {@link #shareDerived}. */
  void shareOrder(OrderStage.Published p, Instant now, Consumer<Message> out) {
    OrderFacts o = p.event().order();
    shareDerived(
        new Derived(
            p.line(),
            p.machine(),
            Topics.ORDER,
            o.orderId(),
            p.topic(),
            Optional.of(o.customer()),
            PayloadEncoder.ORDER_SCHEMA,
            (a, seq) -> encoder.order(p.event(), p.asset(), seq, p.at(), now, Optional.of(a))),
        now,
        out);
  }

  /**
   * Shares one derived message with every partner whose agreement in force selects its stream and,
   * for a message about an order, unless the agreement says {@code orders: all}, whose customers
   * include the order's customer. Always raw and retained, like the message's own topic: these are
   * already events and summaries, not values to aggregate.
   */
  void shareDerived(Derived d, Instant now, Consumer<Message> out) {
    for (AgreementConfig a : agreements) {
      if (!a.activeAt(now)
          || a.share().stream()
              .noneMatch(sel -> sel.matches(d.line(), d.machine(), d.kind(), d.name()))) {
        continue;
      }
      if (d.customer().isPresent() && a.orders() == GatewayConfig.OrderScope.OWN) {
        PartnerConfig partner = partners.get(a.partner());
        if (partner == null || !partner.owns(d.customer().get())) {
          continue;
        }
      }
      String topic = Topics.partner(a.partner(), d.topic());
      byte[] payload = d.payload().apply(a, next(topic));
      out.accept(
          PayloadEncoder.retained(topic, payload, properties(a, d.schema(), topic, payload)));
      metrics.shared(a.partner(), a.id(), payload.length);
      audit.shared(a.partner(), a.id(), payload.length);
    }
  }

  /** The schema property, and the signature when the agreement wants one. */
  private Map<String, String> properties(
      AgreementConfig a, String schema, String topic, byte[] payload) {
    if (!a.sign()) {
      return Map.of("schema", schema);
    }
    SigningKey key =
        signing.orElseThrow(() -> new IllegalStateException("no signing key for signed shares"));
    return Map.of("schema", schema, SIGNATURE, key.sign(topic, payload), SIGNING_KEY, key.keyId());
  }

  /** Publishes every aggregation window that has ended by {@code now}. */
  void flush(Instant now, Consumer<Message> out) {
    windows.forEach(
        (g, acc) -> {
          if (acc.count > 0 && !now.isBefore(acc.end)) {
            emit(g, acc, out);
          }
        });
  }

  private void emit(Grant g, Accumulator acc, Consumer<Message> out) {
    Window w = acc.close();
    publish(g, encoder.shareWindow(g, next(g.topic()), w), out);
  }

  private void publish(Grant g, byte[] payload, Consumer<Message> out) {
    StreamSpec s = g.stream();
    Optional<Duration> expiry = g.agreement().messageExpiry().or(s::expiry);
    Map<String, String> properties =
        properties(g.agreement(), PayloadEncoder.SHARE_SCHEMA, g.topic(), payload);
    out.accept(
        new Message(
            g.topic(),
            payload,
            s.qos(),
            s.retain(),
            s.retain() ? Optional.empty() : expiry,
            PayloadEncoder.CONTENT_TYPE,
            properties));
    metrics.shared(g.agreement().partner(), g.agreement().id(), payload.length);
    audit.shared(g.agreement().partner(), g.agreement().id(), payload.length);
  }

  private long next(String topic) {
    return ++sequences.computeIfAbsent(topic, t -> new long[1])[0];
  }

  /** One window being filled; windows are aligned to multiples of {@code every} since the epoch. */
  private static final class Accumulator {
    Instant start;
    Instant end;
    long count;
    Value last;
    long numeric;
    double min;
    double max;
    double sum;
    Optional<Unit> unit = Optional.empty();
    Quality worst;

    void open(Instant t, Duration every) {
      long size = every.toMillis();
      long s = Math.floorDiv(t.toEpochMilli(), size) * size;
      start = Instant.ofEpochMilli(s);
      end = Instant.ofEpochMilli(s + size);
      count = 0;
      numeric = 0;
      sum = 0;
      min = Double.POSITIVE_INFINITY;
      max = Double.NEGATIVE_INFINITY;
      worst = Quality.GOOD;
    }

    void add(NormalisedSample n) {
      count++;
      last = n.value();
      if (n.unit().isPresent()) {
        unit = n.unit();
      }
      if (n.quality().ordinal() > worst.ordinal()) {
        worst = n.quality();
      }
      // min, max and avg are over the good numeric values only
      if (n.quality() == Quality.GOOD) {
        double d;
        if (n.value() instanceof Value.Real r && Double.isFinite(r.value())) {
          d = r.value();
        } else if (n.value() instanceof Value.Int i) {
          d = i.value();
        } else {
          return;
        }
        numeric++;
        sum += d;
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
    }

    Window close() {
      Window w = new Window(start, end, count, last, numeric, min, max, sum, unit, worst);
      count = 0;
      return w;
    }
  }
}
