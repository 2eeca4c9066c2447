package org.ketenlink.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ketenlink.gateway.config.GatewayConfig.AdminConfig;
import org.ketenlink.gateway.config.GatewayConfig.Aggregate;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.config.GatewayConfig.BrokerConfig;
import org.ketenlink.gateway.config.GatewayConfig.BrokerTlsConfig;
import org.ketenlink.gateway.config.GatewayConfig.CommandGrant;
import org.ketenlink.gateway.config.GatewayConfig.Deadband;
import org.ketenlink.gateway.config.GatewayConfig.Granularity;
import org.ketenlink.gateway.config.GatewayConfig.Identity;
import org.ketenlink.gateway.config.GatewayConfig.Kind;
import org.ketenlink.gateway.config.GatewayConfig.LinkConfig;
import org.ketenlink.gateway.config.GatewayConfig.NodeAddress;
import org.ketenlink.gateway.config.GatewayConfig.OrderModelName;
import org.ketenlink.gateway.config.GatewayConfig.OrderScope;
import org.ketenlink.gateway.config.GatewayConfig.OrdersConfig;
import org.ketenlink.gateway.config.GatewayConfig.PartnerConfig;
import org.ketenlink.gateway.config.GatewayConfig.ProductionConfig;
import org.ketenlink.gateway.config.GatewayConfig.PublishConfig;
import org.ketenlink.gateway.config.GatewayConfig.SecurityMode;
import org.ketenlink.gateway.config.GatewayConfig.SecurityPolicy;
import org.ketenlink.gateway.config.GatewayConfig.SignalConfig;
import org.ketenlink.gateway.config.GatewayConfig.SourceConfig;
import org.ketenlink.gateway.config.GatewayConfig.StateModelName;
import org.ketenlink.gateway.config.GatewayConfig.TlsConfig;
import org.ketenlink.gateway.config.GatewayConfig.UserIdentity;

/**
 * Reads a gateway configuration file: YAML, {@code ${env:NAME}} substitution, then validation of
 * every key with every problem listed. The defaults of every setting are the constants here.
 */
public final class ConfigLoader {

  // Defaults, in one place (docs/configuration.md documents each).
  public static final Path DEFAULT_DATA_DIR = Path.of("data");
  public static final Duration DEFAULT_PUBLISHING_INTERVAL = Duration.ofMillis(500);
  public static final Duration DEFAULT_SAMPLING_INTERVAL = Duration.ofMillis(250);
  public static final Duration DEFAULT_NODE_RETRY = Duration.ofSeconds(30);
  public static final int DEFAULT_QUEUE_SIZE = 10;
  public static final int DEFAULT_COMMANDS_PER_MINUTE = 10;
  public static final Duration DEFAULT_ORDER_POLL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_PRODUCTION_INTERVAL = Duration.ofMinutes(5);
  public static final int DEFAULT_PROGRESS_PARTS = 10;
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofMinutes(1);
  public static final int DEFAULT_COMMAND_BURST = 5;
  public static final int DEFAULT_QOS = 1;
  public static final int DEFAULT_MAX_IN_FLIGHT = 100;
  public static final int DEFAULT_LINK_QUEUE = 10_000;
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_BROKER_PORT = 1883;
  public static final int DEFAULT_ADMIN_PORT = 9460;
  public static final long DEFAULT_JOURNAL_BYTES = 1L << 30;
  public static final Duration DEFAULT_JOURNAL_AGE = Duration.ofDays(7);
  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofMillis(200);
  public static final Duration DEFAULT_AUDIT_INTERVAL = Duration.ofMinutes(1);

  /** Gateway ids end up in client ids, topics and file names. */
  static final Pattern GATEWAY_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  static final String GATEWAY_ID_RULE = "1-63 lower-case letters, digits or '-'";

  /** Topic levels: no MQTT wildcards, separators or leading '$' / '_'. */
  static final Pattern LEVEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  static final String LEVEL_RULE =
      "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";
  private static final Pattern ENV = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final UnaryOperator<String> environment;

  /** A loader reading {@code ${env:NAME}} from the process environment. */
  public ConfigLoader() {
    this(System::getenv);
  }

  /** A loader with its own environment (tests). */
  public ConfigLoader(UnaryOperator<String> environment) {
    this.environment = environment;
  }

  /** Reads and validates a file; relative paths in it resolve against the file's folder. */
  public GatewayConfig load(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException(
          file.toString(), List.of("cannot read the file: " + e.getMessage()));
    }
    Path base = file.toAbsolutePath().getParent();
    return parse(yaml, file.toString(), base);
  }

  /**
   * Parses and validates YAML.
   *
   * @param source names the input in error messages
   * @param baseDir relative paths resolve against it
   * @throws ConfigException listing every problem
   */
  public GatewayConfig parse(String yaml, String source, Path baseDir) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(yaml);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
      throw new ConfigException(
          source, List.of("not valid YAML" + where + ": " + e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(
          source, List.of("(root): must be a mapping with gateway, sources and links"));
    }
    List<String> problems = new ArrayList<>();
    substituteEnvironment(root, "", problems);
    GatewayConfig config = new Reader(new YamlNode(root, "", problems), baseDir, problems).read();
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return config;
  }

  private void substituteEnvironment(JsonNode node, String path, List<String> problems) {
    if (node instanceof ObjectNode obj) {
      List<String> keys = new ArrayList<>();
      obj.fieldNames().forEachRemaining(keys::add);
      for (String k : keys) {
        JsonNode child = obj.get(k);
        String p = path.isEmpty() ? k : path + "." + k;
        if (child.isTextual()) {
          obj.set(k, new TextNode(expand(child.asText(), p, problems)));
        } else {
          substituteEnvironment(child, p, problems);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        JsonNode child = arr.get(i);
        String p = path + "[" + i + "]";
        if (child.isTextual()) {
          arr.set(i, new TextNode(expand(child.asText(), p, problems)));
        } else {
          substituteEnvironment(child, p, problems);
        }
      }
    }
  }

  private String expand(String text, String path, List<String> problems) {
    Matcher m = ENV.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = environment.apply(m.group(1));
      if (value == null) {
        problems.add(path + ": environment variable " + m.group(1) + " is not set");
        value = m.group(); // keep the placeholder so no second "missing" problem follows
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** One pass over the tree; the problems list is shared with every {@link YamlNode}. */
  private static final class Reader {
    private final YamlNode root;
    private final Path base;
    private final List<String> problems;

    Reader(YamlNode root, Path base, List<String> problems) {
      this.root = root;
      this.base = base;
      this.problems = problems;
    }

    GatewayConfig read() {
      root.onlyKeys(
          Set.of(
              "gateway",
              "dataDir",
              "pkiDir",
              "sources",
              "links",
              "broker",
              "admin",
              "publish",
              "journal",
              "partners",
              "agreements",
              "audit"));
      Identity identity = identity();
      Path dataDir = path(root, "dataDir").orElse(base.resolve(DEFAULT_DATA_DIR));
      Path pkiDir = path(root, "pkiDir").orElse(dataDir.resolve("pki"));
      PublishConfig publish = publish();

      if (!root.has("sources")) {
        root.problem("sources", "missing (list at least one OPC UA source)");
      }
      List<SourceConfig> sources = root.list("sources", (n, i) -> source(n, publish));
      if (root.has("sources") && sources.isEmpty()) {
        root.problem("sources", "must list at least one OPC UA source");
      }
      unique(sources.stream().map(SourceConfig::id).toList(), "sources", "id");
      uniqueTopics(sources);

      if (!root.has("links")) {
        root.problem(
            "links", "missing (list at least one MQTT link, e.g. - {id: main, broker: embedded})");
      }
      List<LinkConfig> links = root.list("links", (n, i) -> link(n, identity));
      if (root.has("links") && links.isEmpty()) {
        root.problem("links", "must list at least one MQTT link");
      }
      unique(links.stream().map(LinkConfig::id).toList(), "links", "id");

      BrokerConfig broker = broker();
      AdminConfig admin = admin();
      GatewayConfig.JournalConfig journal = journal();
      List<PartnerConfig> partners = root.list("partners", (n, i) -> partner(n));
      unique(partners.stream().map(PartnerConfig::id).toList(), "partners", "id");
      Set<String> partnerIds =
          new java.util.TreeSet<>(partners.stream().map(PartnerConfig::id).toList());
      List<AgreementConfig> agreements =
          root.list("agreements", (n, i) -> agreement(n, partnerIds, sources));
      unique(agreements.stream().map(AgreementConfig::id).toList(), "agreements", "id");
      noOverlap(agreements, sources);
      commandsReachable(agreements, partners, sources);
      ownOrdersVisible(agreements, partners, sources);
      if (identity.enterprise().equals(PARTNERS_LEVEL)) {
        problems.add(
            "gateway.enterprise: '"
                + PARTNERS_LEVEL
                + "' is reserved for the partners' topics (ketenlink/v1/partners/...)");
      }
      return new GatewayConfig(
          identity,
          dataDir,
          pkiDir,
          sources,
          links,
          broker,
          admin,
          publish,
          journal,
          partners,
          agreements,
          audit());
    }

    private GatewayConfig.AuditConfig audit() {
      Optional<YamlNode> a = root.object("audit");
      if (a.isEmpty()) {
        return new GatewayConfig.AuditConfig(DEFAULT_AUDIT_INTERVAL);
      }
      a.get().onlyKeys(Set.of("interval"));
      return new GatewayConfig.AuditConfig(
          a.get()
              .duration(
                  "interval", DEFAULT_AUDIT_INTERVAL, Duration.ofSeconds(1), Duration.ofHours(24)));
    }

    /**
     * A partner sees each stream under one topic, so two of its agreements in force at the same
     * time must not grant the same stream (a renewal that starts when the old one ends is fine).
     */
    private void noOverlap(List<AgreementConfig> agreements, List<SourceConfig> sources) {
      for (int i = 0; i < agreements.size(); i++) {
        for (int j = i + 1; j < agreements.size(); j++) {
          AgreementConfig a = agreements.get(i);
          AgreementConfig b = agreements.get(j);
          if (!a.partner().equals(b.partner()) || !overlapInTime(a, b)) {
            continue;
          }
          for (SourceConfig src : sources) {
            for (SignalConfig sig : src.signals()) {
              String kind = sig.kind().topicName();
              if (selects(a, src, kind, sig.name()) && selects(b, src, kind, sig.name())) {
                problems.add(
                    "agreements["
                        + j
                        + "].share: grants "
                        + String.join("/", src.line(), src.machine(), kind, sig.name())
                        + " to partner "
                        + a.partner()
                        + " a second time (also in agreement "
                        + a.id()
                        + ") while both are in force; a partner sees a stream under one agreement");
                return;
              }
            }
          }
        }
      }
    }

    private static boolean selects(AgreementConfig a, SourceConfig src, String kind, String name) {
      return a.share().stream().anyMatch(s -> s.matches(src.line(), src.machine(), kind, name));
    }

    private static boolean overlapInTime(AgreementConfig a, AgreementConfig b) {
      Instant aFrom = a.validFrom().orElse(Instant.MIN);
      Instant aUntil = a.validUntil().orElse(Instant.MAX);
      Instant bFrom = b.validFrom().orElse(Instant.MIN);
      Instant bUntil = b.validUntil().orElse(Instant.MAX);
      return aFrom.isBefore(bUntil) && bFrom.isBefore(aUntil);
    }

    private PartnerConfig partner(YamlNode n) {
      n.onlyKeys(Set.of("id", "name", "certificate", "customers"));
      String id = n.id("id", GATEWAY_ID, GATEWAY_ID_RULE, Optional.empty());
      String name = n.text("name", id);
      Optional<String> subject = Optional.empty();
      Optional<String> fingerprint = Optional.empty();
      Optional<YamlNode> cert = n.object("certificate");
      if (cert.isPresent()) {
        YamlNode c = cert.get();
        c.onlyKeys(Set.of("subject", "fingerprint"));
        subject = c.text("subject").filter(x -> !x.isBlank());
        fingerprint = c.text("fingerprint").map(ConfigLoader::fingerprint);
        if (fingerprint.isPresent() && !FINGERPRINT.matcher(fingerprint.get()).matches()) {
          c.problem(
              "fingerprint",
              "must be the certificate's SHA-256 fingerprint: 64 hex digits, optionally in pairs"
                  + " separated by ':' and prefixed with 'sha256:'");
        }
      }
      List<String> customers = n.texts("customers");
      for (String c : customers) {
        if (c.isBlank()) {
          n.problem("customers", "must not list an empty customer id");
        }
      }
      return new PartnerConfig(id, name, subject, fingerprint, customers);
    }

    private AgreementConfig agreement(
        YamlNode n, Set<String> partnerIds, List<SourceConfig> sources) {
      n.onlyKeys(
          Set.of(
              "id",
              "partner",
              "purpose",
              "validFrom",
              "validUntil",
              "share",
              "granularity",
              "redact",
              "messageExpiry",
              "sign",
              "commands",
              "orders"));
      String id = n.id("id", LEVEL, LEVEL_RULE, Optional.empty());
      String partner = n.requiredText("partner", "the id of a partner under partners");
      if (!partner.isEmpty() && !partnerIds.contains(partner)) {
        n.problem(
            "partner",
            "'" + partner + "' is not a partner; known: " + String.join(", ", partnerIds));
      }
      String purpose = n.requiredText("purpose", "why the partner gets this data, for the record");
      Optional<Instant> from = n.instant("validFrom");
      Optional<Instant> until = n.instant("validUntil");
      if (from.isPresent() && until.isPresent() && !until.get().isAfter(from.get())) {
        n.problem("validUntil", "must be after validFrom (" + from.get() + ")");
      }
      if (!n.has("share")) {
        n.problem("share", "missing (list the streams granted, e.g. - line1/cnc1/state/#)");
      }
      List<StreamSelector> share = new ArrayList<>();
      List<String> selectors = n.texts("share");
      for (int i = 0; i < selectors.size(); i++) {
        String where = n.at("share") + "[" + i + "]";
        StreamSelector.Result r = StreamSelector.parse(selectors.get(i));
        if (r.problem().isPresent()) {
          problems.add(where + ": '" + selectors.get(i) + "' " + r.problem().get());
          continue;
        }
        StreamSelector sel = r.selector().orElseThrow();
        if (sources.stream()
            .noneMatch(
                src ->
                    selectsOrderStream(sel, src)
                        || derivedStreams(src).stream().anyMatch(d -> d.selectedBy(sel, src))
                        || src.signals().stream()
                            .anyMatch(
                                sig ->
                                    sel.matches(
                                        src.line(),
                                        src.machine(),
                                        sig.kind().topicName(),
                                        sig.name())))) {
          problems.add(
              where + ": '" + sel + "' matches no configured signal, order or production stream");
        }
        share.add(sel);
      }
      if (n.has("share") && selectors.isEmpty()) {
        n.problem("share", "must list at least one stream selector");
      }
      Set<String> redact = new java.util.LinkedHashSet<>(n.texts("redact"));
      for (String field : redact) {
        if (!GatewayConfig.REDACTABLE.contains(field)) {
          n.problem(
              "redact",
              "'"
                  + field
                  + "' cannot be redacted; choose from "
                  + String.join(", ", GatewayConfig.REDACTABLE));
        }
      }
      Optional<Duration> expiry = messageExpiry(n);
      return new AgreementConfig(
          id,
          partner,
          purpose,
          from,
          until,
          share,
          granularity(n),
          redact,
          expiry,
          n.bool("sign", false),
          commands(n),
          n.choice("orders", ORDER_SCOPES, OrderScope.OWN));
    }

    /**
     * Whether {@code sel} selects a stream about single orders of {@code src}: its order events, or
     * its per-order production periods and performance.
     */
    private static boolean selectsOrderStream(StreamSelector sel, SourceConfig src) {
      return (src.orders().isPresent() && sel.matchesAnyName(src.line(), src.machine(), ORDER_KIND))
          || derivedStreams(src).stream().anyMatch(d -> d.perOrder() && d.selectedBy(sel, src));
    }

    /** A stream the gateway derives for a machine; {@code perOrder}: about one order at a time. */
    record DerivedStream(String kind, String name, boolean perOrder) {
      boolean selectedBy(StreamSelector sel, SourceConfig src) {
        return sel.matches(src.line(), src.machine(), kind, name);
      }
    }

    /**
     * The streams the gateway derives for a machine with a production mapping: its state timeline
     * and its periods (docs/production.md). Order events are separate ({@link
     * #selectsOrderStream}).
     */
    static List<DerivedStream> derivedStreams(SourceConfig src) {
      if (src.production().isEmpty()) {
        return List.of();
      }
      ProductionConfig pc = src.production().get();
      List<DerivedStream> d = new ArrayList<>();
      d.add(new DerivedStream(STATE_KIND, "timeline", false));
      d.add(new DerivedStream(PRODUCTION_KIND, "interval", false));
      if (!pc.shifts().isEmpty()) {
        d.add(new DerivedStream(PRODUCTION_KIND, "shift", false));
      }
      if (pc.activeOrderSignal().isPresent()) {
        d.add(new DerivedStream(PRODUCTION_KIND, "order", true));
        if (pc.performance()) {
          d.add(new DerivedStream(PRODUCTION_KIND, "performance", true));
        }
      }
      return d;
    }

    /** The order commands an agreement allows, when it allows any. */
    private Optional<CommandGrant> commands(YamlNode n) {
      Optional<YamlNode> c = n.object("commands");
      if (c.isEmpty()) {
        return Optional.empty();
      }
      YamlNode g = c.get();
      g.onlyKeys(Set.of("allow", "perMinute", "burst"));
      if (!g.has("allow")) {
        g.problem("allow", "missing (list the commands allowed, from " + commandNames() + ")");
      }
      Set<String> allow = new java.util.LinkedHashSet<>(g.texts("allow"));
      for (String command : allow) {
        if (!GatewayConfig.COMMANDS.contains(command)) {
          g.problem("allow", "'" + command + "' is not a command; choose from " + commandNames());
        }
      }
      if (g.has("allow") && allow.isEmpty()) {
        g.problem("allow", "must list at least one command (leave commands out to allow none)");
      }
      int perMinute = g.integer("perMinute", DEFAULT_COMMANDS_PER_MINUTE, 1, 600);
      int burst = g.integer("burst", DEFAULT_COMMAND_BURST, 1, 100);
      return Optional.of(new CommandGrant(allow, perMinute, burst));
    }

    private static String commandNames() {
      return String.join(", ", GatewayConfig.COMMANDS);
    }

    /**
     * An agreement that shares order streams only for the partner's own orders (the default) needs
     * the partner's customer ids, or it would share none.
     */
    private void ownOrdersVisible(
        List<AgreementConfig> agreements,
        List<PartnerConfig> partners,
        List<SourceConfig> sources) {
      for (int i = 0; i < agreements.size(); i++) {
        AgreementConfig a = agreements.get(i);
        boolean selectsOrders =
            a.share().stream()
                .anyMatch(sel -> sources.stream().anyMatch(src -> selectsOrderStream(sel, src)));
        boolean noCustomers =
            partners.stream().anyMatch(p -> p.id().equals(a.partner()) && p.customers().isEmpty());
        if (selectsOrders && a.orders() == OrderScope.OWN && noCustomers) {
          problems.add(
              "agreements["
                  + i
                  + "] ("
                  + a.id()
                  + ").share: selects order streams, but partner '"
                  + a.partner()
                  + "' lists no customers, so it would see none of them; give the customer ids"
                  + " its orders carry (partners[].customers), or orders: all");
        }
      }
    }

    /**
     * Commands need the partner's customer ids (to know its own orders), a machine with an orders
     * object, and one agreement per partner that grants them at any time (one rate limit).
     */
    private void commandsReachable(
        List<AgreementConfig> agreements,
        List<PartnerConfig> partners,
        List<SourceConfig> sources) {
      for (int i = 0; i < agreements.size(); i++) {
        AgreementConfig a = agreements.get(i);
        if (a.commands().isEmpty()) {
          continue;
        }
        String where = "agreements[" + i + "] (" + a.id() + ").commands";
        partners.stream()
            .filter(p -> p.id().equals(a.partner()) && p.customers().isEmpty())
            .findFirst()
            .ifPresent(
                p ->
                    problems.add(
                        where
                            + ": partner '"
                            + p.id()
                            + "' lists no customers; commands reach only a partner's own orders,"
                            + " so give the customer ids its orders carry (partners[].customers)"));
        if (sources.stream().noneMatch(src -> src.orders().isPresent())) {
          problems.add(
              where
                  + ": no source has an orders object (sources[].orders), so no command can reach"
                  + " a machine");
        }
        for (int j = i + 1; j < agreements.size(); j++) {
          AgreementConfig b = agreements.get(j);
          if (b.commands().isPresent() && b.partner().equals(a.partner()) && overlapInTime(a, b)) {
            problems.add(
                where
                    + ": partner '"
                    + a.partner()
                    + "' is also allowed commands by agreement "
                    + b.id()
                    + " while both are in force; allow a partner's commands in one agreement");
          }
        }
      }
    }

    /** An MQTT message expiry (1s-30d), when given. */
    private static Optional<Duration> messageExpiry(YamlNode n) {
      return n.has("messageExpiry")
          ? Optional.of(
              n.duration(
                  "messageExpiry", Duration.ZERO, Duration.ofSeconds(1), Duration.ofDays(30)))
          : Optional.empty();
    }

    private Granularity granularity(YamlNode n) {
      if (!n.has("granularity")) {
        return Granularity.raw();
      }
      Optional<YamlNode> g =
          n.isMapping("granularity") ? n.object("granularity") : Optional.empty();
      if (g.isEmpty()) {
        String text = n.text("granularity", "");
        if (!text.equals("raw")) {
          n.problem(
              "granularity",
              "'"
                  + text
                  + "' is not 'raw' or {every: 10s, aggregate: [last, min, max, avg, count]}");
        }
        return Granularity.raw();
      }
      YamlNode a = g.get();
      a.onlyKeys(Set.of("every", "aggregate"));
      if (!a.has("every")) {
        a.problem("every", "missing (the window, e.g. 10s)");
      }
      Duration every =
          a.duration("every", Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofDays(1));
      List<Aggregate> aggregates = new ArrayList<>();
      List<String> names =
          a.has("aggregate") ? a.texts("aggregate") : List.of("last", "min", "max", "avg", "count");
      for (String name : names) {
        Aggregate agg = AGGREGATES.get(name);
        if (agg == null) {
          a.problem(
              "aggregate",
              "'" + name + "' is not one of " + String.join(", ", AGGREGATES.keySet()));
        } else if (!aggregates.contains(agg)) {
          aggregates.add(agg);
        }
      }
      if (a.has("aggregate") && names.isEmpty()) {
        a.problem(
            "aggregate", "must list at least one of " + String.join(", ", AGGREGATES.keySet()));
      }
      return new Granularity(Optional.of(every), aggregates);
    }

    private Identity identity() {
      Optional<YamlNode> g = root.object("gateway");
      if (g.isEmpty()) {
        root.problem("gateway", "missing (id, enterprise, site, area)");
        return new Identity("", "", "", "");
      }
      YamlNode n = g.get();
      n.onlyKeys(Set.of("id", "enterprise", "site", "area"));
      return new Identity(
          n.id("id", GATEWAY_ID, GATEWAY_ID_RULE, Optional.empty()),
          n.id("enterprise", LEVEL, LEVEL_RULE, Optional.empty()),
          n.id("site", LEVEL, LEVEL_RULE, Optional.empty()),
          n.id("area", LEVEL, LEVEL_RULE, Optional.empty()));
    }

    private PublishConfig publish() {
      Optional<YamlNode> p = root.object("publish");
      if (p.isEmpty()) {
        return new PublishConfig(DEFAULT_QOS, Optional.empty(), false);
      }
      YamlNode n = p.get();
      n.onlyKeys(Set.of("qos", "messageExpiry", "batch"));
      int qos = n.integer("qos", DEFAULT_QOS, 0, 1);
      Optional<Duration> expiry = messageExpiry(n);
      return new PublishConfig(qos, expiry, n.bool("batch", false));
    }

    private SourceConfig source(YamlNode n, PublishConfig publish) {
      Profiles.expand(n);
      n.onlyKeys(
          Set.of(
              "profile",
              "id",
              "endpoint",
              "security",
              "allowInsecure",
              "identity",
              "publishingInterval",
              "nodeRetryInterval",
              "line",
              "machine",
              "signalDefaults",
              "signals",
              "orders",
              "production",
              "batch"));
      String id = n.id("id", LEVEL, LEVEL_RULE, Optional.empty());
      String endpoint = n.requiredText("endpoint", "e.g. opc.tcp://192.168.10.20:4840");
      if (!endpoint.isEmpty() && !endpoint.startsWith("opc.tcp://")) {
        n.problem("endpoint", "must start with opc.tcp://, got '" + endpoint + "'");
      }
      SecurityPolicy policy = SecurityPolicy.BASIC256SHA256;
      SecurityMode mode = SecurityMode.SIGN_AND_ENCRYPT;
      Optional<YamlNode> sec = n.object("security");
      if (sec.isPresent()) {
        YamlNode s = sec.get();
        s.onlyKeys(Set.of("policy", "mode"));
        policy = s.choice("policy", POLICIES, policy);
        mode = s.choice("mode", MODES, mode);
      }
      boolean allowInsecure = n.bool("allowInsecure", false);
      if ((policy == SecurityPolicy.NONE) != (mode == SecurityMode.NONE)) {
        n.problem("security", "policy None goes with mode None, and only with it");
      } else if (policy == SecurityPolicy.NONE && !allowInsecure) {
        n.problem(
            "security",
            "policy None sends machine data unsigned and unencrypted; set allowInsecure: true on"
                + " this source to accept that");
      }
      UserIdentity user = userIdentity(n);
      Duration publishing =
          n.duration(
              "publishingInterval",
              DEFAULT_PUBLISHING_INTERVAL,
              Duration.ofMillis(10),
              Duration.ofHours(1));
      Duration retry =
          n.duration(
              "nodeRetryInterval", DEFAULT_NODE_RETRY, Duration.ofMillis(100), Duration.ofHours(1));
      String line = n.id("line", LEVEL, LEVEL_RULE, Optional.empty());
      String machine = n.id("machine", LEVEL, LEVEL_RULE, Optional.of(id));

      Duration defaultSampling = DEFAULT_SAMPLING_INTERVAL;
      int defaultQueue = DEFAULT_QUEUE_SIZE;
      int defaultQos = publish.qos();
      Optional<YamlNode> defaults = n.object("signalDefaults");
      if (defaults.isPresent()) {
        YamlNode d = defaults.get();
        d.onlyKeys(Set.of("samplingInterval", "queueSize", "qos"));
        defaultSampling =
            d.duration("samplingInterval", defaultSampling, Duration.ZERO, Duration.ofHours(1));
        defaultQueue = d.integer("queueSize", defaultQueue, 1, 10_000);
        defaultQos = d.integer("qos", defaultQos, 0, 1);
      }
      Duration sampling = defaultSampling;
      int queue = defaultQueue;
      int qos = defaultQos;
      if (!n.has("signals")) {
        n.problem("signals", "missing (list the signals to read, or give a profile)");
      }
      List<SignalConfig> signals = n.list("signals", (s, i) -> signal(s, sampling, queue, qos));
      unique(signals.stream().map(SignalConfig::name).toList(), n.at("signals"), "name");
      Optional<OrdersConfig> orders = Optional.empty();
      Optional<YamlNode> o = n.object("orders");
      if (o.isPresent()) {
        YamlNode y = o.get();
        y.onlyKeys(
            Set.of(
                "nodeId",
                "browsePath",
                "model",
                "pollInterval",
                "progressParts",
                "progressInterval"));
        orders =
            Optional.of(
                new OrdersConfig(
                    address(y),
                    y.duration(
                        "pollInterval",
                        DEFAULT_ORDER_POLL,
                        Duration.ofMillis(100),
                        Duration.ofMinutes(10)),
                    y.integer("progressParts", DEFAULT_PROGRESS_PARTS, 1, 1_000_000),
                    y.duration(
                        "progressInterval",
                        DEFAULT_PROGRESS_INTERVAL,
                        Duration.ofSeconds(1),
                        Duration.ofDays(1)),
                    y.choice("model", ORDER_MODELS, OrderModelName.KETENLINK)));
      }
      Optional<ProductionConfig> production =
          n.object("production").map(pn -> production(pn, signals));
      return new SourceConfig(
          id,
          endpoint,
          policy,
          mode,
          user,
          publishing,
          retry,
          line,
          machine,
          signals,
          orders,
          production,
          n.bool("batch", publish.batch()));
    }

    private UserIdentity userIdentity(YamlNode source) {
      Optional<YamlNode> idn = source.object("identity");
      if (idn.isEmpty()) {
        return new UserIdentity.Anonymous();
      }
      YamlNode n = idn.get();
      String type = n.text("type", "anonymous");
      switch (type) {
        case "anonymous" -> {
          n.onlyKeys(Set.of("type"));
          return new UserIdentity.Anonymous();
        }
        case "username" -> {
          n.onlyKeys(Set.of("type", "username", "password"));
          String user = n.requiredText("username", "the OPC UA user name");
          String password =
              n.requiredText("password", "use ${env:NAME} to keep it out of the file");
          return new UserIdentity.UserPassword(user, password);
        }
        case "x509" -> {
          n.onlyKeys(Set.of("type", "certificate", "privateKey"));
          Path cert = requiredFile(n, "certificate");
          Path key = requiredFile(n, "privateKey");
          return new UserIdentity.X509(cert, key);
        }
        default -> {
          n.problem("type", "'" + type + "' is not one of anonymous, username, x509");
          return new UserIdentity.Anonymous();
        }
      }
    }

    /** The production mapping of a source: its roles name its own signals. */
    private ProductionConfig production(YamlNode n, List<SignalConfig> signals) {
      n.onlyKeys(
          Set.of(
              "state",
              "reason",
              "activeOrder",
              "good",
              "scrap",
              "idealCycleTime",
              "partsPerCycle",
              "interval",
              "shifts",
              "performance"));
      Set<String> names = new java.util.TreeSet<>();
      signals.forEach(s -> names.add(s.name()));
      signals.stream()
          .filter(s -> s.kind() == Kind.STATE && s.name().equals("timeline"))
          .findFirst()
          .ifPresent(
              s ->
                  n.problem(
                      "state",
                      "the state signal name 'timeline' is where the gateway publishes the"
                          + " machine's state timeline; rename the signal"));
      String state = "";
      StateModelName model = StateModelName.MACHINERY;
      Optional<YamlNode> st = n.object("state");
      if (st.isPresent()) {
        YamlNode s = st.get();
        s.onlyKeys(Set.of("signal", "model"));
        state = signalRole(s, "signal", names);
        model = s.choice("model", STATE_MODELS, StateModelName.MACHINERY);
      } else {
        n.problem("state", "missing (e.g. {signal: state, model: machinery})");
      }
      Optional<String> reason =
          n.has("reason") ? Optional.of(signalRole(n, "reason", names)) : Optional.empty();
      Optional<String> activeOrder =
          n.has("activeOrder")
              ? Optional.of(signalRole(n, "activeOrder", names))
              : Optional.empty();
      String good = signalRole(n, "good", names);
      String scrap = signalRole(n, "scrap", names);
      Duration ideal =
          n.has("idealCycleTime")
              ? n.duration(
                  "idealCycleTime", Duration.ZERO, Duration.ofMillis(1), Duration.ofDays(1))
              : Duration.ZERO;
      if (!n.has("idealCycleTime")) {
        n.problem("idealCycleTime", "missing (the fastest cycle the machine can make, e.g. 45s)");
      }
      int parts = n.integer("partsPerCycle", 1, 1, 10_000);
      Duration interval =
          n.duration(
              "interval", DEFAULT_PRODUCTION_INTERVAL, Duration.ofSeconds(10), Duration.ofDays(1));
      java.time.ZoneId zone = java.time.ZoneOffset.UTC;
      java.util.LinkedHashMap<String, java.time.LocalTime> shifts = new java.util.LinkedHashMap<>();
      Optional<YamlNode> sh = n.object("shifts");
      if (sh.isPresent()) {
        YamlNode s = sh.get();
        s.onlyKeys(Set.of("zone", "starts"));
        String z = s.text("zone", "UTC");
        try {
          zone = java.time.ZoneId.of(z);
        } catch (java.time.DateTimeException e) {
          s.problem("zone", "'" + z + "' is not a time zone (e.g. Europe/Amsterdam)");
        }
        Optional<YamlNode> starts = s.object("starts");
        if (starts.isEmpty()) {
          s.problem(
              "starts", "missing (e.g. {early: \"06:00\", late: \"14:00\", night: \"22:00\"})");
        } else {
          java.time.LocalTime previous = null;
          for (Map.Entry<String, JsonNode> e : starts.get().fields().entrySet()) {
            try {
              java.time.LocalTime t = java.time.LocalTime.parse(e.getValue().asText());
              if (previous != null && !t.isAfter(previous)) {
                starts
                    .get()
                    .problem(e.getKey(), "must start after the shift before it (" + previous + ")");
              }
              previous = t;
              shifts.put(e.getKey(), t);
            } catch (java.time.format.DateTimeParseException ex) {
              starts
                  .get()
                  .problem(
                      e.getKey(), "'" + e.getValue().asText() + "' is not a time of day (HH:mm)");
            }
          }
        }
      }
      boolean performance = n.bool("performance", false);
      if (performance && activeOrder.isEmpty()) {
        n.problem(
            "performance",
            "needs activeOrder (the signal with the order the machine works on): the"
                + " production-performance message is per completed order");
      }
      return new ProductionConfig(
          state,
          model,
          reason,
          activeOrder,
          good,
          scrap,
          ideal,
          parts,
          interval,
          zone,
          shifts,
          performance);
    }

    /** A role's signal: the name of a signal of this source. */
    private String signalRole(YamlNode n, String key, Set<String> names) {
      String name = n.requiredText(key, "the name of one of this source's signals");
      if (!name.isEmpty() && !names.contains(name)) {
        n.problem(
            key,
            "'" + name + "' is not a signal of this source; known: " + String.join(", ", names));
      }
      return name;
    }

    /** A node given by exactly one of {@code nodeId} or {@code browsePath}. */
    private NodeAddress address(YamlNode n) {
      NodeAddress address = new NodeAddress.ById("");
      boolean byId = n.has("nodeId");
      boolean byPath = n.has("browsePath");
      if (byId == byPath) {
        n.problem("nodeId", "give exactly one of nodeId or browsePath");
      } else if (byId) {
        String nodeId = n.requiredText("nodeId", "e.g. nsu=urn:vendor:machine;s=Spindle.Speed");
        if (!nodeId.isEmpty() && !NODE_ID.matcher(nodeId).matches()) {
          n.problem(
              "nodeId", "'" + nodeId + "' is not a node id (ns=2;s=..., nsu=<uri>;i=..., i=85)");
        }
        address = new NodeAddress.ById(nodeId);
      } else {
        Optional<YamlNode> bp = n.object("browsePath");
        if (bp.isPresent()) {
          YamlNode b = bp.get();
          b.onlyKeys(Set.of("namespace", "path"));
          String ns = b.requiredText("namespace", "the namespace URI of the browse names");
          String path =
              b.requiredText("path", "browse names from the Objects folder, separated by /");
          List<String> names = new ArrayList<>();
          List<String> own = new ArrayList<>();
          for (String element : path.isEmpty() ? new String[0] : path.split("/", -1)) {
            String[] split = Profiles.splitAlias(element);
            own.add(split[0]);
            names.add(split[1]);
          }
          if (names.stream().anyMatch(String::isBlank)) {
            b.problem("path", "'" + path + "' has an empty browse name");
          }
          address =
              new NodeAddress.ByPath(
                  ns, names, own.stream().allMatch(String::isEmpty) ? List.of() : own);
        }
      }
      return address;
    }

    private SignalConfig signal(YamlNode n, Duration sampling, int queue, int qos) {
      n.onlyKeys(
          Set.of(
              "name",
              "nodeId",
              "browsePath",
              "samplingInterval",
              "queueSize",
              "deadband",
              "unit",
              "scale",
              "offset",
              "kind",
              "map",
              "qos",
              "retain"));
      String name = n.id("name", LEVEL, LEVEL_RULE, Optional.empty());
      NodeAddress address = address(n);
      Deadband deadband = Deadband.NONE;
      Optional<YamlNode> db = n.object("deadband");
      if (db.isPresent()) {
        YamlNode d = db.get();
        d.onlyKeys(Set.of("absolute", "percent"));
        if (d.has("absolute") == d.has("percent")) {
          d.problem("absolute", "give exactly one of absolute or percent");
        } else if (d.has("absolute")) {
          deadband =
              new Deadband(Deadband.Type.ABSOLUTE, d.number("absolute", 0, 0, Double.MAX_VALUE));
        } else {
          deadband = new Deadband(Deadband.Type.PERCENT, d.number("percent", 0, 0, 100));
        }
      }
      Optional<String> unit = n.text("unit");
      unit.ifPresent(
          u -> {
            if (!UNECE.matcher(u).matches()) {
              n.problem(
                  "unit",
                  "'"
                      + u
                      + "' is not a UNECE Rec. 20 code (2-3 letters or digits, e.g. CEL, KWT, RPM)");
            }
          });
      Kind kind = n.choice("kind", KINDS, Kind.DATA);
      Map<String, String> map = new LinkedHashMap<>();
      Optional<YamlNode> mapNode = n.object("map");
      mapNode.ifPresent(
          m ->
              m.fields()
                  .forEach(
                      (k, v) -> {
                        if (!v.isValueNode()) {
                          m.problem(k, "must map to a single value");
                        } else {
                          map.put(k, v.asText());
                        }
                      }));
      return new SignalConfig(
          name,
          address,
          n.duration("samplingInterval", sampling, Duration.ZERO, Duration.ofHours(1)),
          n.integer("queueSize", queue, 1, 10_000),
          deadband,
          unit,
          n.number("scale", 1.0, -1e12, 1e12),
          n.number("offset", 0.0, -1e12, 1e12),
          kind,
          map,
          n.integer("qos", qos, 0, 1),
          n.bool("retain", kind == Kind.STATE));
    }

    private LinkConfig link(YamlNode n, Identity gateway) {
      n.onlyKeys(
          Set.of(
              "id",
              "broker",
              "clientId",
              "username",
              "password",
              "tls",
              "maxInFlight",
              "queueCapacity",
              "keepAlive"));
      String id = n.id("id", LEVEL, LEVEL_RULE, Optional.empty());
      String broker = n.requiredText("broker", "embedded, mqtt://host:1883 or mqtts://host:8883");
      boolean tlsUrl = false;
      if (!broker.isEmpty() && !broker.equals("embedded")) {
        try {
          URI uri = new URI(broker);
          if (!"mqtt".equals(uri.getScheme()) && !"mqtts".equals(uri.getScheme())) {
            n.problem(
                "broker",
                "'" + broker + "' must be embedded, mqtt://host:port or mqtts://host:port");
          } else if (uri.getHost() == null) {
            n.problem("broker", "'" + broker + "' has no host");
          }
          tlsUrl = "mqtts".equals(uri.getScheme());
        } catch (URISyntaxException e) {
          n.problem("broker", "'" + broker + "' is not a URL: " + e.getReason());
        }
      }
      Optional<TlsConfig> tls = Optional.empty();
      Optional<YamlNode> tn = n.object("tls");
      if (tn.isPresent()) {
        YamlNode t = tn.get();
        t.onlyKeys(Set.of("caCertificate", "certificate", "privateKey", "verifyHostname"));
        Path ca = requiredFile(t, "caCertificate");
        Optional<Path> cert = path(t, "certificate");
        Optional<Path> key = path(t, "privateKey");
        cert.ifPresent(p -> checkFile(t, "certificate", p));
        key.ifPresent(p -> checkFile(t, "privateKey", p));
        if (cert.isPresent() != key.isPresent()) {
          t.problem("certificate", "certificate and privateKey go together (mutual TLS)");
        }
        tls = Optional.of(new TlsConfig(ca, cert, key, t.bool("verifyHostname", true)));
      }
      if (tlsUrl && tls.isEmpty()) {
        n.problem(
            "tls",
            "missing: an mqtts:// broker needs tls.caCertificate (and certificate/privateKey for mutual TLS)");
      }
      if (!tlsUrl && tls.isPresent()) {
        n.problem("tls", "given, but the broker URL is not mqtts://");
      }
      Optional<String> username = n.text("username");
      Optional<String> password = n.text("password");
      if (password.isPresent() && username.isEmpty()) {
        n.problem("password", "given without a username");
      }
      return new LinkConfig(
          id,
          broker,
          n.text("clientId", "ketenlink-" + gateway.id() + "-" + id),
          username,
          password,
          tls,
          n.integer("maxInFlight", DEFAULT_MAX_IN_FLIGHT, 1, 65_535),
          n.integer("queueCapacity", DEFAULT_LINK_QUEUE, 1, 10_000_000),
          n.duration("keepAlive", DEFAULT_KEEP_ALIVE, Duration.ofSeconds(5), Duration.ofHours(1)));
    }

    private BrokerConfig broker() {
      Optional<YamlNode> b = root.object("broker");
      if (b.isEmpty()) {
        return new BrokerConfig(DEFAULT_BIND, DEFAULT_BROKER_PORT, Optional.empty());
      }
      YamlNode n = b.get();
      n.onlyKeys(Set.of("bind", "port", "tls"));
      String bind = n.text("bind", DEFAULT_BIND);
      int port = n.integer("port", DEFAULT_BROKER_PORT, 0, 65_535);
      Optional<BrokerTlsConfig> tls = Optional.empty();
      Optional<YamlNode> tn = n.object("tls");
      if (tn.isPresent()) {
        YamlNode t = tn.get();
        t.onlyKeys(Set.of("certificate", "privateKey", "clientCa"));
        tls =
            Optional.of(
                new BrokerTlsConfig(
                    requiredFile(t, "certificate"),
                    requiredFile(t, "privateKey"),
                    requiredFile(t, "clientCa")));
      }
      if (!isLoopback(bind) && tls.isEmpty()) {
        n.problem(
            "bind",
            bind
                + " is reachable from the network; the embedded broker only listens beyond"
                + " loopback with broker.tls (certificate, privateKey, clientCa) so every client"
                + " needs a certificate");
      }
      return new BrokerConfig(bind, port, tls);
    }

    private GatewayConfig.JournalConfig journal() {
      Optional<YamlNode> j = root.object("journal");
      if (j.isEmpty()) {
        return new GatewayConfig.JournalConfig(
            DEFAULT_JOURNAL_BYTES,
            DEFAULT_JOURNAL_AGE,
            DEFAULT_SEGMENT_BYTES,
            GatewayConfig.JournalSync.GROUP,
            DEFAULT_SYNC_INTERVAL);
      }
      YamlNode n = j.get();
      n.onlyKeys(Set.of("maxBytes", "maxAge", "segmentBytes", "sync", "syncInterval"));
      long segment = n.bytes("segmentBytes", DEFAULT_SEGMENT_BYTES, 4096, 1L << 30);
      long max = n.bytes("maxBytes", DEFAULT_JOURNAL_BYTES, 2 * 4096, 1L << 50);
      if (max < 2 * segment) {
        n.problem(
            "maxBytes", "must hold at least two segments (2 x segmentBytes = " + 2 * segment + ")");
      }
      return new GatewayConfig.JournalConfig(
          max,
          n.duration("maxAge", DEFAULT_JOURNAL_AGE, Duration.ZERO, Duration.ofDays(365)),
          segment,
          n.choice("sync", SYNCS, GatewayConfig.JournalSync.GROUP),
          n.duration(
              "syncInterval", DEFAULT_SYNC_INTERVAL, Duration.ofMillis(1), Duration.ofMinutes(1)));
    }

    private AdminConfig admin() {
      Optional<YamlNode> a = root.object("admin");
      if (a.isEmpty()) {
        return new AdminConfig(true, DEFAULT_BIND, DEFAULT_ADMIN_PORT);
      }
      YamlNode n = a.get();
      n.onlyKeys(Set.of("enabled", "bind", "port"));
      return new AdminConfig(
          n.bool("enabled", true),
          n.text("bind", DEFAULT_BIND),
          n.integer("port", DEFAULT_ADMIN_PORT, 0, 65_535));
    }

    private void unique(List<String> ids, String listPath, String key) {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < ids.size(); i++) {
        if (!ids.get(i).isEmpty() && !seen.add(ids.get(i))) {
          problems.add(listPath + "[" + i + "]." + key + ": '" + ids.get(i) + "' is used twice");
        }
      }
    }

    /** Two signals, or two sources' batches, must never publish to the same topic. */
    private void uniqueTopics(List<SourceConfig> sources) {
      Map<String, String> owner = new HashMap<>();
      for (int s = 0; s < sources.size(); s++) {
        SourceConfig src = sources.get(s);
        if (src.batch() && !src.line().isEmpty()) {
          String topic = src.line() + "/" + src.machine() + "/batch";
          String before = owner.putIfAbsent(topic, "sources[" + s + "]");
          if (before != null) {
            problems.add(
                "sources["
                    + s
                    + "].batch: publishes to the same topic ("
                    + topic
                    + ") as "
                    + before
                    + "; give the sources different machine names or batch only one of them");
          }
        }
        for (int i = 0; i < src.signals().size(); i++) {
          SignalConfig sig = src.signals().get(i);
          String topic =
              src.line() + "/" + src.machine() + "/" + sig.kind().topicName() + "/" + sig.name();
          String here = "sources[" + s + "].signals[" + i + "]";
          String before = owner.putIfAbsent(topic, here);
          if (before != null && !src.line().isEmpty()) {
            problems.add(here + ".name: publishes to the same topic (" + topic + ") as " + before);
          }
        }
      }
    }

    private Optional<Path> path(YamlNode n, String key) {
      return n.text(key).filter(s -> !s.isBlank()).map(s -> base.resolve(s).normalize());
    }

    private Path requiredFile(YamlNode n, String key) {
      Optional<Path> p = path(n, key);
      if (p.isEmpty()) {
        n.problem(key, "missing (path to a PEM file)");
        return Path.of("");
      }
      checkFile(n, key, p.get());
      return p.get();
    }

    private void checkFile(YamlNode n, String key, Path p) {
      if (!Files.isReadable(p)) {
        n.problem(
            key,
            "cannot read " + p + (Files.exists(p) ? " (permission denied)" : " (no such file)"));
      }
    }
  }

  static boolean isLoopback(String address) {
    return address.equals("localhost") || address.startsWith("127.") || address.equals("::1");
  }

  private static final Pattern NODE_ID =
      Pattern.compile("((ns=\\d+|nsu=[^;]+);)?(i=\\d+|s=.+|g=[0-9a-fA-F-]{36}|b=[A-Za-z0-9+/=]+)");
  private static final Pattern UNECE = Pattern.compile("[A-Z0-9]{2,3}");
  private static final Map<String, SecurityPolicy> POLICIES =
      linked(
          "None", SecurityPolicy.NONE,
          "Basic256Sha256", SecurityPolicy.BASIC256SHA256,
          "Aes128_Sha256_RsaOaep", SecurityPolicy.AES128_SHA256_RSAOAEP,
          "Aes256_Sha256_RsaPss", SecurityPolicy.AES256_SHA256_RSAPSS);
  private static final Map<String, SecurityMode> MODES =
      linked(
          "None",
          SecurityMode.NONE,
          "Sign",
          SecurityMode.SIGN,
          "SignAndEncrypt",
          SecurityMode.SIGN_AND_ENCRYPT);

  /** The topic level under which partners' views are published. */
  public static final String PARTNERS_LEVEL = "partners";

  private static final Pattern FINGERPRINT = Pattern.compile("[0-9A-F]{64}");

  /** A fingerprint in its canonical form: 64 upper-case hex digits. */
  static String fingerprint(String text) {
    String t = text.strip();
    if (t.regionMatches(true, 0, "sha256:", 0, 7)) {
      t = t.substring(7);
    }
    return t.replace(":", "").toUpperCase(java.util.Locale.ROOT);
  }

  private static final Map<String, Aggregate> AGGREGATES = aggregates();

  private static Map<String, Aggregate> aggregates() {
    Map<String, Aggregate> m = new LinkedHashMap<>();
    for (Aggregate a : Aggregate.values()) {
      m.put(a.key(), a);
    }
    return m;
  }

  private static final Map<String, GatewayConfig.JournalSync> SYNCS =
      linked(
          "always", GatewayConfig.JournalSync.ALWAYS,
          "group", GatewayConfig.JournalSync.GROUP,
          "none", GatewayConfig.JournalSync.NONE);

  /** The kind level of order streams (not a signal kind: the gateway derives them). */
  public static final String ORDER_KIND = "order";

  /** The kind level of a machine's production periods (derived, docs/production.md). */
  public static final String PRODUCTION_KIND = "production";

  /** The kind level of state signals and of the derived state timeline. */
  public static final String STATE_KIND = "state";

  private static final Map<String, StateModelName> STATE_MODELS =
      linked("machinery", StateModelName.MACHINERY, "packml", StateModelName.PACKML);

  private static final Map<String, OrderModelName> ORDER_MODELS =
      linked("ketenlink", OrderModelName.KETENLINK, "jobManagement", OrderModelName.JOB_MANAGEMENT);

  private static final Map<String, OrderScope> ORDER_SCOPES =
      linked("own", OrderScope.OWN, "all", OrderScope.ALL);

  private static final Map<String, Kind> KINDS =
      linked("data", Kind.DATA, "state", Kind.STATE, "alarm", Kind.ALARM);

  @SuppressWarnings("unchecked")
  private static <E> Map<String, E> linked(Object... pairs) {
    Map<String, E> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (E) pairs[i + 1]);
    }
    return m;
  }
}
