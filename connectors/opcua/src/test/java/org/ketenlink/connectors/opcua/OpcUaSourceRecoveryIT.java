package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ketenlink.connectors.opcua.Fixtures.await;
import static org.ketenlink.connectors.opcua.Fixtures.byPath;
import static org.ketenlink.connectors.opcua.Fixtures.signal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.SourceStatus;
import org.ketenlink.simulator.Simulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Recovery without a gateway restart: server restarts and servers that come up late. */
class OpcUaSourceRecoveryIT {

  private static final Logger log = LoggerFactory.getLogger(OpcUaSourceRecoveryIT.class);

  @TempDir Path dir;

  @Test
  void samplesResumeByThemselvesAfterTheServerRestarts() throws Exception {
    try (Simulator sim = Fixtures.simulator(dir.resolve("sim")).start();
        OpcUaPki pki = Fixtures.gatewayPki(dir.resolve("gateway"))) {
      Fixtures.trustEachOther(sim, pki, dir);
      OpcUaSourceSettings settings =
          Fixtures.settings(
              "pack1",
              sim.endpointUrl(),
              List.of(signal("processed", byPath("line1/pack1/Monitoring/ProcessedCount"))));
      TestSink sink = new TestSink();
      try (OpcUaSource source = new OpcUaSource(settings, pki)) {
        source.start(sink);
        await(Duration.ofSeconds(15), "samples", () -> sink.count("processed") > 3);
        int infosBefore = sink.infosOf("processed").size();

        long t0 = System.nanoTime();
        sim.faults().restartServer(Duration.ofSeconds(1));
        long back = System.nanoTime();
        int before = sink.samples.size();

        await(
            Duration.ofSeconds(30),
            "samples after the restart",
            () -> sink.samples.size() > before);
        long resumed = System.nanoTime();
        log.info(
            "Server restart (1 s down): back after {} ms; first sample again {} ms after the restart"
                + " began",
            (back - t0) / 1_000_000,
            (resumed - t0) / 1_000_000);

        await(Duration.ofSeconds(5), "more samples", () -> sink.samples.size() > before + 3);
        SourceStatus status = source.status();
        assertThat(status.subscriptionRecoveries()).isGreaterThanOrEqualTo(1);
        assertThat(status.reconnects()).isGreaterThanOrEqualTo(1);
        assertThat(status.state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(status.signalsActive()).isEqualTo(1);
        assertThat(status.problems()).isEmpty();
        assertThat(sink.infosOf("processed")).hasSizeGreaterThan(infosBefore);
      }
    }
  }

  @Test
  void aServerThatStartsAfterTheSourceIsConnectedOnceItIsUp() throws Exception {
    Path simPki = dir.resolve("sim");
    int port = Fixtures.freePort();
    try (OpcUaPki pki = Fixtures.gatewayPki(dir.resolve("gateway"))) {
      // The simulator keeps its certificate and trust list in its PKI folder: prepare both.
      try (Simulator first = Fixtures.simulator(simPki).start()) {
        Fixtures.trustEachOther(first, pki, dir);
      }
      String url = "opc.tcp://127.0.0.1:" + port + "/ketenlink";
      OpcUaSourceSettings settings =
          Fixtures.settings(
              "late", url, List.of(signal("speed", byPath("line1/pack1/Monitoring/Speed"))));
      TestSink sink = new TestSink();
      try (OpcUaSource source = new OpcUaSource(settings, pki)) {
        source.start(sink);
        await(
            Duration.ofSeconds(10),
            "the refused connection",
            () -> source.status().lastError().orElse("").startsWith("connection refused"));
        assertThat(source.status().state()).isEqualTo(ConnectionState.CONNECTING);

        try (Simulator sim = Fixtures.simulator(simPki).port(port).start()) {
          await(Duration.ofSeconds(30), "samples", () -> sink.count("speed") > 0);
          assertThat(source.status().state()).isEqualTo(ConnectionState.CONNECTED);
          assertThat(source.status().lastError()).isEmpty();
          assertThat(source.status().endpoint()).isEqualTo(sim.endpointUrl());
        }
      }
    }
  }
}
