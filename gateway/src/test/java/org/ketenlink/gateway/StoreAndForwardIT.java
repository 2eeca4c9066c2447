package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.SourceStatus;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.journal.JournalStats;
import org.ketenlink.simulator.Simulator;

/**
 * Values the gateway accepted while the broker was unreachable are journaled and delivered, in
 * order and without gaps, once it is back.
 */
class StoreAndForwardIT {

  @TempDir Path dir;

  @Test
  void nothingIsLostWhileTheBrokerIsUnreachable() throws Exception {
    behindFaultProxy(
        (g, sim, network, partner) -> {
          String counter = "ketenlink/v1/acme/ehv/hall-2/line1/pack1/data/processedCount";
          partner.await(
              Duration.ofSeconds(20), "data before the outage", m -> m.topic().equals(counter));

          network.refuse(true);
          network.cut();
          GatewayFailuresIT.await(
              Duration.ofSeconds(10),
              "the link to notice",
              () -> g.status().links().get(0).state() != ConnectionState.CONNECTED);
          int before = partner.received().size();
          long outageStart = System.nanoTime();
          GatewayFailuresIT.await(
              Duration.ofSeconds(30),
              "five seconds of journal backlog",
              () ->
                  g.status().journals().get(0).stats().backlogRecords() > 50
                      && System.nanoTime() - outageStart > 5_000_000_000L);
          assertThat(partner.received().size()).isLessThanOrEqualTo(before + 1);
          HttpResponse<String> ready =
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create(g.adminUrl().orElseThrow() + "/ready"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
          assertThat(ready.statusCode()).isEqualTo(503);
          JsonNode readiness = Schemas.parse(ready.body().getBytes(StandardCharsets.UTF_8));
          assertThat(readiness.toString()).contains("link main is").contains("growing backlog");
          assertThat(readiness.findValue("journal.main").get("backlogRecords").asLong())
              .isGreaterThan(50);

          network.refuse(false);
          GatewayFailuresIT.await(
              Duration.ofSeconds(40),
              "the backlog to drain",
              () -> g.status().journals().get(0).stats().backlogRecords() < 5);
          Thread.sleep(500); // the last acknowledged messages reach the partner

          Map<String, TreeSet<Long>> seqs = sequences(partner);
          assertThat(seqs.get(counter).size()).isGreaterThan(5);
          assertThat(seqs.get("ketenlink/v1/acme/ehv/hall-2/line1/cnc1/data/spindleSpeed").size())
              .isGreaterThan(50);
          assertNoGaps(seqs);
          assertThat(g.status().journals().get(0).stats().droppedByBudget()).isZero();
        });
  }

  @Test
  void aSilentlyStalledNetworkIsDetectedByKeepAliveAndNothingIsLost() throws Exception {
    behindFaultProxy(
        (g, sim, network, partner) -> {
          String speed = "ketenlink/v1/acme/ehv/hall-2/line1/cnc1/data/spindleSpeed";
          partner.await(
              Duration.ofSeconds(20), "data before the stall", m -> m.topic().equals(speed));

          network.stall(); // no FIN, no RST: bytes simply stop
          GatewayFailuresIT.await(
              Duration.ofSeconds(30),
              "keep-alive to declare the connection dead",
              () -> g.status().links().get(0).state() != ConnectionState.CONNECTED);
          network.cut(); // the stalled sockets, as the kernel would eventually time them out
          network.resume();
          GatewayFailuresIT.await(
              Duration.ofSeconds(40),
              "reconnected and drained",
              () ->
                  g.status().links().get(0).state() == ConnectionState.CONNECTED
                      && g.status().journals().get(0).stats().backlogRecords() < 5);
          Thread.sleep(500);
          Map<String, TreeSet<Long>> seqs = sequences(partner);
          assertThat(seqs.get(speed).size()).isGreaterThan(50);
          assertNoGaps(seqs);
        });
  }

  @Test
  void theSimulatorRestartsWhileTheBrokerIsUnreachable() throws Exception {
    behindFaultProxy(
        (g, sim, network, partner) -> {
          String speed = "ketenlink/v1/acme/ehv/hall-2/line1/cnc1/data/spindleSpeed";
          partner.await(
              Duration.ofSeconds(20), "data before the outage", m -> m.topic().equals(speed));
          network.refuse(true);
          network.cut();
          GatewayFailuresIT.await(
              Duration.ofSeconds(10),
              "the link to notice",
              () -> g.status().links().get(0).state() != ConnectionState.CONNECTED);

          SourceStatus before = cnc1(g);
          sim.faults().restartServer(Duration.ofSeconds(2)); // the PLC reboots meanwhile
          Instant back = Instant.now();
          GatewayFailuresIT.await(
              Duration.ofSeconds(30),
              "the source to recover its subscriptions on the new server instance",
              () -> {
                SourceStatus now = cnc1(g);
                return now.state() == ConnectionState.CONNECTED
                    && now.reconnects() + now.subscriptionRecoveries()
                        > before.reconnects() + before.subscriptionRecoveries();
              });
          long appended = g.status().journals().get(0).stats().appended();
          GatewayFailuresIT.await(
              Duration.ofSeconds(20),
              "values from the restarted server to be journaled",
              () -> g.status().journals().get(0).stats().appended() > appended + 20);
          assertThat(g.status().links().get(0).state()).isNotEqualTo(ConnectionState.CONNECTED);

          network.refuse(false);
          drained(g);
          Map<String, TreeSet<Long>> seqs = sequences(partner);
          assertNoGaps(seqs);
          assertThat(
                  partner.on(speed).stream()
                      .map(r -> Instant.parse(r.json().get("sourceTime").asText()))
                      .filter(t -> t.isAfter(back)))
              .as("values sampled after the restart, journaled while the broker was away")
              .hasSizeGreaterThan(10);
          assertThat(g.status().journals().get(0).stats().droppedByBudget()).isZero();
        });
  }

  @Test
  void overTheDiskBudgetTheOldestValuesAreDroppedCountedAndTheRestArrives() throws Exception {
    behindFaultProxy(
        yaml -> yaml + "journal: {maxBytes: 16KiB, segmentBytes: 4KiB}\n",
        (g, sim, network, partner) -> {
          String speed = "ketenlink/v1/acme/ehv/hall-2/line1/cnc1/data/spindleSpeed";
          partner.await(
              Duration.ofSeconds(20), "data before the outage", m -> m.topic().equals(speed));
          network.refuse(true);
          network.cut();
          GatewayFailuresIT.await(
              Duration.ofSeconds(60),
              "the disk budget to force drops",
              () -> g.status().journals().get(0).stats().droppedByBudget() > 150);
          assertThat(g.status().journals().get(0).stats().diskBytes()).isLessThanOrEqualTo(16384);

          network.refuse(false);
          drained(g);
          // Every value up to here has now been delivered or dropped: count both exactly.
          Map<String, Long> last = g.lastSequences();
          Thread.sleep(200); // values numbered before the snapshot reach the journal
          long appended = g.status().journals().get(0).stats().lastId();
          GatewayFailuresIT.await(
              Duration.ofSeconds(20),
              "everything appended so far to be acknowledged",
              () -> g.status().journals().get(0).stats().deliveredWatermark() >= appended);
          Thread.sleep(1_000); // from the broker to the partner

          Map<String, TreeSet<Long>> seqs = sequences(partner);
          long missing = 0;
          for (Map.Entry<String, Long> stream : last.entrySet()) {
            TreeSet<Long> got = seqs.getOrDefault(stream.getKey(), new TreeSet<>());
            SortedSet<Long> upToSnapshot = got.headSet(stream.getValue(), true);
            missing += stream.getValue() - upToSnapshot.size();
            assertThat(gaps(upToSnapshot, stream.getValue()))
                .as(stream.getKey() + ": the dropped values are one run of the oldest undelivered")
                .isLessThanOrEqualTo(1);
          }
          JournalStats stats = g.status().journals().get(0).stats();
          assertThat(missing)
              .as("values the partner never got = values the journal counted as dropped")
              .isEqualTo(stats.droppedByBudget());
          assertThat(stats.droppedByAge()).isZero();
          assertThat(g.scrape())
              .contains(
                  "ketenlink_journal_dropped_total{link=\"main\",reason=\"budget\"} "
                      + stats.droppedByBudget());
        });
  }

  /** One outage scenario: what the test does to the network, and what it then checks. */
  private interface Scenario {
    void run(Gateway gateway, Simulator sim, FaultProxy network, TestSubscriber partner)
        throws Exception;
  }

  /**
   * Simulator → gateway → fault proxy → broker, with a partner subscribed directly at the broker
   * (so it never misses what arrives there).
   */
  private void behindFaultProxy(Scenario scenario) throws Exception {
    behindFaultProxy(yaml -> yaml, scenario);
  }

  /** The same, with the gateway's configuration changed by {@code tweak}. */
  private void behindFaultProxy(UnaryOperator<String> tweak, Scenario scenario) throws Exception {
    try (EmbeddedBroker broker =
            EmbeddedBroker.start(BrokerSettings.loopback(dir.resolve("external"), 0));
        FaultProxy network = new FaultProxy(broker.port());
        Simulator sim = GatewayFixture.simulator(dir);
        TestSubscriber partner =
            new TestSubscriber("tcp://127.0.0.1:" + broker.port(), "partner")
                .subscribe("ketenlink/#")) {
      GatewayConfig config =
          GatewayFixture.load(
              dir, tweak.apply(GatewayFixture.configWithExternalBroker(sim, network.port())));
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        scenario.run(g, sim, network, partner);
      }
    }
  }

  private static SourceStatus cnc1(Gateway g) {
    return g.status().sources().stream()
        .filter(s -> s.id().equals("cnc1"))
        .findFirst()
        .orElseThrow();
  }

  /** Waits until the link is back and its journal has (nearly) nothing left to send. */
  private static void drained(Gateway g) throws InterruptedException {
    GatewayFailuresIT.await(
        Duration.ofSeconds(40),
        "the link to reconnect and drain its backlog",
        () ->
            g.status().links().get(0).state() == ConnectionState.CONNECTED
                && g.status().journals().get(0).stats().backlogRecords() < 5);
    Thread.sleep(500); // the last acknowledged messages reach the partner
  }

  /** How many runs of missing numbers {@code got} has between 1 and {@code last}. */
  private static int gaps(SortedSet<Long> got, long last) {
    int gaps = 0;
    long expected = 1;
    for (long seq : got) {
      if (seq > expected) {
        gaps++;
      }
      expected = seq + 1;
    }
    return expected <= last ? gaps + 1 : gaps;
  }

  /** The sequence numbers each stream delivered (duplicates folded). */
  private static Map<String, TreeSet<Long>> sequences(TestSubscriber partner) {
    Map<String, TreeSet<Long>> seqs = new HashMap<>();
    for (TestSubscriber.Received r : partner.received()) {
      if (r.topic().endsWith("/status")) {
        continue;
      }
      JsonNode json = r.json();
      seqs.computeIfAbsent(r.topic(), t -> new TreeSet<>()).add(json.get("seq").asLong());
    }
    return seqs;
  }

  private static void assertNoGaps(Map<String, TreeSet<Long>> seqs) {
    seqs.forEach(
        (topic, s) ->
            assertThat(s.last() - s.first() + 1).as(topic + " has no gap").isEqualTo(s.size()));
  }
}
