package org.ketenlink.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.gateway.config.GatewayConfig.NodeAddress;
import org.ketenlink.gateway.config.GatewayConfig.SourceConfig;

class ConfigLoaderTest {

  static final Path EXAMPLE = Path.of("..", "docs", "examples", "ketenlink.yaml");

  @TempDir Path dir;

  @Test
  void theDocumentedExampleConfigurationIsValid() {
    GatewayConfig c = new ConfigLoader(name -> null).load(EXAMPLE);
    assertThat(c.gateway().id()).isEqualTo("fieldlab-gw-1");
    assertThat(c.sources())
        .extracting(GatewayConfig.SourceConfig::id)
        .containsExactly("cnc1", "mould1", "pack1");
    GatewayConfig.SourceConfig cnc = c.sources().get(0);
    assertThat(cnc.securityPolicy()).isEqualTo(GatewayConfig.SecurityPolicy.BASIC256SHA256);
    assertThat(cnc.securityMode()).isEqualTo(GatewayConfig.SecurityMode.SIGN_AND_ENCRYPT);
    assertThat(cnc.signals().get(0).address()).isInstanceOf(GatewayConfig.NodeAddress.ByPath.class);
    assertThat(cnc.signals().get(0).retain()).as("state is retained by default").isTrue();
    assertThat(cnc.signals().get(2).deadband().type())
        .isEqualTo(GatewayConfig.Deadband.Type.ABSOLUTE);
    assertThat(c.sources().get(1).machine())
        .as("machine defaults to the source id")
        .isEqualTo("mould1");
    assertThat(c.sources().get(2).signals().get(0).valueMap()).containsEntry("6", "Execute");
    assertThat(c.links().get(0).embedded()).isTrue();
    assertThat(c.links().get(0).clientId()).isEqualTo("ketenlink-fieldlab-gw-1-main");
    assertThat(c.publish().messageExpiry()).contains(Duration.ofHours(1));
    assertThat(c.pkiDir()).isEqualTo(c.dataDir().resolve("pki"));
  }

  @Test
  void everyProblemIsListedWithItsPath() throws Exception {
    String yaml =
        """
        gateway: {id: Bad_ID, enterprise: acme, site: "a/b", area: x}
        colour: blue
        sources:
          - id: cnc1
            endpoint: http://wrong
            security: {policy: None, mode: None}
            identity: {type: username, username: op}
            line: line1
            publishingInterval: soon
            signals:
              - {name: speed}
              - {name: speed, nodeId: "ns=2;s=x", browsePath: {namespace: u, path: a/b}, qos: 2}
              - {name: temp, nodeId: "garbage", unit: celsius, deadband: {absolute: 1, percent: 2}}
          - id: cnc1
            endpoint: opc.tcp://h:4840
            security: {policy: Basic256Sha256, mode: None}
            line: line1
            signals: []
        links:
          - {id: main, broker: "mqtts://broker:8883"}
          - {id: main, broker: "ftp://x", tls: {caCertificate: missing.pem}}
        broker: {bind: 0.0.0.0}
        publish: {qos: 3}
        """;
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(yaml, "bad.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e -> {
              assertThat(e.getMessage()).startsWith("bad.yaml has ");
              assertThat(e.problems())
                  .anyMatch(p -> p.startsWith("gateway.id: 'Bad_ID' is not allowed"))
                  .anyMatch(p -> p.startsWith("gateway.site: 'a/b' is not allowed"))
                  .anyMatch(p -> p.startsWith("colour: unknown key"))
                  .anyMatch(
                      p ->
                          p.equals(
                              "sources[0].endpoint: must start with opc.tcp://, got 'http://wrong'"))
                  .anyMatch(
                      p ->
                          p.startsWith(
                              "sources[0].security: policy None sends machine data unsigned"))
                  .anyMatch(p -> p.startsWith("sources[0].identity.password: missing"))
                  .anyMatch(
                      p -> p.startsWith("sources[0].publishingInterval: 'soon' is not a duration"))
                  .anyMatch(
                      p ->
                          p.equals(
                              "sources[0].signals[0].nodeId: give exactly one of nodeId or browsePath"))
                  .anyMatch(
                      p ->
                          p.equals(
                              "sources[0].signals[1].nodeId: give exactly one of nodeId or browsePath"))
                  .anyMatch(
                      p -> p.startsWith("sources[0].signals[1].qos: 2 is out of range [0, 1]"))
                  .anyMatch(p -> p.equals("sources[0].signals[1].name: 'speed' is used twice"))
                  .anyMatch(
                      p -> p.startsWith("sources[0].signals[2].nodeId: 'garbage' is not a node id"))
                  .anyMatch(
                      p -> p.startsWith("sources[0].signals[2].unit: 'celsius' is not a UNECE"))
                  .anyMatch(
                      p ->
                          p.startsWith("sources[0].signals[2].deadband.absolute: give exactly one"))
                  .anyMatch(p -> p.equals("sources[1].id: 'cnc1' is used twice"))
                  .anyMatch(
                      p -> p.startsWith("sources[1].security: policy None goes with mode None"))
                  .anyMatch(p -> p.startsWith("links[0].tls: missing: an mqtts:// broker needs"))
                  .anyMatch(p -> p.startsWith("links[1].broker: 'ftp://x' must be embedded"))
                  .anyMatch(p -> p.startsWith("links[1].tls.caCertificate: cannot read"))
                  .anyMatch(p -> p.equals("links[1].id: 'main' is used twice"))
                  .anyMatch(p -> p.startsWith("broker.bind: 0.0.0.0 is reachable from the network"))
                  .anyMatch(p -> p.startsWith("publish.qos: 3 is out of range"));
            });
  }

  @Test
  void secretsComeFromTheEnvironmentAndAMissingVariableIsAProblem() {
    String yaml =
        """
        gateway: {id: gw, enterprise: e, site: s, area: a}
        sources:
          - id: m1
            endpoint: opc.tcp://h:4840
            line: l1
            identity: {type: username, username: operator, password: "${env:M1_PASSWORD}"}
            signals: [{name: x, nodeId: "i=2258"}]
        links:
          - {id: l, broker: "mqtt://b:1883", username: gw, password: "${env:BROKER_PASSWORD}"}
        """;
    GatewayConfig c =
        new ConfigLoader(Map.of("M1_PASSWORD", "s3cret", "BROKER_PASSWORD", "pw")::get)
            .parse(yaml, "env.yaml", dir);
    assertThat(c.sources().get(0).identity())
        .isEqualTo(new GatewayConfig.UserIdentity.UserPassword("operator", "s3cret"));
    assertThat(c.sources().get(0).identity().toString()).doesNotContain("s3cret");
    assertThat(c.links().get(0).password()).contains("pw");
    assertThat(c.links().get(0).toString()).doesNotContain("pw]");

    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(yaml, "env.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "sources[0].identity.password: environment variable M1_PASSWORD is not set",
                        "links[0].password: environment variable BROKER_PASSWORD is not set"));
  }

  @Test
  void securityNoneIsAcceptedOnlyWithAnExplicitOptIn() {
    String yaml =
        """
        gateway: {id: gw, enterprise: e, site: s, area: a}
        sources:
          - {id: m1, endpoint: "opc.tcp://h:4840", line: l1, allowInsecure: true,
             security: {policy: None, mode: None}, signals: [{name: x, nodeId: "i=2258"}]}
        links: [{id: l, broker: embedded}]
        """;
    GatewayConfig c = new ConfigLoader(n -> null).parse(yaml, "none.yaml", dir);
    assertThat(c.sources().get(0).securityPolicy()).isEqualTo(GatewayConfig.SecurityPolicy.NONE);
  }

  @Test
  void twoSignalsMayNotPublishToTheSameTopic() {
    String yaml =
        """
        gateway: {id: gw, enterprise: e, site: s, area: a}
        sources:
          - {id: a, endpoint: "opc.tcp://h:1", line: l1, machine: m, signals: [{name: x, nodeId: "i=1"}]}
          - {id: b, endpoint: "opc.tcp://h:2", line: l1, machine: m, signals: [{name: x, nodeId: "i=2"}]}
        links: [{id: l, broker: embedded}]
        """;
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(yaml, "dup.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "sources[1].signals[0].name: publishes to the same topic (l1/m/data/x) as sources[0].signals[0]"));
  }

  @Test
  void batchingIsPublishDefaultOverriddenPerSourceAndTwoBatchesMayNotShareATopic() {
    String yaml =
        """
        gateway: {id: gw, enterprise: e, site: s, area: a}
        sources:
          - {id: a, endpoint: "opc.tcp://h:1", line: l1, machine: m, signals: [{name: x, nodeId: "i=1"}]}
          - {id: b, endpoint: "opc.tcp://h:2", line: l1, machine: m, signals: [{name: y, nodeId: "i=2"}]}
          - {id: c, endpoint: "opc.tcp://h:3", line: l1, batch: false, signals: [{name: z, nodeId: "i=3"}]}
        links: [{id: l, broker: embedded}]
        publish: {batch: true}
        """;
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(yaml, "batch.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactly(
                        "sources[1].batch: publishes to the same topic (l1/m/batch) as sources[0];"
                            + " give the sources different machine names or batch only one of them"));
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                yaml.replace(
                    "id: b, endpoint: \"opc.tcp://h:2\", line: l1, machine: m",
                    "id: b, endpoint: \"opc.tcp://h:2\", line: l1, machine: m2"),
                "batch.yaml",
                dir);
    assertThat(c.sources())
        .extracting(GatewayConfig.SourceConfig::batch)
        .containsExactly(true, true, false);
    assertThat(c.publish().batch()).isTrue();
  }

  @Test
  void relativePathsResolveAgainstTheConfigFile() throws Exception {
    Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    Path file = dir.resolve("k.yaml");
    Files.writeString(
        file,
        """
        gateway: {id: gw, enterprise: e, site: s, area: a}
        sources: [{id: m, endpoint: "opc.tcp://h:1", line: l, signals: [{name: x, nodeId: "i=1"}]}]
        links: [{id: l, broker: "mqtts://b:8883", tls: {caCertificate: ca.pem}}]
        """);
    GatewayConfig c = new ConfigLoader(n -> null).load(file);
    assertThat(c.links().get(0).tls().orElseThrow().caCertificate())
        .isEqualTo(dir.resolve("ca.pem").toAbsolutePath());
    assertThat(c.dataDir()).isEqualTo(dir.toAbsolutePath().resolve("data"));
  }

  @Test
  void theJournalHasSafeDefaultsAndReadsSizes() {
    String base =
        """
        gateway: {id: gw, enterprise: e, site: s, area: a}
        sources: [{id: m, endpoint: "opc.tcp://h:1", line: l, signals: [{name: x, nodeId: "i=1"}]}]
        links: [{id: l, broker: embedded}]
        """;
    GatewayConfig d = new ConfigLoader(n -> null).parse(base, "j.yaml", dir);
    assertThat(d.journal().maxBytes()).isEqualTo(1L << 30);
    assertThat(d.journal().sync()).isEqualTo(GatewayConfig.JournalSync.GROUP);
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                base
                    + "journal: {maxBytes: 512MiB, segmentBytes: 8MiB, maxAge: 2d, sync: always}\n",
                "j.yaml",
                dir);
    assertThat(c.journal().maxBytes()).isEqualTo(512L << 20);
    assertThat(c.journal().segmentBytes()).isEqualTo(8L << 20);
    assertThat(c.journal().maxAge()).isEqualTo(Duration.ofDays(2));
    assertThat(c.journal().sync()).isEqualTo(GatewayConfig.JournalSync.ALWAYS);
    assertThatThrownBy(
            () ->
                new ConfigLoader(n -> null)
                    .parse(
                        base + "journal: {maxBytes: lots, segmentBytes: 64MiB}\n", "j.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(p -> p.startsWith("journal.maxBytes: 'lots' is not a size")));
  }

  private static final String SHARING_BASE =
      """
      gateway: {id: gw, enterprise: e, site: s, area: a}
      sources:
        - {id: cnc1, endpoint: "opc.tcp://h:1", line: line1, signals: [
            {name: spindleSpeed, nodeId: "i=1"}, {name: power, nodeId: "i=2"},
            {name: state, kind: state, nodeId: "i=3"}]}
      links: [{id: l, broker: embedded}]
      """;

  @Test
  void partnersAndAgreementsAreRead() {
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                SHARING_BASE
                    + """
                    partners:
                      - id: acme
                        name: ACME Bikes B.V.
                        certificate: {fingerprint: "sha256:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"}
                      - {id: velo}
                    agreements:
                      - id: acme-status
                        partner: acme
                        purpose: Delivery planning
                        validFrom: 2026-01-01T00:00:00Z
                        validUntil: 2027-01-01T00:00:00+01:00
                        share: [line1/cnc1/state/#, line1/+/data/spindle*]
                        redact: [status, sourceTime]
                        messageExpiry: 1h
                      - id: velo-energy
                        partner: velo
                        purpose: Energy reporting
                        share: [line1/cnc1/data/power]
                        granularity: {every: 10s, aggregate: [min, max, avg]}
                    """,
                "share.yaml",
                dir);
    assertThat(c.partners()).hasSize(2);
    assertThat(c.partners().get(0).name()).isEqualTo("ACME Bikes B.V.");
    assertThat(c.partners().get(0).certificateFingerprint())
        .contains("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789");
    assertThat(c.partners().get(1).name()).isEqualTo("velo");
    GatewayConfig.AgreementConfig acme = c.agreements().get(0);
    assertThat(acme.validUntil()).contains(Instant.parse("2026-12-31T23:00:00Z"));
    assertThat(acme.activeAt(Instant.parse("2026-06-01T00:00:00Z"))).isTrue();
    assertThat(acme.activeAt(Instant.parse("2026-12-31T23:00:00Z"))).isFalse();
    assertThat(acme.activeAt(Instant.parse("2025-12-31T23:59:59Z"))).isFalse();
    assertThat(acme.share().get(1).matches("line1", "cnc1", "data", "spindleSpeed")).isTrue();
    assertThat(acme.share().get(1).matches("line1", "cnc1", "data", "power")).isFalse();
    assertThat(acme.share().get(0).matches("line1", "cnc1", "state", "state")).isTrue();
    assertThat(acme.granularity().isRaw()).isTrue();
    assertThat(acme.redact()).containsExactlyInAnyOrder("status", "sourceTime");
    GatewayConfig.AgreementConfig velo = c.agreements().get(1);
    assertThat(velo.granularity().every()).contains(Duration.ofSeconds(10));
    assertThat(velo.granularity().aggregates())
        .containsExactly(
            GatewayConfig.Aggregate.MIN, GatewayConfig.Aggregate.MAX, GatewayConfig.Aggregate.AVG);
  }

  @Test
  void everySharingProblemIsListedWithItsPath() {
    String yaml =
        SHARING_BASE.replace("enterprise: e", "enterprise: partners")
            + """
            partners:
              - {id: acme, certificate: {fingerprint: "12:34"}}
              - {id: acme}
              - {id: Bad_Id}
            agreements:
              - id: a1
                partner: nobody
                share: [line1/cnc9/#, "line1/#/data", line1/cnc1]
                redact: [value]
                validFrom: 2027-01-01T00:00:00Z
                validUntil: 2026-01-01T00:00:00Z
                granularity: {every: 10s, aggregate: [median]}
              - {id: a2, partner: acme, purpose: p, share: [], granularity: hourly}
              - {id: a3, partner: acme, purpose: p, share: [line1/cnc1/data/#]}
              - {id: a4, partner: acme, purpose: p, share: [line1/+/data/power]}
            """;
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(yaml, "bad.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "partners[0].certificate.fingerprint: must be the certificate's SHA-256"
                            + " fingerprint: 64 hex digits, optionally in pairs separated by ':'"
                            + " and prefixed with 'sha256:'",
                        "partners[1].id: 'acme' is used twice",
                        "agreements[0].partner: 'nobody' is not a partner; known: Bad_Id, acme",
                        "agreements[0].purpose: missing (why the partner gets this data, for the"
                            + " record)",
                        "agreements[0].validUntil: must be after validFrom (2027-01-01T00:00:00Z)",
                        "agreements[0].share[0]: 'line1/cnc9/#' matches no configured signal, order or production stream",
                        "agreements[0].share[1]: 'line1/#/data' '#' must be the last level",
                        "agreements[0].share[2]: 'line1/cnc1' has 2 levels; give all 4"
                            + " (line/machine/kind/name) or end with '#'",
                        "agreements[0].redact: 'value' cannot be redacted; choose from asset, unit,"
                            + " quality, status, sourceTime, gatewayTime",
                        "agreements[0].granularity.aggregate: 'median' is not one of last, min,"
                            + " max, avg, count",
                        "agreements[1].share: must list at least one stream selector",
                        "agreements[1].granularity: 'hourly' is not 'raw' or {every: 10s,"
                            + " aggregate: [last, min, max, avg, count]}",
                        "agreements[3].share: grants line1/cnc1/data/power to partner acme a"
                            + " second time (also in agreement a3) while both are in force; a"
                            + " partner sees a stream under one agreement",
                        "gateway.enterprise: 'partners' is reserved for the partners' topics"
                            + " (ketenlink/v1/partners/...)")
                    .anyMatch(p -> p.startsWith("partners[2].id: ")));
  }

  @Test
  void orderCommandsAreReadWithTheirLimits() {
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                SHARING_BASE.replace(
                        "nodeId: \"i=3\"}]}",
                        "nodeId: \"i=3\"}], orders: {nodeId: \"ns=2;s=line1/cnc1/Orders\"}}")
                    + """
                    partners: [{id: acme, customers: [ACME, ACME-NL]}]
                    agreements:
                      - {id: a, partner: acme, purpose: p, share: [line1/cnc1/data/power],
                         commands: {allow: [changeQuantity, status]}}
                    """,
                "commands.yaml",
                dir);
    GatewayConfig.OrdersConfig orders = c.sources().get(0).orders().orElseThrow();
    assertThat(orders.node())
        .isEqualTo(new GatewayConfig.NodeAddress.ById("ns=2;s=line1/cnc1/Orders"));
    assertThat(orders.pollInterval()).isEqualTo(ConfigLoader.DEFAULT_ORDER_POLL);
    assertThat(orders.progressParts()).isEqualTo(ConfigLoader.DEFAULT_PROGRESS_PARTS);
    assertThat(c.partners().get(0).owns("ACME-NL")).isTrue();
    assertThat(c.partners().get(0).owns("VELO")).isFalse();
    GatewayConfig.CommandGrant grant = c.agreements().get(0).commands().orElseThrow();
    assertThat(grant.allow()).containsExactlyInAnyOrder("changeQuantity", "status");
    assertThat(grant.perMinute()).isEqualTo(ConfigLoader.DEFAULT_COMMANDS_PER_MINUTE);
    assertThat(grant.burst()).isEqualTo(ConfigLoader.DEFAULT_COMMAND_BURST);
  }

  @Test
  void everyCommandProblemIsListedWithItsPath() {
    String yaml =
        SHARING_BASE
            + """
            partners: [{id: acme}, {id: velo, customers: [VELO, ""]}]
            agreements:
              - {id: a1, partner: acme, purpose: p, share: [line1/cnc1/data/power],
                 commands: {allow: [changeQuantity, delete], perMinute: 0, burst: 1000}}
              - {id: a2, partner: velo, purpose: p, share: [line1/cnc1/data/power],
                 commands: {allow: []}}
              - {id: a3, partner: velo, purpose: p, share: [line1/cnc1/state/state],
                 commands: {allow: [status]}}
              - {id: a4, partner: acme, purpose: p, share: [line1/cnc1/order/#], orders: mine}
            """;
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(yaml, "bad.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "partners[1].customers: must not list an empty customer id",
                        "agreements[0].commands.allow: 'delete' is not a command; choose from"
                            + " changeQuantity, changeDueDate, hold, cancel, status",
                        "agreements[1].commands.allow: must list at least one command (leave"
                            + " commands out to allow none)",
                        "agreements[0] (a1).commands: partner 'acme' lists no customers; commands"
                            + " reach only a partner's own orders, so give the customer ids its"
                            + " orders carry (partners[].customers)",
                        "agreements[0] (a1).commands: no source has an orders object"
                            + " (sources[].orders), so no command can reach a machine",
                        "agreements[1] (a2).commands: partner 'velo' is also allowed commands by"
                            + " agreement a3 while both are in force; allow a partner's commands in"
                            + " one agreement")
                    .anyMatch(
                        p -> p.startsWith("agreements[3].orders: 'mine' is not one of own, all"))
                    .anyMatch(p -> p.startsWith("agreements[0].commands.perMinute: "))
                    .anyMatch(p -> p.startsWith("agreements[0].commands.burst: ")));
  }

  @Test
  void orderStreamsAreSelectableWhereAMachineHasOrders() {
    String withOrders =
        SHARING_BASE.replace(
            "nodeId: \"i=3\"}]}",
            "nodeId: \"i=3\"}], orders: {nodeId: \"i=4\", pollInterval: 1s}}");
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                withOrders
                    + """
                    partners: [{id: acme, customers: [ACME]}, {id: logi}]
                    agreements:
                      - {id: a, partner: acme, purpose: p, share: [line1/cnc1/order/ORD-1]}
                      - {id: b, partner: logi, purpose: p, share: [line1/+/order/#], orders: all}
                    """,
                "orders.yaml",
                dir);
    assertThat(c.agreements().get(0).orders()).isEqualTo(GatewayConfig.OrderScope.OWN);
    assertThat(c.agreements().get(1).orders()).isEqualTo(GatewayConfig.OrderScope.ALL);
    assertThat(c.sources().get(0).orders().orElseThrow().pollInterval())
        .isEqualTo(Duration.ofSeconds(1));

    String problems =
        SHARING_BASE
            + """
            partners: [{id: logi}]
            agreements:
              - {id: b, partner: logi, purpose: p, share: [line1/+/order/#]}
            """;
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(problems, "bad.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "agreements[0].share[0]: 'line1/+/order/#' matches no configured signal, order or production stream"));
    assertThatThrownBy(
            () ->
                new ConfigLoader(n -> null)
                    .parse(
                        withOrders
                            + """
                            partners: [{id: logi}]
                            agreements:
                              - {id: b, partner: logi, purpose: p, share: [line1/+/order/#]}
                            """,
                        "bad.yaml",
                        dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "agreements[0] (b).share: selects order streams, but partner 'logi' lists"
                            + " no customers, so it would see none of them; give the customer ids"
                            + " its orders carry (partners[].customers), or orders: all"));
  }

  @Test
  void everyProductionMappingProblemIsListedWithItsPath() {
    String yaml =
        SHARING_BASE.replace(
            "nodeId: \"i=3\"}]}",
            "nodeId: \"i=3\"}], production: {state: {signal: stat, model: isa88}, good: power,"
                + " scrap: nope, interval: 1s, shifts: {zone: Mars/Olympus, starts: {a: \"14:00\","
                + " b: \"06:00\", c: \"25:00\"}}}}");
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(yaml, "bad.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "sources[0].production.state.signal: 'stat' is not a signal of this"
                            + " source; known: power, spindleSpeed, state",
                        "sources[0].production.scrap: 'nope' is not a signal of this source;"
                            + " known: power, spindleSpeed, state",
                        "sources[0].production.idealCycleTime: missing (the fastest cycle the"
                            + " machine can make, e.g. 45s)",
                        "sources[0].production.shifts.zone: 'Mars/Olympus' is not a time zone"
                            + " (e.g. Europe/Amsterdam)",
                        "sources[0].production.shifts.starts.b: must start after the shift"
                            + " before it (14:00)",
                        "sources[0].production.shifts.starts.c: '25:00' is not a time of day"
                            + " (HH:mm)")
                    .anyMatch(p -> p.startsWith("sources[0].production.state.model: "))
                    .anyMatch(p -> p.startsWith("sources[0].production.interval: ")));
  }

  @Test
  void productionStreamsAreSelectableWhereAMachineIsMapped() {
    String mapped =
        SHARING_BASE.replace(
            "nodeId: \"i=3\"}]}",
            "nodeId: \"i=3\"}, {name: order, kind: state, nodeId: \"i=5\"}], production:"
                + " {state: {signal: state}, good: power, scrap: spindleSpeed, idealCycleTime: 1s,"
                + " activeOrder: order, performance: true}}");
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                mapped
                    + """
                    partners: [{id: acme, customers: [ACME]}, {id: velo}]
                    agreements:
                      - {id: a, partner: acme, purpose: p, share: [line1/cnc1/production/#]}
                      - {id: b, partner: velo, purpose: p, share: [line1/+/state/timeline, line1/+/production/interval]}
                    """,
                "production.yaml",
                dir);
    assertThat(c.sources().get(0).production().orElseThrow().performance()).isTrue();
    assertThat(c.agreements()).hasSize(2);

    assertThatThrownBy(
            () ->
                new ConfigLoader(n -> null)
                    .parse(
                        mapped
                            + """
                            partners: [{id: velo}]
                            agreements:
                              - {id: b, partner: velo, purpose: p, share: [line1/cnc1/production/shift, line1/cnc1/production/order]}
                            """,
                        "bad.yaml",
                        dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "agreements[0].share[0]: 'line1/cnc1/production/shift' matches no"
                            + " configured signal, order or production stream")
                    .anyMatch(
                        p ->
                            p.startsWith("agreements[0] (b).share: selects order streams")
                                && p.contains("'velo' lists no customers")));
    String noOrder =
        SHARING_BASE.replace(
            "nodeId: \"i=3\"}]}",
            "nodeId: \"i=3\"}], production: {state: {signal: state}, good: power, scrap:"
                + " spindleSpeed, idealCycleTime: 1s, performance: true}}");
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse(noOrder, "bad.yaml", dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(
                        p -> p.startsWith("sources[0].production.performance: needs activeOrder")));
  }

  @Test
  void aProfileMapsTheMachineByStandardBrowsePathsAndTheSourceOverridesIt() {
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                """
                gateway: {id: gw, enterprise: e, site: s, area: a}
                sources:
                  - id: cnc1
                    endpoint: "opc.tcp://h:1"
                    line: line1
                    profile: simulator
                    signals:
                      - {name: alarmText, kind: state, nodeId: "i=7"}
                      - {name: spindleSpeed, nodeId: "i=8"}
                    production: {idealCycleTime: 45s, good: spindleSpeed}
                  - id: press7
                    endpoint: "opc.tcp://h:2"
                    line: line2
                    profile: {name: machinery, namespace: "urn:acme:presses"}
                  - id: packer
                    endpoint: "opc.tcp://h:3"
                    line: line3
                    profile: {name: packml, namespace: "urn:acme:packer", path: Line3/Packer/PackML}
                    signals: [{name: processed, nodeId: "i=9"}, {name: defective, nodeId: "i=10"}]
                    production: {good: processed, scrap: defective, idealCycleTime: 1s}
                links: [{id: l, broker: embedded}]
                """,
                "profiles.yaml",
                dir);
    SourceConfig cnc = c.sources().get(0);
    assertThat(cnc.signals())
        .extracting(GatewayConfig.SignalConfig::name)
        .containsExactly(
            "alarmText",
            "spindleSpeed",
            "state",
            "operationMode",
            "goodCount",
            "scrapCount",
            "activeOrder",
            "alarmActive",
            "alarmCode");
    assertThat(cnc.signals().get(0).address()).isEqualTo(new NodeAddress.ById("i=7"));
    assertThat(cnc.signals().get(2).address())
        .isEqualTo(
            new NodeAddress.ByPath(
                "urn:ketenlink:simulator:fieldlab",
                List.of("line1", "cnc1", "State", "MachineryItemState")));
    assertThat(cnc.orders().orElseThrow().node())
        .isEqualTo(
            new NodeAddress.ByPath(
                "urn:ketenlink:simulator:fieldlab", List.of("line1", "cnc1", "Orders")));
    GatewayConfig.ProductionConfig pc = cnc.production().orElseThrow();
    assertThat(pc.stateSignal()).isEqualTo("state");
    assertThat(pc.goodSignal()).as("the source's own choice").isEqualTo("spindleSpeed");
    assertThat(pc.scrapSignal()).isEqualTo("scrapCount");
    assertThat(pc.reasonSignal()).contains("alarmText");
    assertThat(pc.activeOrderSignal()).contains("activeOrder");

    SourceConfig press = c.sources().get(1);
    assertThat(press.production()).as("no production block: no production").isEmpty();
    assertThat(press.signals().get(0).address())
        .isEqualTo(
            new NodeAddress.ByPath(
                "urn:acme:presses",
                List.of(
                    "Machines",
                    "press7",
                    "MachineryBuildingBlocks",
                    "MachineryItemState",
                    "CurrentState"),
                List.of(
                    "http://opcfoundation.org/UA/Machinery/",
                    "",
                    "http://opcfoundation.org/UA/Machinery/",
                    "http://opcfoundation.org/UA/Machinery/",
                    "http://opcfoundation.org/UA/")));
    assertThat(press.orders().orElseThrow().model())
        .isEqualTo(GatewayConfig.OrderModelName.JOB_MANAGEMENT);
    assertThat(press.orders().orElseThrow().node())
        .isEqualTo(
            new NodeAddress.ByPath(
                "urn:acme:presses",
                List.of("Machines", "press7", "MachineryBuildingBlocks", "JobManagement"),
                List.of(
                    "http://opcfoundation.org/UA/Machinery/",
                    "",
                    "http://opcfoundation.org/UA/Machinery/",
                    "http://opcfoundation.org/UA/Machinery/Jobs/")));
    assertThat(cnc.orders().orElseThrow().model())
        .isEqualTo(GatewayConfig.OrderModelName.KETENLINK);
    SourceConfig packer = c.sources().get(2);
    assertThat(packer.production().orElseThrow().model())
        .isEqualTo(GatewayConfig.StateModelName.PACKML);
    assertThat(packer.signals())
        .extracting(GatewayConfig.SignalConfig::name)
        .contains("state", "unitMode", "machineSpeed", "blocked", "starved");

    assertThatThrownBy(
            () ->
                new ConfigLoader(n -> null)
                    .parse(
                        """
                        gateway: {id: gw, enterprise: e, site: s, area: a}
                        sources:
                          - {id: a, endpoint: "opc.tcp://h:1", line: l, profile: euromap77}
                          - {id: b, endpoint: "opc.tcp://h:1", line: l, profile: {name: packml}}
                          - {id: c, endpoint: "opc.tcp://h:1", line: l, profile: machinery,
                             production: {idealCycleTime: 1s}}
                        links: [{id: l, broker: embedded}]
                        """,
                        "bad.yaml",
                        dir))
        .isInstanceOfSatisfying(
            ConfigException.class,
            e ->
                assertThat(e.problems())
                    .contains(
                        "sources[0].profile: 'euromap77' is not a profile; choose from simulator,"
                            + " machinery, packml",
                        "sources[2].profile.namespace: missing (the namespace URI of the"
                            + " machine's object, e.g. urn:acme:presses)")
                    .anyMatch(p -> p.startsWith("sources[1].profile: the packml profile needs"))
                    .anyMatch(p -> p.startsWith("sources[2].production.good: missing")));
  }

  @Test
  void aRenewalThatStartsWhenTheOldAgreementEndsIsNoOverlap() {
    GatewayConfig c =
        new ConfigLoader(n -> null)
            .parse(
                SHARING_BASE
                    + """
                    partners: [{id: acme}]
                    agreements:
                      - {id: y1, partner: acme, purpose: p, share: [line1/cnc1/data/power],
                         validUntil: 2027-01-01T00:00:00Z}
                      - {id: y2, partner: acme, purpose: p, share: [line1/cnc1/data/power],
                         validFrom: 2027-01-01T00:00:00Z}
                    """,
                "renew.yaml",
                dir);
    assertThat(c.agreements()).hasSize(2);
  }

  @Test
  void unreadableYamlNamesTheLine() {
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse("gateway: [\n  - {", "x.yaml", dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML");
  }
}
