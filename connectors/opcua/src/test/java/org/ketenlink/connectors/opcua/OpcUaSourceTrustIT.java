package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ketenlink.connectors.opcua.Fixtures.await;
import static org.ketenlink.connectors.opcua.Fixtures.byPath;
import static org.ketenlink.connectors.opcua.Fixtures.signal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.simulator.Simulator;
import org.slf4j.LoggerFactory;

/** An unknown server certificate is refused, explained once, and trusted without a restart. */
class OpcUaSourceTrustIT {

  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final ch.qos.logback.classic.Logger sourceLog =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(OpcUaSource.class);

  @BeforeEach
  void captureLog() {
    logged.start();
    sourceLog.addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    sourceLog.detachAppender(logged);
  }

  @Test
  void anUnknownServerCertificateIsRefusedUntilTrustedThenTheSourceConnectsByItself()
      throws Exception {
    try (Simulator sim = Fixtures.simulator(dir.resolve("sim")).start();
        OpcUaPki pki = Fixtures.gatewayPki(dir.resolve("gateway"))) {
      sim.trustClientCertificate(pki.certificate());
      OpcUaSourceSettings settings =
          Fixtures.settings(
              "cnc1",
              sim.endpointUrl(),
              List.of(signal("speed", byPath("line1/cnc1/Monitoring/SpindleSpeed"))));
      TestSink sink = new TestSink();
      try (OpcUaSource source = new OpcUaSource(settings, pki)) {
        source.start(sink);

        await(
            Duration.ofSeconds(10),
            "a second refused attempt",
            () -> source.connectAttempts() >= 2);

        assertThat(pki.rejected()).hasSize(1);
        Path rejected = pki.rejected().get(0);
        assertThat(rejected.getParent()).isEqualTo(pki.pkiDir().resolve("rejected"));
        assertThat(rejected.getFileName().toString()).endsWith(".der");
        String thumbprint = RejectedCertificates.thumbprint(sim.serverCertificate());
        assertThat(source.status().state()).isEqualTo(ConnectionState.CONNECTING);
        assertThat(source.status().lastError().orElseThrow())
            .startsWith("server certificate not trusted — see " + rejected)
            .contains(thumbprint)
            .contains("ketenlink trust " + rejected);
        List<ILoggingEvent> warnings =
            logged.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .filter(e -> e.getFormattedMessage().contains("not trusted"))
                .toList();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getFormattedMessage())
            .contains("cnc1", sim.endpointUrl(), "CN=", thumbprint, rejected.toString())
            .contains("ketenlink trust " + rejected);
        assertThat(sink.samples).isEmpty();

        pki.trust(rejected);

        await(Duration.ofSeconds(20), "samples once trusted", () -> sink.count("speed") > 0);
        assertThat(source.status().state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(source.status().lastError()).isEmpty();
        assertThat(pki.rejected()).isEmpty();
        assertThat(logged.list)
            .filteredOn(e -> e.getFormattedMessage().contains("not trusted"))
            .as("one warning for the whole episode")
            .hasSize(1);
      }
    }
  }
}
