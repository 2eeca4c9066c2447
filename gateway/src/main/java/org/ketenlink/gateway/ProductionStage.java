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
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.ProductionConfig;
import org.ketenlink.gateway.config.GatewayConfig.SourceConfig;
import org.ketenlink.gateway.production.MachineProduction;
import org.ketenlink.gateway.production.StateModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The derive stage for machine state and production: feeds each mapped machine's state, reason and
 * counter values (normalised, in machine time) to its {@link MachineProduction} and publishes what
 * comes out — state changes on {@code .../<machine>/state/timeline} and finished periods on {@code
 * .../<machine>/production/interval} and {@code .../production/shift}, QoS 1, retained. The
 * counters' baselines as of the last closed period are kept in {@code
 * <dataDir>/production/<source>.json}, so a restart neither counts a part twice nor loses one.
 * Pipeline thread only.
 */
final class ProductionStage {
  private static final Logger log = LoggerFactory.getLogger(ProductionStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String TIMELINE = "timeline";
  static final String PRODUCTION = "production";

  private record Machine(
      ProductionConfig roles,
      MachineProduction production,
      String line,
      String machine,
      String asset,
      Path file) {}

  private final Map<String, Machine> machines = new HashMap<>();
  private final Map<String, Long> seqs = new HashMap<>();
  private final Topics topics;
  private final PayloadEncoder encoder;

  ProductionStage(GatewayConfig config, Topics topics, PayloadEncoder encoder) {
    this.topics = topics;
    this.encoder = encoder;
    for (SourceConfig sc : config.sources()) {
      if (sc.production().isEmpty()) {
        continue;
      }
      ProductionConfig pc = sc.production().get();
      Path file = config.dataDir().resolve("production").resolve(sc.id() + ".json");
      OptionalLong[] baselines = load(file);
      Optional<MachineProduction.Shifts> shifts =
          pc.shifts().isEmpty()
              ? Optional.empty()
              : Optional.of(
                  new MachineProduction.Shifts(
                      pc.shiftZone(),
                      List.copyOf(pc.shifts().values()),
                      List.copyOf(pc.shifts().keySet())));
      MachineProduction mp =
          new MachineProduction(
              new MachineProduction.Settings(
                  pc.model() == GatewayConfig.StateModelName.PACKML
                      ? StateModel.PACKML
                      : StateModel.MACHINERY,
                  pc.idealCycleTime(),
                  pc.partsPerCycle(),
                  pc.interval(),
                  shifts),
              baselines[0],
              baselines[1]);
      machines.put(
          sc.id(),
          new Machine(
              pc, mp, sc.line(), sc.machine(), topics.asset(sc.line(), sc.machine()), file));
    }
  }

  /** Takes one normalised value of any source; publishes what it completes. */
  void accept(NormalisedSample n, Consumer<Message> journal) {
    Machine m = machines.get(n.stream().sourceId());
    if (m == null) {
      return;
    }
    String name = n.stream().name();
    Instant t = n.sourceTime();
    boolean ok = n.quality() == Quality.GOOD;
    ProductionConfig r = m.roles();
    List<Object> out;
    if (name.equals(r.stateSignal())) {
      out = m.production().state(object(n.value()), ok, t);
    } else if (name.equals(r.goodSignal())) {
      out = m.production().good(count(n.value()), ok, t);
    } else if (name.equals(r.scrapSignal())) {
      out = m.production().scrap(count(n.value()), ok, t);
    } else {
      if (r.reasonSignal().filter(name::equals).isPresent()) {
        m.production().reason(ok ? String.valueOf(object(n.value())) : "");
        out = m.production().tick(t);
      } else if (r.activeOrderSignal().filter(name::equals).isPresent() && ok) {
        out = m.production().activeOrder(String.valueOf(object(n.value())).trim(), t);
      } else {
        out = m.production().tick(t);
      }
    }
    publish(m, out, n.gatewayTime(), journal);
  }

  /**
   * An order of {@code sourceId} completed or was aborted: publishes its period (time while it was
   * the machine's active order, its own good and scrap counts, OEE) on {@code
   * .../production/order}.
   */
  void orderFinished(
      String sourceId, OrderFacts order, Instant at, Instant now, Consumer<Message> journal) {
    Machine m = machines.get(sourceId);
    if (m == null || m.roles().activeOrderSignal().isEmpty()) {
      return;
    }
    Optional<MachineProduction.Period> p =
        m.production()
            .finishOrder(
                order.orderId(),
                order.good() >= 0 ? OptionalLong.of(order.good()) : OptionalLong.empty(),
                order.scrap() >= 0 ? OptionalLong.of(order.scrap()) : OptionalLong.empty(),
                order.end().orElse(at));
    p.ifPresent(period -> publish(m, List.of(period), now, journal));
  }

  private void publish(Machine m, List<Object> out, Instant now, Consumer<Message> journal) {
    boolean closed = false;
    for (Object o : out) {
      if (o instanceof MachineProduction.StateChange c) {
        String topic = topics.derived(m.line(), m.machine(), "state", TIMELINE);
        journal.accept(
            message(
                topic, encoder.state(c, m.asset(), next(topic), now), PayloadEncoder.STATE_SCHEMA));
      } else if (o instanceof MachineProduction.Period p) {
        String topic = topics.derived(m.line(), m.machine(), PRODUCTION, p.window().kind());
        journal.accept(
            message(
                topic,
                encoder.production(p, m.asset(), next(topic), now),
                PayloadEncoder.PRODUCTION_SCHEMA));
        closed |= p.window().kind().equals("interval");
      }
    }
    if (closed) {
      save(m.file(), m.production().baselines());
    }
  }

  private long next(String topic) {
    return seqs.merge(topic, 1L, Long::sum);
  }

  private static Message message(String topic, byte[] payload, String schema) {
    return PayloadEncoder.retained(topic, payload, Map.of("schema", schema));
  }

  private static Object object(Value v) {
    if (v instanceof Value.Int i) {
      return i.value();
    }
    if (v instanceof Value.Real r) {
      return r.value();
    }
    if (v instanceof Value.Text t) {
      return t.value();
    }
    return String.valueOf(v);
  }

  private static long count(Value v) {
    if (v instanceof Value.Int i) {
      return i.value();
    }
    if (v instanceof Value.Real r && Double.isFinite(r.value())) {
      return (long) r.value();
    }
    return -1;
  }

  // ------------------------------------------------------------------------------ persistence

  private static OptionalLong[] load(Path file) {
    OptionalLong[] b = {OptionalLong.empty(), OptionalLong.empty()};
    if (!Files.exists(file)) {
      return b;
    }
    try {
      JsonNode n = JSON.readTree(file.toFile());
      if (n.path("good").isIntegralNumber()) {
        b[0] = OptionalLong.of(n.get("good").asLong());
      }
      if (n.path("scrap").isIntegralNumber()) {
        b[1] = OptionalLong.of(n.get("scrap").asLong());
      }
    } catch (IOException | RuntimeException e) {
      log.warn("Production state {} unreadable ({}); counting starts afresh", file, e.toString());
    }
    return b;
  }

  private static void save(Path file, OptionalLong[] baselines) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("good", baselines[0].isPresent() ? baselines[0].getAsLong() : null);
    m.put("scrap", baselines[1].isPresent() ? baselines[1].getAsLong() : null);
    try {
      JsonFiles.writeAtomically(file, m);
    } catch (IOException e) {
      log.error("Production state {} not saved: {}", file, e.toString());
    }
  }
}
