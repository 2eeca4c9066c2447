package org.ketenlink.gateway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.mqtt.Mosquitto;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.journal.JournalStats;
import org.ketenlink.simulator.Simulator;

/**
 * Drain benchmark: how fast the journal's backlog after a long broker outage reaches the broker
 * while live values keep arriving behind it. Simulator load → gateway (in this JVM) → a real
 * Mosquitto, which is stopped for {@code bench.outageSeconds} and started again. Not part of the
 * test run (the name matches neither *Test nor *IT):
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install
 * ./mvnw -B -pl gateway test -Dtest=DrainBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.variables=200 -Dbench.intervalMs=100 -Dbench.outageSeconds=300
 * </pre>
 *
 * <p>{@code bench.maxInFlight} sets the link's window (default 100, the gateway's default) and
 * Mosquitto's matching {@code max_inflight_messages}; {@code bench.journalSync} the sync policy;
 * {@code bench.journalMaxBytes} the journal's budget (default 1GiB; ten minutes at 10 000 values/s
 * need about 2.5 GB: {@code -Dbench.journalMaxBytes=4GiB}).
 */
class DrainBenchmark {

  private static int prop(String name, int dflt) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(dflt)));
  }

  @Test
  void measureDrain() throws Exception {
    int variables = prop("bench.variables", 200);
    int intervalMs = prop("bench.intervalMs", 100);
    int outage = prop("bench.outageSeconds", 300);
    int maxInFlight = prop("bench.maxInFlight", 100);
    String sync = System.getProperty("bench.journalSync", "group");
    Path dir = Files.createTempDirectory("ketenlink-drain");
    Path brokerDir = Files.createDirectories(dir.resolve("mosquitto"));
    try (Mosquitto mosquitto = Mosquitto.start(brokerDir, "max_inflight_messages " + maxInFlight);
        Simulator sim =
            GatewayFixture.simulatorWithLoad(dir, variables, Duration.ofMillis(intervalMs))) {
      String yaml =
          GatewayFixture.withLoadSource(
                      GatewayFixture.configWithExternalBroker(sim, mosquitto.port()),
                      sim,
                      variables)
                  .replace(", keepAlive: 5s}", ", keepAlive: 5s, maxInFlight: " + maxInFlight + "}")
              + "journal: {sync: "
              + sync
              + ", maxBytes: "
              + System.getProperty("bench.journalMaxBytes", "1GiB")
              + "}\n";
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        GatewayFailuresIT.await(
            Duration.ofSeconds(60),
            "the load source and the link",
            () -> g.status().ready() && journal(g).appended() > variables);
        Thread.sleep(10_000); // warm-up
        JournalStats a = journal(g);
        long t0 = System.nanoTime();
        Thread.sleep(10_000);
        JournalStats b = journal(g);
        double live = (b.appended() - a.appended()) / ((System.nanoTime() - t0) / 1e9);

        mosquitto.stop();
        long down = System.nanoTime();
        Thread.sleep(outage * 1000L);
        JournalStats before = journal(g);
        double outageSeconds = (System.nanoTime() - down) / 1e9;

        mosquitto.start();
        long up = System.nanoTime();
        while (journal(g).acknowledged() == before.acknowledged()) {
          Thread.sleep(10);
        }
        long connected = System.nanoTime();
        JournalStats first = journal(g);
        // Caught up: the backlog is down to what a fraction of a second of live data leaves.
        while (journal(g).backlogRecords() > Math.max(100, live / 5)
            || g.status().links().get(0).state() != ConnectionState.CONNECTED) {
          Thread.sleep(10);
        }
        long caughtUp = System.nanoTime();
        JournalStats after = journal(g);
        double drainSeconds = (caughtUp - connected) / 1e9;
        double drainRate = (after.acknowledged() - first.acknowledged()) / drainSeconds;
        System.out.printf(
            Locale.ROOT,
            "DRAIN-BENCHMARK live=%.0f values/s outage=%.0fs backlog=%d records (%d MB, oldest"
                + " %ds) reconnect=%.1fs drain=%.1fs delivered-while-draining=%.0f/s (%.1fx live)"
                + " dropped=%d maxInFlight=%d journalSync=%s%n",
            live,
            outageSeconds,
            before.backlogRecords(),
            before.backlogBytes() >> 20,
            before.oldestAgeMillis() / 1000,
            (connected - up) / 1e9,
            drainSeconds,
            drainRate,
            drainRate / live,
            after.droppedByBudget() + after.droppedByAge(),
            maxInFlight,
            sync);
      }
    }
  }

  private static JournalStats journal(Gateway g) {
    return g.status().journals().get(0).stats();
  }
}
