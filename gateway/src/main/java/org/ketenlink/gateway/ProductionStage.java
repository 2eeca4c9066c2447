package org.ketenlink.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
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

  static final String STATE = "state";
  static final String TIMELINE = "timeline";
  static final String PRODUCTION = "production";
  static final String PERFORMANCE = "performance";

  /**
   * How long after a period's end, by the machine's clock as the gateway estimates it, a silent
   * machine's period is closed without a value from it.
   */
  static final Duration SILENCE_GRACE = Duration.ofSeconds(2);

  private static final class Machine {
    final ProductionConfig roles;
    final MachineProduction production;
    final String line;
    final String machine;
    final String asset;
    final Path file;

    /**
     * The machine clock's offset: the largest machine time minus gateway time of a value that was
     * news (not a signal's first value after subscribing, which may be hours old); a value never
     * comes from the future, so the estimate never runs ahead of the machine. Unknown (MIN_VALUE)
     * until such a value came: then the clocks are taken to agree.
     */
    long offsetMillis = Long.MIN_VALUE;

    /** The mapped signals that sent their first value (none: the machine was never heard). */
    final java.util.Set<String> heard = new java.util.HashSet<>();

    Machine(
        ProductionConfig roles,
        MachineProduction production,
        String line,
        String machine,
        String asset,
        Path file) {
      this.roles = roles;
      this.production = production;
      this.line = line;
      this.machine = machine;
      this.asset = asset;
      this.file = file;
    }
  }

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

  /**
   * Takes one normalised value of any source; publishes what it completes to {@code journal} and
   * hands it to {@code share} for the partners' views.
   */
  void accept(NormalisedSample n, Consumer<Message> journal, Consumer<Sharer.Derived> share) {
    Machine m = machines.get(n.stream().sourceId());
    if (m == null) {
      return;
    }
    String name = n.stream().name();
    Instant t = n.sourceTime();
    if (!m.heard.add(name)) {
      m.offsetMillis = Math.max(m.offsetMillis, t.toEpochMilli() - n.gatewayTime().toEpochMilli());
    }
    boolean ok = n.quality() == Quality.GOOD;
    ProductionConfig r = m.roles;
    List<Object> out;
    if (name.equals(r.stateSignal())) {
      out = m.production.state(object(n.value()), ok, t);
    } else if (name.equals(r.goodSignal())) {
      out = m.production.good(count(n.value()), ok, t);
    } else if (name.equals(r.scrapSignal())) {
      out = m.production.scrap(count(n.value()), ok, t);
    } else {
      if (r.reasonSignal().filter(name::equals).isPresent()) {
        m.production.reason(ok ? String.valueOf(object(n.value())) : "");
        out = m.production.tick(t);
      } else if (r.activeOrderSignal().filter(name::equals).isPresent() && ok) {
        out = m.production.activeOrder(String.valueOf(object(n.value())).trim(), t);
      } else {
        out = m.production.tick(t);
      }
    }
    publish(m, out, Optional.empty(), n.gatewayTime(), journal, share);
  }

  /**
   * Closes the periods of machines that have gone quiet: when the machine's clock, estimated from
   * the gateway's clock {@code now} and the machine clock's offset, is {@link #SILENCE_GRACE} past
   * a period's end, the period is closed at its end — the machine is taken to have stayed in its
   * state. A machine that is merely slow to send moves its own time past the end first, and then
   * this does nothing.
   */
  void idle(Instant now, Consumer<Message> journal, Consumer<Sharer.Derived> share) {
    for (Machine m : machines.values()) {
      if (m.heard.isEmpty()) {
        continue;
      }
      Optional<Instant> end = m.production.nextEnd();
      long offset = m.offsetMillis == Long.MIN_VALUE ? 0 : m.offsetMillis;
      Instant machineNow = now.plusMillis(offset).minus(SILENCE_GRACE);
      if (end.isPresent() && !machineNow.isBefore(end.get())) {
        publish(m, m.production.tick(end.get()), Optional.empty(), now, journal, share);
      }
    }
  }

  /**
   * An order of {@code sourceId} completed or was aborted: publishes its period (time while it was
   * the machine's active order, its own good and scrap counts, OEE) on {@code .../production/order}
   * and, when the mapping asks for it, its ISA-95 production performance on {@code
   * .../production/performance}.
   */
  void orderFinished(
      String sourceId,
      OrderFacts order,
      boolean aborted,
      Instant at,
      Instant now,
      Consumer<Message> journal,
      Consumer<Sharer.Derived> share) {
    Machine m = machines.get(sourceId);
    if (m == null || m.roles.activeOrderSignal().isEmpty()) {
      return;
    }
    Optional<MachineProduction.Period> p =
        m.production.finishOrder(
            order.orderId(),
            order.good() >= 0 ? OptionalLong.of(order.good()) : OptionalLong.empty(),
            order.scrap() >= 0 ? OptionalLong.of(order.scrap()) : OptionalLong.empty(),
            order.end().orElse(at));
    if (p.isEmpty()) {
      return;
    }
    Optional<String> customer = Optional.of(order.customer());
    publish(m, List.of(p.get()), customer, now, journal, share);
    if (m.roles.performance()) {
      emit(
          m,
          PRODUCTION,
          PERFORMANCE,
          customer,
          PayloadEncoder.PERFORMANCE_SCHEMA,
          (a, seq) -> encoder.performance(order, aborted, p.get(), m.asset, seq, now, a),
          journal,
          share);
    }
  }

  private void publish(
      Machine m,
      List<Object> out,
      Optional<String> customer,
      Instant now,
      Consumer<Message> journal,
      Consumer<Sharer.Derived> share) {
    boolean closed = false;
    for (Object o : out) {
      if (o instanceof MachineProduction.StateChange c) {
        emit(
            m,
            STATE,
            TIMELINE,
            customer,
            PayloadEncoder.STATE_SCHEMA,
            (a, seq) -> encoder.state(c, m.asset, seq, now, a),
            journal,
            share);
      } else if (o instanceof MachineProduction.Period p) {
        emit(
            m,
            PRODUCTION,
            p.window().kind(),
            customer,
            PayloadEncoder.PRODUCTION_SCHEMA,
            (a, seq) -> encoder.production(p, m.asset, seq, now, a),
            journal,
            share);
        closed |= p.window().kind().equals("interval");
      }
    }
    if (closed) {
      save(m.file, m.production.baselines());
    }
  }

  /**
   * Publishes one derived message on the machine's own topic and hands it on for the partners'
   * views, each encoded with its agreement and its own sequence number.
   */
  private void emit(
      Machine m,
      String kind,
      String name,
      Optional<String> customer,
      String schema,
      BiFunction<Optional<AgreementConfig>, Long, byte[]> encode,
      Consumer<Message> journal,
      Consumer<Sharer.Derived> share) {
    String topic = topics.derived(m.line, m.machine, kind, name);
    journal.accept(message(topic, encode.apply(Optional.empty(), next(topic)), schema));
    share.accept(
        new Sharer.Derived(
            m.line,
            m.machine,
            kind,
            name,
            topic,
            customer,
            schema,
            (a, seq) -> encode.apply(Optional.of(a), seq)));
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
