package org.ketenlink.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What the simulator runs: one production line with its machines, the orders queued on them, and a
 * timeline of faults. Immutable; built from YAML by {@link #load}/{@link #parse} or taken from
 * {@link #defaultScenario()}.
 *
 * @param name a label shown in the banner
 * @param start the simulated time at which the run starts; empty means the wall-clock time at start
 * @param lineId the line folder's name in the address space
 * @param lineName the line's display name
 * @param machines the machines, in address-space order
 * @param orders the orders stored on the machines when the run starts, in queue order
 * @param faults the fault timeline, ordered by {@link FaultSpec#at()}
 * @param users user name to password for UserName identity tokens
 */
public record Scenario(
    String name,
    Optional<Instant> start,
    String lineId,
    String lineName,
    List<MachineSpec> machines,
    List<OrderSpec> orders,
    List<FaultSpec> faults,
    Map<String, String> users) {

  /** Identifiers become OPC UA browse names and string node ids, so keep them plain. */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** Node ids directly below Objects besides the line's; a line id must differ from them. */
  private static final List<String> RESERVED_ROOTS = List.of("Machines", "Simulation", "Load");

  public Scenario {
    machines = List.copyOf(machines);
    orders = List.copyOf(orders);
    faults = faults.stream().sorted((a, b) -> a.at().compareTo(b.at())).toList();
    users = Map.copyOf(users);
  }

  /** The kinds of machine the simulator can play. */
  public enum MachineType {
    CNC_MILL("cnc-mill"),
    INJECTION_MOULDING("injection-moulding"),
    PACKAGING_LINE("packaging-line");

    private final String key;

    MachineType(String key) {
      this.key = key;
    }

    /** The name used in scenario files. */
    public String key() {
      return key;
    }

    static Optional<MachineType> byKey(String key) {
      for (MachineType t : values()) {
        if (t.key.equals(key)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * One machine and the rates that drive it.
   *
   * @param idealCycleTime the design cycle time; the real mean cycle time is {@code idealCycleTime
   *     / performance}
   * @param performance the speed ratio in (0, 1]: the OEE performance factor the machine achieves
   * @param scrapRate the probability in [0, 1) that a produced part is scrap
   * @param partsPerCycle parts per cycle (cavities of a mould; 1 otherwise)
   * @param mtbf mean running time between unplanned breakdowns (exponentially distributed); zero
   *     disables breakdowns
   * @param mttr mean time to repair a breakdown (exponentially distributed)
   * @param changeover planned set-up time before each order starts
   * @param microStopProbability packaging only: chance per cycle of a short blocked/starved stop
   * @param microStopMean packaging only: mean duration of such a stop
   */
  public record MachineSpec(
      String id,
      MachineType type,
      String name,
      String manufacturer,
      String model,
      String serialNumber,
      int year,
      Duration idealCycleTime,
      double performance,
      double scrapRate,
      int partsPerCycle,
      Duration mtbf,
      Duration mttr,
      Duration changeover,
      double microStopProbability,
      Duration microStopMean) {}

  /**
   * An order queued on a machine when the run starts.
   *
   * @param due the due date relative to the run's start
   * @param released true to queue it as AllowedToStart, false for NotAllowedToStart
   */
  public record OrderSpec(
      String id,
      String machine,
      String customer,
      String article,
      long quantity,
      Duration due,
      boolean released) {}

  /** The faults the simulator can inject. */
  public enum FaultType {
    /** The machine breaks down with an alarm for {@code duration}. */
    BREAKDOWN("breakdown"),
    /** A signal's status becomes Bad for {@code duration}. */
    BAD_SIGNAL("bad-signal"),
    /** A signal's status becomes Uncertain for {@code duration}. */
    UNCERTAIN_SIGNAL("uncertain-signal"),
    /** All the machine's values stop changing for {@code duration}. */
    FREEZE("freeze"),
    /** Every client session is closed. */
    DROP_SESSIONS("drop-sessions"),
    /** The server stops and comes back after {@code duration}; subscriptions become invalid. */
    RESTART("restart"),
    /** Every service response is delayed by {@code delay} for {@code duration}. */
    SLOW("slow"),
    /** The machine's production counters (and shot counter) reset to zero, as after a PLC reset. */
    COUNTER_RESET("counter-reset");

    private final String key;

    FaultType(String key) {
      this.key = key;
    }

    /** The name used in scenario files and fault methods. */
    public String key() {
      return key;
    }

    /** Looks a fault type up by its scenario name. */
    public static Optional<FaultType> byKey(String key) {
      for (FaultType t : values()) {
        if (t.key.equals(key)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }

    boolean needsMachine() {
      return this == BREAKDOWN
          || this == BAD_SIGNAL
          || this == UNCERTAIN_SIGNAL
          || this == FREEZE
          || this == COUNTER_RESET;
    }

    boolean needsSignal() {
      return this == BAD_SIGNAL || this == UNCERTAIN_SIGNAL;
    }
  }

  /**
   * A fault on the timeline.
   *
   * @param at when, relative to the run's start (simulated time)
   * @param machine the machine it affects, for machine faults
   * @param signal the signal path below the machine, e.g. {@code Monitoring/SpindleSpeed}
   * @param duration how long it lasts (simulated time); for a restart, the real downtime
   * @param delay the response delay of a {@code slow} fault
   */
  public record FaultSpec(
      Duration at,
      FaultType type,
      Optional<String> machine,
      Optional<String> signal,
      Duration duration,
      Duration delay) {}

  /** Raised when a scenario cannot be used; lists every problem with its path. */
  public static final class InvalidScenarioException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    InvalidScenarioException(String source, List<String> problems) {
      super(
          "scenario "
              + source
              + " has "
              + problems.size()
              + (problems.size() == 1 ? " problem" : " problems")
              + ":\n  - "
              + String.join("\n  - ", problems));
      this.problems = List.copyOf(problems);
    }

    /** Every problem, each starting with the path of the offending key. */
    public List<String> problems() {
      return problems;
    }
  }

  /** Reads and validates a scenario file. */
  public static Scenario load(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  /**
   * Parses and validates scenario YAML.
   *
   * @param source names the input in error messages
   * @throws InvalidScenarioException listing every problem found
   */
  public static Scenario parse(String yaml, String source) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new InvalidScenarioException(
          source, List.of("not valid YAML: " + e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new InvalidScenarioException(source, List.of("(root): must be a mapping"));
    }
    return new Reader(source).read(root);
  }

  /** The built-in fieldlab: one line, three machines, queued orders for two customers. */
  public static Scenario defaultScenario() {
    try (var in = Scenario.class.getResourceAsStream("default-scenario.yaml")) {
      if (in == null) {
        throw new IllegalStateException("default-scenario.yaml missing from the simulator jar");
      }
      return parse(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
          "(built-in default)");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the built-in scenario", e);
    }
  }

  /** Finds a machine by id. */
  public Optional<MachineSpec> machine(String id) {
    return machines.stream().filter(m -> m.id().equals(id)).findFirst();
  }

  /** Walks the YAML tree once, collecting every problem instead of stopping at the first. */
  private static final class Reader {
    private final String source;
    private final List<String> problems = new ArrayList<>();

    Reader(String source) {
      this.source = source;
    }

    Scenario read(JsonNode root) {
      unknownKeys(
          root, "", Set.of("name", "start", "line", "machines", "orders", "faults", "users"));
      String name = text(root, "name", "", "Scenario");
      Optional<Instant> start = Optional.empty();
      if (root.has("start")) {
        try {
          start = Optional.of(Instant.parse(root.get("start").asText()));
        } catch (DateTimeParseException e) {
          problems.add("start: must be an ISO-8601 UTC time such as 2026-01-05T06:00:00Z");
        }
      }
      JsonNode line = root.path("line");
      String lineId = "line1";
      String lineName = "Line 1";
      if (!line.isMissingNode()) {
        if (!line.isObject()) {
          problems.add("line: must be a mapping with id and name");
        } else {
          unknownKeys(line, "line.", Set.of("id", "name"));
          lineId = id(line, "id", "line.", "line1");
          if (RESERVED_ROOTS.contains(lineId)) {
            problems.add(
                "line.id: must not be "
                    + String.join(", ", RESERVED_ROOTS)
                    + " (taken in Objects)");
          }
          lineName = text(line, "name", "line.", lineId);
        }
      }

      List<MachineSpec> machines = list(root, "machines", this::machine);
      if (machines.isEmpty() && root.has("machines")) {
        problems.add("machines: must list at least one machine");
      } else if (!root.has("machines")) {
        problems.add("machines: missing (a scenario needs at least one machine)");
      }
      Set<String> machineIds = new HashSet<>();
      for (int i = 0; i < machines.size(); i++) {
        if (!machineIds.add(machines.get(i).id())) {
          problems.add("machines[" + i + "].id: '" + machines.get(i).id() + "' is used twice");
        }
      }

      List<OrderSpec> orders = list(root, "orders", this::order);
      Set<String> orderIds = new HashSet<>();
      for (int i = 0; i < orders.size(); i++) {
        OrderSpec o = orders.get(i);
        if (!orderIds.add(o.id())) {
          problems.add("orders[" + i + "].id: '" + o.id() + "' is used twice");
        }
        if (!o.machine().isEmpty() && !machineIds.contains(o.machine())) {
          problems.add(
              "orders["
                  + i
                  + "].machine: no machine '"
                  + o.machine()
                  + "' (known: "
                  + machineIds
                  + ")");
        }
      }

      List<FaultSpec> faults = list(root, "faults", this::fault);
      for (int i = 0; i < faults.size(); i++) {
        FaultSpec f = faults.get(i);
        if (f.machine().isPresent() && !machineIds.contains(f.machine().get())) {
          problems.add(
              "faults["
                  + i
                  + "].machine: no machine '"
                  + f.machine().get()
                  + "' (known: "
                  + machineIds
                  + ")");
        }
      }

      Map<String, String> users = new LinkedHashMap<>();
      JsonNode usersNode = root.path("users");
      if (!usersNode.isMissingNode()) {
        if (!usersNode.isObject()) {
          problems.add("users: must map user names to passwords");
        } else {
          for (Iterator<Map.Entry<String, JsonNode>> it = usersNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String pw = e.getValue().asText("");
            if (pw.length() < 8) {
              problems.add("users." + e.getKey() + ": password must have at least 8 characters");
            }
            users.put(e.getKey(), pw);
          }
        }
      }

      if (!problems.isEmpty()) {
        throw new InvalidScenarioException(source, problems);
      }
      return new Scenario(name, start, lineId, lineName, machines, orders, faults, users);
    }

    private MachineSpec machine(JsonNode n, String p) {
      unknownKeys(
          n,
          p,
          Set.of(
              "id",
              "type",
              "name",
              "manufacturer",
              "model",
              "serialNumber",
              "year",
              "idealCycleTime",
              "performance",
              "scrapRate",
              "partsPerCycle",
              "mtbf",
              "mttr",
              "changeover",
              "microStopProbability",
              "microStopMean"));
      String id = id(n, "id", p, "");
      MachineType type = MachineType.CNC_MILL;
      if (!n.has("type")) {
        problems.add(p + "type: missing (one of cnc-mill, injection-moulding, packaging-line)");
      } else {
        Optional<MachineType> t = MachineType.byKey(n.get("type").asText());
        if (t.isEmpty()) {
          problems.add(
              p
                  + "type: '"
                  + n.get("type").asText()
                  + "' is not one of cnc-mill, injection-moulding, packaging-line");
        } else {
          type = t.get();
        }
      }
      Duration ideal = duration(n, "idealCycleTime", p, null);
      if (ideal != null && ideal.toMillis() < 100) {
        problems.add(p + "idealCycleTime: must be at least 100ms");
      }
      int defaultParts = type == MachineType.INJECTION_MOULDING ? 4 : 1;
      int parts = (int) number(n, "partsPerCycle", p, defaultParts, 1, 64);
      return new MachineSpec(
          id,
          type,
          text(n, "name", p, id),
          text(n, "manufacturer", p, "Ketenlink Fieldlab"),
          text(n, "model", p, type.key()),
          text(n, "serialNumber", p, "SN-" + id),
          (int) number(n, "year", p, 2020, 1950, 2100),
          ideal == null ? Duration.ofSeconds(1) : ideal,
          number(n, "performance", p, 1.0, 0.01, 1.0),
          number(n, "scrapRate", p, 0.0, 0.0, 0.99),
          parts,
          orDefault(duration(n, "mtbf", p, Duration.ZERO)),
          orDefault(duration(n, "mttr", p, Duration.ofMinutes(10))),
          orDefault(duration(n, "changeover", p, Duration.ZERO)),
          number(n, "microStopProbability", p, 0.0, 0.0, 0.5),
          orDefault(duration(n, "microStopMean", p, Duration.ofSeconds(20))));
    }

    private OrderSpec order(JsonNode n, String p) {
      unknownKeys(
          n, p, Set.of("id", "machine", "customer", "article", "quantity", "due", "released"));
      Duration due = duration(n, "due", p, Duration.ofHours(8));
      return new OrderSpec(
          id(n, "id", p, ""),
          required(n, "machine", p),
          id(n, "customer", p, ""),
          required(n, "article", p),
          (long) number(n, "quantity", p, -1, 1, 1_000_000),
          due == null ? Duration.ZERO : due,
          bool(n, "released", p, true));
    }

    private FaultSpec fault(JsonNode n, String p) {
      unknownKeys(n, p, Set.of("at", "type", "machine", "signal", "duration", "delay"));
      FaultType type = FaultType.DROP_SESSIONS;
      String typeText = n.path("type").asText("");
      Optional<FaultType> t = FaultType.byKey(typeText);
      if (t.isEmpty()) {
        problems.add(
            p
                + "type: '"
                + typeText
                + "' is not one of breakdown, bad-signal, uncertain-signal, freeze,"
                + " drop-sessions, restart, slow, counter-reset");
      } else {
        type = t.get();
      }
      Optional<String> machine = Optional.ofNullable(n.get("machine")).map(JsonNode::asText);
      Optional<String> signal = Optional.ofNullable(n.get("signal")).map(JsonNode::asText);
      if (t.isPresent() && type.needsMachine() && machine.isEmpty()) {
        problems.add(p + "machine: required for a " + typeText + " fault");
      }
      if (t.isPresent() && type.needsSignal() && signal.isEmpty()) {
        problems.add(p + "signal: required for a " + typeText + " fault (e.g. Monitoring/Power)");
      }
      Duration at = duration(n, "at", p, null);
      if (at == null && !n.has("at")) {
        problems.add(p + "at: missing (when the fault happens, e.g. 10m)");
      }
      return new FaultSpec(
          at == null ? Duration.ZERO : at,
          type,
          machine,
          signal,
          orDefault(duration(n, "duration", p, Duration.ofMinutes(1))),
          orDefault(duration(n, "delay", p, Duration.ofMillis(500))));
    }

    private <T> List<T> list(
        JsonNode root, String key, java.util.function.BiFunction<JsonNode, String, T> item) {
      JsonNode arr = root.path(key);
      List<T> out = new ArrayList<>();
      if (arr.isMissingNode() || arr.isNull()) {
        return out;
      }
      if (!arr.isArray()) {
        problems.add(key + ": must be a list");
        return out;
      }
      for (int i = 0; i < arr.size(); i++) {
        JsonNode n = arr.get(i);
        String p = key + "[" + i + "].";
        if (!n.isObject()) {
          problems.add(key + "[" + i + "]: must be a mapping");
          continue;
        }
        out.add(item.apply(n, p));
      }
      return out;
    }

    private void unknownKeys(JsonNode n, String p, Set<String> known) {
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!known.contains(k)) {
          problems.add(
              p
                  + k
                  + ": unknown key (known: "
                  + String.join(", ", known.stream().sorted().toList())
                  + ")");
        }
      }
    }

    private String required(JsonNode n, String key, String p) {
      if (!n.hasNonNull(key) || n.get(key).asText().isBlank()) {
        problems.add(p + key + ": missing");
        return "";
      }
      return n.get(key).asText();
    }

    private String text(JsonNode n, String key, String p, String dflt) {
      if (!n.has(key)) {
        return dflt;
      }
      if (!n.get(key).isValueNode()) {
        problems.add(p + key + ": must be text");
        return dflt;
      }
      return n.get(key).asText();
    }

    private String id(JsonNode n, String key, String p, String dflt) {
      if (!n.has(key)) {
        if (dflt.isEmpty()) {
          problems.add(p + key + ": missing");
        }
        return dflt;
      }
      String v = n.get(key).asText();
      if (!ID.matcher(v).matches()) {
        problems.add(
            p + key + ": '" + v + "' must be 1-64 letters, digits, '.', '_' or '-' (no spaces)");
      }
      return v;
    }

    private double number(JsonNode n, String key, String p, double dflt, double min, double max) {
      if (!n.has(key)) {
        if (dflt < min) {
          problems.add(p + key + ": missing");
        }
        return dflt;
      }
      JsonNode v = n.get(key);
      if (!v.isNumber()) {
        problems.add(p + key + ": '" + v.asText() + "' is not a number");
        return dflt;
      }
      double d = v.asDouble();
      if (d < min || d > max) {
        problems.add(
            p + key + ": " + v.asText() + " is out of range [" + fmt(min) + ", " + fmt(max) + "]");
      }
      return d;
    }

    private boolean bool(JsonNode n, String key, String p, boolean dflt) {
      if (!n.has(key)) {
        return dflt;
      }
      if (!n.get(key).isBoolean()) {
        problems.add(p + key + ": must be true or false");
        return dflt;
      }
      return n.get(key).asBoolean();
    }

    private Duration duration(JsonNode n, String key, String p, Duration dflt) {
      if (!n.has(key)) {
        if (dflt == null) {
          problems.add(p + key + ": missing");
        }
        return dflt;
      }
      try {
        Duration d = Durations.parse(n.get(key).asText());
        if (d.isNegative()) {
          problems.add(p + key + ": must not be negative");
        }
        return d;
      } catch (IllegalArgumentException e) {
        problems.add(p + key + ": " + e.getMessage());
        return dflt;
      }
    }

    private static Duration orDefault(Duration d) {
      return d == null ? Duration.ZERO : d;
    }

    private static String fmt(double d) {
      return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
  }
}
