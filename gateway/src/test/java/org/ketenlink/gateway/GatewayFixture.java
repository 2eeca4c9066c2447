package org.ketenlink.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.ketenlink.connectors.opcua.OpcUaPki;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Scenario;
import org.ketenlink.simulator.Simulator;

/** A simulator and a gateway configuration pointed at it, for end-to-end tests. */
final class GatewayFixture {

  static final String NS = "urn:ketenlink:simulator:fieldlab";

  /** Machines that run at once (no changeover) and never break down by themselves. */
  static final String SCENARIO =
      """
      name: Gateway end-to-end
      line: {id: line1, name: Line 1}
      machines:
        - {id: cnc1, type: cnc-mill, idealCycleTime: 20s, performance: 0.9, scrapRate: 0.05}
        - {id: pack1, type: packaging-line, idealCycleTime: 1s, performance: 0.9, scrapRate: 0.01}
      orders:
        - {id: O-1, machine: cnc1, customer: ACME, article: flange, quantity: 100000, due: 1d}
        - {id: O-2, machine: pack1, customer: VELO, article: box, quantity: 1000000, due: 1d}
      users:
        operator: correct-horse-battery
      """;

  static Simulator simulator(Path dir) {
    return builder(dir).start();
  }

  /**
   * The same fieldlab plus one load machine, {@code Load/Machine001}, whose {@code variables}
   * values all change every {@code interval}: a steady, known load.
   */
  static Simulator simulatorWithLoad(Path dir, int variables, Duration interval) {
    return builder(dir).load(1, variables, interval).start();
  }

  private static Simulator.Builder builder(Path dir) {
    return Simulator.builder()
        .port(0)
        .pkiDir(dir.resolve("simulator-pki"))
        .scenario(Scenario.parse(SCENARIO, "gateway-it"))
        .seed(3);
  }

  /**
   * {@code yaml} with one more source, {@code load1}, that reads the load machine's {@code
   * variables} values (topics {@code .../load/load1/data/VarNNNNN}).
   */
  static String withLoadSource(String yaml, Simulator sim, int variables) {
    StringBuilder b = new StringBuilder();
    b.append("  - id: load1\n    endpoint: \"").append(sim.endpointUrl()).append("\"\n");
    b.append("    line: load\n    publishingInterval: 100ms\n");
    b.append("    signalDefaults: {samplingInterval: 0ms, queueSize: 4}\n    signals:\n");
    for (int v = 1; v <= variables; v++) {
      b.append(
          "      - {name: Var%05d, nodeId: \"nsu=%s;s=Load/Machine001/Var%05d\"}\n"
              .formatted(v, NS, v));
    }
    return yaml.replace("links:\n", b + "links:\n");
  }

  /** The signals of most tests: numbers with units, a state with a value map, counters. */
  static String signals() {
    return """
        signals:
              - {name: state, kind: state, browsePath: {namespace: "%1$s", path: line1/cnc1/State/MachineryItemState}}
              - {name: spindleSpeed, nodeId: "nsu=%1$s;s=line1/cnc1/Monitoring/SpindleSpeed", samplingInterval: 100ms}
              - {name: power, nodeId: "nsu=%1$s;s=line1/cnc1/Monitoring/Power", samplingInterval: 100ms}
              - {name: powerW, unit: WTT, scale: 1000, nodeId: "nsu=%1$s;s=line1/cnc1/Monitoring/Power"}
              - {name: goodCount, nodeId: "nsu=%1$s;s=line1/cnc1/Production/GoodCount"}
        """
        .formatted(NS);
  }

  static String config(Simulator sim, String identity, String signals) {
    return """
        gateway: {id: it-gw, enterprise: acme, site: ehv, area: hall-2}
        dataDir: data
        sources:
          - id: cnc1
            endpoint: "%s"
            line: line1
            publishingInterval: 100ms
            nodeRetryInterval: 1s
            identity: %s
            %s
          - id: pack1
            endpoint: "%s"
            line: line1
            publishingInterval: 100ms
            signals:
              - {name: packmlState, kind: state, nodeId: "nsu=%s;s=line1/pack1/State/PackMLStateNumber",
                 map: {"4": Idle, "5": Suspended, "6": Execute, "9": Aborted}}
              - {name: processedCount, nodeId: "nsu=%s;s=line1/pack1/Monitoring/ProcessedCount"}
        links:
          - {id: main, broker: embedded}
        broker: {port: 0}
        admin: {port: 0}
        publish: {qos: 1, messageExpiry: 10m}
        """
        .formatted(sim.endpointUrl(), identity, signals.strip(), sim.endpointUrl(), NS, NS);
  }

  /**
   * {@link #config} with its one link pointed at an external broker (usually through a {@link
   * FaultProxy}) with a 5 s keep-alive, so faults on that path are noticed quickly.
   */
  static String configWithExternalBroker(Simulator sim, int brokerPort) {
    return config(sim, "{type: anonymous}", signals())
        .replace(
            "  - {id: main, broker: embedded}",
            "  - {id: main, broker: \"mqtt://127.0.0.1:%d\", keepAlive: 5s}".formatted(brokerPort));
  }

  static GatewayConfig load(Path dir, String yaml) throws Exception {
    Path file = dir.resolve("ketenlink.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader(
            name -> name.equals("OPERATOR_PASSWORD") ? "correct-horse-battery" : null)
        .load(file);
  }

  /** What an engineer does once per machine: exchange application certificates. */
  static void trustEachOther(Simulator sim, GatewayConfig config) throws Exception {
    try (OpcUaPki pki = Connectors.pki(config)) {
      sim.trustClientCertificate(pki.certificate());
      pki.trustCertificate(sim.serverCertificate());
    }
  }

  /** {@code GET} on the gateway's admin server. */
  static java.net.http.HttpResponse<String> http(Gateway g, String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(g.adminUrl().orElseThrow() + path))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  static final Duration DATA_TIMEOUT = Duration.ofSeconds(20);

  private GatewayFixture() {}
}
