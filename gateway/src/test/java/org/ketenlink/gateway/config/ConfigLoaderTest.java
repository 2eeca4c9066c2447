package org.ketenlink.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void unreadableYamlNamesTheLine() {
    assertThatThrownBy(() -> new ConfigLoader(n -> null).parse("gateway: [\n  - {", "x.yaml", dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML");
  }
}
