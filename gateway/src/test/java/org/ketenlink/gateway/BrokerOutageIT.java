package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.mqtt.Mosquitto;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.journal.JournalStats;
import org.ketenlink.simulator.Simulator;

/**
 * A real Mosquitto (Debian's package; the test fails, never skips, without it) is down for a minute
 * under a steady load from the simulator: when it is back, the partner gets every value the gateway
 * numbered, in order per stream, with no gap.
 *
 * <p>It mostly waits, so it runs beside the other test classes, but not the timing-sensitive ones
 * ({@link Timing}).
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(Timing.SENSITIVE)
class BrokerOutageIT {

  private static final int LOAD_VARIABLES = 50; // × 10 changes/s each
  private static final Duration OUTAGE = Duration.ofMinutes(1);

  @TempDir Path dir;

  @Test
  void aBrokerThatIsDownForAMinuteGetsEveryValueInOrderWhenItIsBack() throws Exception {
    Path brokerDir = Files.createDirectories(dir.resolve("mosquitto"));
    try (Mosquitto mosquitto =
            Mosquitto.start(
                brokerDir, "persistence true", "persistence_location " + brokerDir + "/");
        Simulator sim =
            GatewayFixture.simulatorWithLoad(dir, LOAD_VARIABLES, Duration.ofMillis(100));
        // The partner's persistent session survives the broker's restart: it misses nothing
        // that arrives there, however late it reconnects.
        TestSubscriber partner =
            TestSubscriber.persistent(mosquitto.uri(), "partner").subscribe("ketenlink/#")) {
      String yaml =
          GatewayFixture.withLoadSource(
              GatewayFixture.configWithExternalBroker(sim, mosquitto.port()), sim, LOAD_VARIABLES);
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        String load = "ketenlink/v1/acme/ehv/hall-2/load/load1/data/Var00001";
        partner.await(
            Duration.ofSeconds(30), "load data before the outage", m -> m.topic().equals(load));

        mosquitto.stop(); // SIGTERM: the broker saves its sessions and goes away
        long down = System.nanoTime();
        GatewayFailuresIT.await(
            Duration.ofSeconds(10),
            "the link to notice",
            () -> g.status().links().get(0).state() != ConnectionState.CONNECTED);
        Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - down) / 1_000_000));
        JournalStats during = journal(g);
        assertThat(g.status().ready()).isFalse();
        assertThat(during.backlogRecords())
            .as("a minute of steady load waits in the journal")
            .isGreaterThan(20_000);

        mosquitto.start(); // same port, same persistent sessions
        long back = System.nanoTime();
        Map<String, Long> last = Delivery.settle(g, Duration.ofSeconds(90));
        long settled = System.nanoTime();
        Delivery.assertComplete(partner, last, Duration.ofSeconds(60));
        System.out.printf(
            "Broker down %d s: backlog %d records (%d bytes, oldest %d s); journal drained and"
                + " acknowledged %.1f s after the broker was back; partner complete after %.1f s,"
                + " %d streams, %d values%n",
            (back - down) / 1_000_000_000L,
            during.backlogRecords(),
            during.backlogBytes(),
            during.oldestAgeMillis() / 1000,
            (settled - back) / 1e9,
            (System.nanoTime() - back) / 1e9,
            last.size(),
            last.values().stream().mapToLong(Long::longValue).sum());
        assertThat(last).containsKey(load).hasSizeGreaterThan(LOAD_VARIABLES);
        JournalStats after = journal(g);
        assertThat(after.droppedByBudget() + after.droppedByAge()).isZero();
        assertThat(after.acknowledged()).isGreaterThan(during.backlogRecords());
      }
    }
  }

  private static JournalStats journal(Gateway g) {
    return g.status().journals().get(0).stats();
  }
}
