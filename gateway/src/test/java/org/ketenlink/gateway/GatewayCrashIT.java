package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/**
 * The gateway process is killed with SIGKILL while the broker is unreachable; after a restart
 * everything it had journaled reaches the partner, in order and without gaps.
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class GatewayCrashIT {

  @TempDir Path dir;

  private static Process startGateway(Path config, Path log) throws Exception {
    Path jar = Path.of("target", "ketenlink.jar").toAbsolutePath();
    assertThat(jar).as("the packaged gateway (verify packages before integration tests)").exists();
    return new ProcessBuilder(
            "java", "-Xmx256m", "-jar", jar.toString(), "run", "-c", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  @Test
  void everythingJournaledBeforeASigkillIsDeliveredAfterTheRestart() throws Exception {
    killAndRestart(journal -> {});
  }

  @Test
  void aTornJournalTailIsCutOffAndEverythingBeforeItDelivered() throws Exception {
    Path log =
        killAndRestart(
            journal -> {
              // A write the power cut interrupted: half a record's worth of garbage at the end.
              try (var segments = Files.list(journal)) {
                Path last =
                    segments
                        .filter(p -> p.toString().endsWith(".seg"))
                        .max(Comparator.naturalOrder())
                        .orElseThrow();
                Files.write(
                    last, new byte[] {0, 0, 1, 0, 42, 42, 42, 42, 7}, StandardOpenOption.APPEND);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertThat(Files.readString(log)).containsIgnoringCase("truncat");
  }

  /** Runs, cuts the broker off, SIGKILLs, damages the journal, restarts; returns the second log. */
  private Path killAndRestart(Consumer<Path> damage) throws Exception {
    try (EmbeddedBroker broker =
            EmbeddedBroker.start(BrokerSettings.loopback(dir.resolve("external"), 0));
        FaultProxy network = new FaultProxy(broker.port());
        Simulator sim = GatewayFixture.simulator(dir);
        TestSubscriber partner =
            new TestSubscriber("tcp://127.0.0.1:" + broker.port(), "partner")
                .subscribe("ketenlink/#")) {
      String yaml =
          GatewayFixture.configWithExternalBroker(sim, network.port()) + "journal: {sync: none}\n";
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      Path configFile = dir.resolve("ketenlink.yaml");

      Process first = startGateway(configFile, dir.resolve("first.log"));
      String speed = "ketenlink/v1/acme/ehv/hall-2/line1/cnc1/data/spindleSpeed";
      partner.await(
          Duration.ofSeconds(40), "data from the first run", m -> m.topic().equals(speed));
      String firstRun = partner.on(speed).get(0).json().get("run").asText();

      network.refuse(true);
      network.cut();
      Thread.sleep(4_000); // values keep arriving from OPC UA and go to the journal only
      long seenBeforeKill = runMessages(partner.received(), firstRun);
      first.destroyForcibly(); // SIGKILL
      assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
      damage.accept(dir.resolve("data").resolve("journal").resolve("main"));
      network.refuse(false);

      Process second = startGateway(configFile, dir.resolve("second.log"));
      try {
        partner.await(
            Duration.ofSeconds(60),
            "data from the second run",
            m -> m.topic().equals(speed) && !m.json().get("run").asText().equals(firstRun));
        Thread.sleep(2_000); // let the replayed backlog finish arriving
        List<TestSubscriber.Received> all = partner.received();
        assertThat(runMessages(all, firstRun))
            .as("the first run's journaled values were delivered after the restart")
            .isGreaterThan(seenBeforeKill + 10);
        Map<String, TreeSet<Long>> seqs = new HashMap<>();
        for (TestSubscriber.Received r : all) {
          if (r.topic().endsWith("/status")) {
            continue;
          }
          JsonNode json = r.json();
          if (json.get("run").asText().equals(firstRun)) {
            seqs.computeIfAbsent(r.topic(), t -> new TreeSet<>()).add(json.get("seq").asLong());
          }
        }
        seqs.forEach(
            (topic, s) -> {
              assertThat(s.first()).as(topic + " starts at 1").isEqualTo(1L);
              assertThat(s.last() - s.first() + 1).as(topic + " has no gap").isEqualTo(s.size());
            });
      } finally {
        second.destroy();
        if (!second.waitFor(20, TimeUnit.SECONDS)) {
          second.destroyForcibly();
        }
      }
      return dir.resolve("second.log");
    }
  }

  private static long runMessages(List<TestSubscriber.Received> received, String run) {
    return received.stream()
        .filter(r -> !r.topic().endsWith("/status"))
        .filter(r -> r.json().get("run").asText().equals(run))
        .count();
  }
}
