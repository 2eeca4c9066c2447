package org.ketenlink.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The whole gateway configuration: typed, immutable, validated once by {@link ConfigLoader}. Every
 * default lives in {@link ConfigLoader}; {@code docs/configuration.md} documents every key.
 */
public record GatewayConfig(
    Identity gateway,
    Path dataDir,
    Path pkiDir,
    List<SourceConfig> sources,
    List<LinkConfig> links,
    BrokerConfig broker,
    AdminConfig admin,
    PublishConfig publish,
    JournalConfig journal,
    List<PartnerConfig> partners,
    List<AgreementConfig> agreements,
    AuditConfig audit) {

  public GatewayConfig {
    sources = List.copyOf(sources);
    links = List.copyOf(links);
    partners = List.copyOf(partners);
    agreements = List.copyOf(agreements);
  }

  /**
   * Who this gateway is and where it stands in the ISA-95 hierarchy.
   *
   * @param id the gateway id carried in every payload and in the status topic
   */
  public record Identity(String id, String enterprise, String site, String area) {}

  /** The OPC UA security policy a source uses. */
  public enum SecurityPolicy {
    NONE,
    BASIC256SHA256,
    AES128_SHA256_RSAOAEP,
    AES256_SHA256_RSAPSS
  }

  /** The OPC UA message security mode a source uses. */
  public enum SecurityMode {
    NONE,
    SIGN,
    SIGN_AND_ENCRYPT
  }

  /** How a source authenticates its user. */
  public sealed interface UserIdentity {
    /** No user. */
    record Anonymous() implements UserIdentity {}

    /** User name and password (the password resolved from the environment). */
    record UserPassword(String username, String password) implements UserIdentity {
      @Override
      public String toString() {
        return "UserPassword[username=" + username + ", password=***]";
      }
    }

    /** An X.509 user certificate and its PKCS#8 private key, both PEM files. */
    record X509(Path certificate, Path privateKey) implements UserIdentity {}
  }

  /**
   * One OPC UA server (usually one machine).
   *
   * @param line the line this machine is on (topic level)
   * @param machine the machine's name in topics
   * @param orders the machine's orders object (Ketenlink order model): order streams and partner
   *     order commands
   * @param batch publish each publishing cycle's values as one message on {@code
   *     .../<line>/<machine>/batch} instead of one message per value (retained streams keep their
   *     own topic as well)
   */
  public record SourceConfig(
      String id,
      String endpoint,
      SecurityPolicy securityPolicy,
      SecurityMode securityMode,
      UserIdentity identity,
      Duration publishingInterval,
      Duration nodeRetryInterval,
      String line,
      String machine,
      List<SignalConfig> signals,
      Optional<OrdersConfig> orders,
      Optional<ProductionConfig> production,
      boolean batch) {

    public SourceConfig {
      signals = List.copyOf(signals);
    }
  }

  /**
   * A machine's orders object and how its orders are followed.
   *
   * @param node the object holding one child object per order and the order methods
   * @param pollInterval how often the orders are read
   * @param progressParts an order's progress is published after this many more good parts
   * @param progressInterval or after this much time with any new good part
   */
  public record OrdersConfig(
      NodeAddress node,
      Duration pollInterval,
      long progressParts,
      Duration progressInterval,
      OrderModelName model) {}

  /** How a machine's orders are modelled on its server (docs/production.md). */
  public enum OrderModelName {
    /** The Ketenlink order model: one object per order and the order methods (the simulator's). */
    KETENLINK,
    /** OPC 40001-3 Machinery Job Management: the node is the machine's JobManagement object. */
    JOB_MANAGEMENT
  }

  /** How a machine's state signal reads (docs/production.md). */
  public enum StateModelName {
    MACHINERY,
    PACKML
  }

  /**
   * Which of a machine's signals give its state and counts, and what OEE needs to know.
   *
   * @param stateSignal the signal (of this source) with the machine state
   * @param reasonSignal the signal with the stop reason, if any
   * @param activeOrderSignal the signal with the id of the order the machine works on, if any (for
   *     OEE per order)
   * @param goodSignal the good-parts counter
   * @param scrapSignal the scrap counter
   * @param idealCycleTime the fastest cycle
   * @param partsPerCycle parts per cycle
   * @param interval the counts period
   * @param shiftZone the shifts' time zone
   * @param shifts shift names and their start times of day, in order; empty for none
   */
  public record ProductionConfig(
      String stateSignal,
      StateModelName model,
      Optional<String> reasonSignal,
      Optional<String> activeOrderSignal,
      String goodSignal,
      String scrapSignal,
      Duration idealCycleTime,
      int partsPerCycle,
      Duration interval,
      java.time.ZoneId shiftZone,
      java.util.LinkedHashMap<String, java.time.LocalTime> shifts,
      boolean performance) {}

  /** Where a signal lives in the server's address space. */
  public sealed interface NodeAddress {
    /** A node id: {@code ns=2;s=...} or, restart-proof, {@code nsu=<namespace URI>;s=...}. */
    record ById(String nodeId) implements NodeAddress {}

    /**
     * Browse names from the Objects folder, in {@code namespaceUri} unless {@code
     * elementNamespaces} gives a name its own (a non-empty URI at its position; an empty list: all
     * in {@code namespaceUri}).
     */
    record ByPath(String namespaceUri, List<String> browseNames, List<String> elementNamespaces)
        implements NodeAddress {
      public ByPath {
        browseNames = List.copyOf(browseNames);
        elementNamespaces = List.copyOf(elementNamespaces);
      }

      public ByPath(String namespaceUri, List<String> browseNames) {
        this(namespaceUri, browseNames, List.of());
      }
    }
  }

  /** The kind of stream a signal publishes to; part of the topic. */
  public enum Kind {
    DATA,
    STATE,
    ALARM;

    public String topicName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A deadband: report a change only when it exceeds this. */
  public record Deadband(Type type, double value) {
    public enum Type {
      NONE,
      ABSOLUTE,
      PERCENT
    }

    public static final Deadband NONE = new Deadband(Type.NONE, 0);
  }

  /**
   * One signal: where to read it, how to normalise it and how to publish it.
   *
   * @param name the stream name in topics and payloads
   * @param unit the UNECE unit code to publish; empty means take the server's EUInformation
   * @param scale multiplied into numeric values before {@code offset} is added
   * @param valueMap replaces a value (its text form) with the mapped text, e.g. vendor state codes
   * @param retain publish retained (default: true for state, false otherwise)
   */
  public record SignalConfig(
      String name,
      NodeAddress address,
      Duration samplingInterval,
      int queueSize,
      Deadband deadband,
      Optional<String> unit,
      double scale,
      double offset,
      Kind kind,
      Map<String, String> valueMap,
      int qos,
      boolean retain) {

    public SignalConfig {
      valueMap = Map.copyOf(valueMap);
    }
  }

  /** TLS for a link to an external broker: PEM files. */
  public record TlsConfig(
      Path caCertificate,
      Optional<Path> clientCertificate,
      Optional<Path> clientKey,
      boolean verifyHostname) {}

  /**
   * A connection to an MQTT 5 broker.
   *
   * @param broker {@code embedded}, or {@code mqtt://host:port} / {@code mqtts://host:port}
   */
  public record LinkConfig(
      String id,
      String broker,
      String clientId,
      Optional<String> username,
      Optional<String> password,
      Optional<TlsConfig> tls,
      int maxInFlight,
      int queueCapacity,
      Duration keepAlive) {

    public boolean embedded() {
      return broker.equals("embedded");
    }

    @Override
    public String toString() {
      return "LinkConfig[id="
          + id
          + ", broker="
          + broker
          + ", username="
          + username
          + ", password="
          + (password.isPresent() ? "***" : "none")
          + "]";
    }
  }

  /** TLS for the embedded broker: its certificate and key, and the CA of the clients it accepts. */
  public record BrokerTlsConfig(Path certificate, Path privateKey, Path clientCa) {}

  /** The embedded HiveMQ broker, started when a link says {@code broker: embedded}. */
  public record BrokerConfig(String bind, int port, Optional<BrokerTlsConfig> tls) {}

  /** The admin HTTP server: health, readiness, metrics, status. */
  public record AdminConfig(boolean enabled, String bind, int port) {}

  /** How a link's journal syncs to disk. */
  public enum JournalSync {
    /** fsync after every value: nothing is lost on power loss; slow. */
    ALWAYS,
    /** fsync every {@code syncInterval}: a power loss loses at most that much. */
    GROUP,
    /** the operating system decides: a crash loses nothing, a power loss what was not written. */
    NONE
  }

  /**
   * The durable store-and-forward journal, one per link, under {@code <dataDir>/journal/<link>}.
   *
   * @param maxBytes disk budget per link; beyond it the oldest data is dropped and counted
   * @param maxAge data older than this is dropped and counted; zero for no limit
   */
  public record JournalConfig(
      long maxBytes, Duration maxAge, long segmentBytes, JournalSync sync, Duration syncInterval) {}

  /**
   * Defaults for every published message.
   *
   * @param messageExpiry MQTT 5 message expiry for data messages; empty for none
   * @param batch every source's default for {@link SourceConfig#batch}
   */
  public record PublishConfig(int qos, Optional<Duration> messageExpiry, boolean batch) {}

  /**
   * A chain partner (supplier or customer). It sees nothing unless an agreement grants it.
   *
   * @param id the partner's topic level ({@code ketenlink/v1/partners/<id>/...}) and, by default,
   *     the common name of its client certificate
   * @param certificateSubject the subject its client certificate must carry, when not {@code
   *     CN=<id>}
   * @param certificateFingerprint the SHA-256 fingerprint its certificate must have, pinned
   * @param customers the customer ids the machines give this partner's orders (OPC 40001-3
   *     CustomerId); its own orders are those
   */
  public record PartnerConfig(
      String id,
      String name,
      Optional<String> certificateSubject,
      Optional<String> certificateFingerprint,
      List<String> customers) {

    public PartnerConfig {
      customers = List.copyOf(customers);
    }

    /** Whether an order of {@code customer} is this partner's own. */
    public boolean owns(String customer) {
      return customers.contains(customer);
    }
  }

  /** Which orders a partner sees of the order streams an agreement selects. */
  public enum OrderScope {
    /** Only orders whose customer is one of the partner's {@code customers}. */
    OWN,
    /** Every order selected (e.g. a logistics partner of the site). */
    ALL
  }

  /** The order commands a partner may send (docs/partners.md). */
  public static final List<String> COMMANDS =
      List.of("changeQuantity", "changeDueDate", "hold", "cancel", "status");

  /**
   * Which order commands an agreement allows its partner, for the partner's own orders only, and
   * how many: a token bucket of {@code burst} commands refilled at {@code perMinute}.
   */
  public record CommandGrant(Set<String> allow, int perMinute, int burst) {
    public CommandGrant {
      allow = Set.copyOf(allow);
    }
  }

  /** What an aggregated view carries per window. */
  public enum Aggregate {
    LAST,
    MIN,
    MAX,
    AVG,
    COUNT;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How finely a partner sees the values: every value ({@link #raw()}), or one message per window
   * of {@code every} with the chosen aggregates.
   */
  public record Granularity(Optional<Duration> every, List<Aggregate> aggregates) {
    public Granularity {
      aggregates = List.copyOf(aggregates);
    }

    public static Granularity raw() {
      return new Granularity(Optional.empty(), List.of());
    }

    public boolean isRaw() {
      return every.isEmpty();
    }
  }

  /** The payload fields an agreement may withhold from its partner. */
  public static final List<String> REDACTABLE =
      List.of("asset", "unit", "quality", "status", "sourceTime", "gatewayTime");

  /**
   * A sharing agreement: what one partner may see, how finely, for how long and why. Default deny:
   * a stream reaches a partner only through an agreement that selects it and is valid now.
   *
   * @param share the streams granted, as selectors over {@code line/machine/kind/name}
   * @param redact payload fields withheld (from {@link #REDACTABLE})
   * @param messageExpiry MQTT message expiry of the partner's messages; empty for the publish
   *     default
   * @param sign whether each message carries the gateway's Ed25519 signature
   * @param commands the order commands allowed; empty for none (the default)
   * @param orders which orders' streams ({@code <line>/<machine>/order/<id>}) the partner sees of
   *     those {@code share} selects: only its own (the default) or all
   */
  public record AgreementConfig(
      String id,
      String partner,
      String purpose,
      Optional<Instant> validFrom,
      Optional<Instant> validUntil,
      List<StreamSelector> share,
      Granularity granularity,
      Set<String> redact,
      Optional<Duration> messageExpiry,
      boolean sign,
      Optional<CommandGrant> commands,
      OrderScope orders) {

    public AgreementConfig {
      share = List.copyOf(share);
      redact = Set.copyOf(redact);
    }

    /**
     * Whether the agreement is in force at {@code t}: from {@code validFrom}, until before {@code
     * validUntil}.
     */
    public boolean activeAt(Instant t) {
      return validFrom.map(f -> !t.isBefore(f)).orElse(true)
          && validUntil.map(u -> t.isBefore(u)).orElse(true);
    }
  }

  /**
   * The audit trail under {@code <dataDir>/audit}.
   *
   * @param interval how often what was shared is summed up per partner and agreement
   */
  public record AuditConfig(Duration interval) {}
}
