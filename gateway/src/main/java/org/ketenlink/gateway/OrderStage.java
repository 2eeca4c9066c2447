package org.ketenlink.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.SourceConfig;
import org.ketenlink.gateway.production.OrderLifecycle;
import org.ketenlink.gateway.production.OrderLifecycle.OrderEvent;
import org.ketenlink.gateway.production.OrderLifecycle.Reported;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The order stage of the pipeline: turns each machine's order snapshots into order events ({@code
 * ketenlink.order/1}) on {@code .../<line>/<machine>/order/<orderId>}, QoS 1 and retained, so the
 * topic always holds the order's latest status. What was reported is kept in {@code
 * <dataDir>/orders/<source>.json}, so a restart reports only what changed meanwhile. Pipeline
 * thread only.
 */
final class OrderStage {
  private static final Logger log = LoggerFactory.getLogger(OrderStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern TOPIC_SAFE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** One reading of a machine's orders, made off the pipeline thread. */
  record Snapshot(String sourceId, List<OrderFacts> orders) {}

  /** An event as published, ready to share: its topic, where, and the machine's time. */
  record Published(
      String sourceId,
      OrderEvent event,
      String topic,
      String line,
      String machine,
      String asset,
      Instant at) {}

  private static final class Machine {
    final String line;
    final String machine;
    final String asset;
    final OrderLifecycle lifecycle;
    final Path file;
    Instant time;

    Machine(String line, String machine, String asset, OrderLifecycle lifecycle, Path file) {
      this.line = line;
      this.machine = machine;
      this.asset = asset;
      this.lifecycle = lifecycle;
      this.file = file;
    }
  }

  private final Map<String, Machine> machines = new HashMap<>();
  private final Map<String, Long> seqs = new HashMap<>();
  private final Topics topics;
  private final PayloadEncoder encoder;
  private final java.util.Set<String> unsafeLogged = new java.util.HashSet<>();

  OrderStage(GatewayConfig config, Topics topics, PayloadEncoder encoder) {
    this.topics = topics;
    this.encoder = encoder;
    Path dir = config.dataDir().resolve("orders");
    for (SourceConfig sc : config.sources()) {
      if (sc.orders().isEmpty()) {
        continue;
      }
      GatewayConfig.OrdersConfig oc = sc.orders().get();
      OrderLifecycle lifecycle =
          new OrderLifecycle(
              new OrderLifecycle.Progress(oc.progressParts(), oc.progressInterval()));
      Path file = dir.resolve(sc.id() + ".json");
      load(file).ifPresent(lifecycle::restore);
      machines.put(
          sc.id(),
          new Machine(
              sc.line(), sc.machine(), topics.asset(sc.line(), sc.machine()), lifecycle, file));
    }
  }

  boolean active() {
    return !machines.isEmpty();
  }

  /** The machine's time is the newest source timestamp it sent (simulators may run fast). */
  void observe(String sourceId, Instant sourceTime) {
    Machine m = machines.get(sourceId);
    if (m != null && (m.time == null || sourceTime.isAfter(m.time))) {
      m.time = sourceTime;
    }
  }

  /** Publishes the events since the machine's last snapshot; returns them for sharing. */
  List<Published> apply(Snapshot s, Instant gatewayNow, Consumer<Message> journal) {
    Machine m = machines.get(s.sourceId());
    if (m == null) {
      return List.of();
    }
    Instant machineNow = m.time == null ? gatewayNow : m.time;
    List<OrderEvent> events = m.lifecycle.update(s.orders(), machineNow);
    List<Published> out = new java.util.ArrayList<>(events.size());
    for (OrderEvent e : events) {
      String orderId = e.order().orderId();
      if (!TOPIC_SAFE.matcher(orderId).matches()) {
        if (unsafeLogged.add(s.sourceId() + "/" + orderId)) {
          log.warn(
              "Order '{}' of source {} not published: an order id in a topic must be 1-64 of"
                  + " A-Z a-z 0-9 . _ -",
              orderId,
              s.sourceId());
        }
        continue;
      }
      String topic = topics.order(m.line, m.machine, orderId);
      long seq = seqs.merge(topic, 1L, Long::sum);
      journal.accept(
          PayloadEncoder.retained(
              topic,
              encoder.order(e, m.asset, seq, machineNow, gatewayNow, Optional.empty()),
              Map.of("schema", PayloadEncoder.ORDER_SCHEMA)));
      out.add(new Published(s.sourceId(), e, topic, m.line, m.machine, m.asset, machineNow));
    }
    if (!events.isEmpty()) {
      save(m.file, m.lifecycle.reported());
    }
    return out;
  }

  // ------------------------------------------------------------------------------ persistence

  private static Optional<Map<String, Reported>> load(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      Map<String, Reported> m = new LinkedHashMap<>();
      root.fields()
          .forEachRemaining(
              e -> {
                JsonNode n = e.getValue();
                m.put(
                    e.getKey(),
                    new Reported(
                        n.path("state").asText(),
                        n.path("planned").asLong(),
                        n.path("good").asLong(),
                        n.path("scrap").asLong(),
                        time(n.path("due")),
                        n.path("started").asBoolean(),
                        n.path("progressGood").asLong(),
                        time(n.path("progressAt")).orElse(Instant.EPOCH)));
              });
      return Optional.of(m);
    } catch (IOException | RuntimeException e) {
      log.warn("Order state {} unreadable ({}); orders are reported afresh", file, e.toString());
      return Optional.empty();
    }
  }

  private static Optional<Instant> time(JsonNode n) {
    return n.isTextual() ? Optional.of(Instant.parse(n.asText())) : Optional.empty();
  }

  private static void save(Path file, Map<String, Reported> reported) {
    Map<String, Object> root = new LinkedHashMap<>();
    reported.forEach(
        (id, r) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("state", r.state());
          m.put("planned", r.planned());
          m.put("good", r.good());
          m.put("scrap", r.scrap());
          m.put("due", r.due().map(Instant::toString).orElse(null));
          m.put("started", r.started());
          m.put("progressGood", r.progressGood());
          m.put("progressAt", r.progressAt().toString());
          root.put(id, m);
        });
    try {
      JsonFiles.writeAtomically(file, root);
    } catch (IOException e) {
      log.error("Order state {} not saved: {}", file, e.toString());
    }
  }
}
