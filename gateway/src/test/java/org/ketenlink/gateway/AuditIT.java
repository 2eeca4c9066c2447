package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;
import picocli.CommandLine;

/**
 * The audit trail across restarts: agreement changes between two runs are recorded, shared volume
 * per interval, and {@code ketenlink audit} exports it all as CSV or JSON.
 */
class AuditIT {

  @TempDir Path dir;

  @Test
  void agreementChangesAndSharedVolumesAreOnRecordAndExportable() throws Exception {
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      String base = GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals());
      String first =
          base
              + """
              partners: [{id: acme}, {id: velo}]
              agreements:
                - {id: acme-speed, partner: acme, purpose: Planning, share: [line1/cnc1/data/spindleSpeed]}
                - {id: velo-power, partner: velo, purpose: Energy, share: [line1/cnc1/data/power]}
              audit: {interval: 1s}
              """;
      GatewayConfig config = GatewayFixture.load(dir, first);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        GatewayFailuresIT.await(
            Duration.ofSeconds(30),
            "a shared interval for acme",
            () -> g.scrape().contains("ketenlink_share_messages_total{agreement=\"acme-speed\""));
        Thread.sleep(1_500);
      }
      // The second run: acme's agreement now redacts a field, velo's is gone, a new one came.
      String second =
          base
              + """
              partners: [{id: acme}, {id: velo}]
              agreements:
                - {id: acme-speed, partner: acme, purpose: Planning, share: [line1/cnc1/data/spindleSpeed],
                   redact: [sourceTime]}
                - {id: velo-state, partner: velo, purpose: Planning, share: [line1/cnc1/state/#]}
              audit: {interval: 1s}
              """;
      try (Gateway g = Gateway.start(GatewayFixture.load(dir, second))) {
        Thread.sleep(500);
      }
    }
    String csv = run("audit", "-c", dir.resolve("ketenlink.yaml").toString());
    assertThat(csv.lines().filter(l -> l.contains(",agreement-added,")).count())
        .as("three agreements were ever added")
        .isEqualTo(3);
    assertThat(csv).contains(",agreement-changed,acme,acme-speed,").contains("redact=[sourceTime]");
    assertThat(csv).contains(",agreement-removed,velo,velo-power,");
    assertThat(csv.lines().filter(l -> l.contains(",shared,acme,acme-speed,"))).isNotEmpty();
    String json =
        run(
            "audit",
            "-c",
            dir.resolve("ketenlink.yaml").toString(),
            "--format",
            "json",
            "--partner",
            "velo",
            "--type",
            "shared");
    assertThat(json)
        .startsWith("[{")
        .contains("\"agreement\":\"velo-power\"")
        .doesNotContain("acme");
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cmd = KetenlinkCommand.commandLine();
    cmd.setOut(new PrintWriter(out));
    assertThat(cmd.execute(args)).isZero();
    return out.toString();
  }
}
