package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.SourceStatus;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.journal.JournalStats;
import org.ketenlink.simulator.Simulator;

/**
 * Values the gateway accepted while the broker was unreachable are journaled and delivered, in
 * order and without gaps, once it is back; over the disk budget exactly the dropped values are
 * missing. Simulator → gateway → {@link FaultProxy} → embedded broker → partner, with exact
 * sequence-number accounting ({@link Delivery}).
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class StoreAndForwardIT {

  private static final String SPEED = "ketenlink/v1/acme/ehv/hall-2/line1/cnc1/data/spindleSpeed";
  private static final Duration DRAIN = Duration.ofSeconds(40);

  @TempDir Path dir;

  @Test
  void nothingIsLostWhileTheBrokerIsUnreachable() throws Exception {
    behindFaultProxy(
        (g, sim, network, partner) -> {
          partner.await(
              Duration.ofSeconds(20), "data before the outage", m -> m.topic().equals(SPEED));
          unreachable(g, network);
          Thread.sleep(500); // what the broker already had still reaches the partner
          int before = partner.received().size();
          long outageStart = System.nanoTime();
          GatewayFailuresIT.await(
              Duration.ofSeconds(30),
              "five seconds of journal backlog",
              () ->
                  journal(g).backlogRecords() > 50
                      && System.nanoTime() - outageStart > 5_000_000_000L);
          assertThat(partner.received().size())
              .as("nothing but the Last Will gets through while the broker is unreachable")
              .isLessThanOrEqualTo(before + 1);

          HttpResponse<String> ready = get(g, "/ready");
          assertThat(ready.statusCode()).isEqualTo(503);
          JsonNode readiness = Schemas.parse(ready.body().getBytes(StandardCharsets.UTF_8));
          assertThat(readiness.toString()).contains("link main is").contains("growing backlog");
          assertThat(readiness.findValue("journal.main").get("backlogRecords").asLong())
              .isGreaterThan(50);

          network.refuse(false);
          Map<String, Long> last = Delivery.settle(g, DRAIN);
          Delivery.assertComplete(partner, last, Duration.ofSeconds(10));
          assertThat(last.get(SPEED)).isGreaterThan(50);
          assertThat(journal(g).droppedByBudget()).isZero();
          assertThat(get(g, "/ready").statusCode()).isEqualTo(200);
        });
  }

  @Test
  void aSilentlyStalledNetworkIsDetectedByKeepAliveAndNothingIsLost() throws Exception {
    behindFaultProxy(
        (g, sim, network, partner) -> {
          partner.await(
              Duration.ofSeconds(20), "data before the stall", m -> m.topic().equals(SPEED));

          network.stall(); // no FIN, no RST: bytes simply stop
          GatewayFailuresIT.await(
              Duration.ofSeconds(30),
              "keep-alive to declare the connection dead",
              () -> g.status().links().get(0).state() != ConnectionState.CONNECTED);
          network.cut(); // the stalled sockets, as the kernel would eventually time them out
          network.resume();
          Map<String, Long> last = Delivery.settle(g, DRAIN);
          Delivery.assertComplete(partner, last, Duration.ofSeconds(10));
          assertThat(last.get(SPEED)).isGreaterThan(50);
        });
  }

  @Test
  void theSimulatorRestartsWhileTheBrokerIsUnreachable() throws Exception {
    behindFaultProxy(
        (g, sim, network, partner) -> {
          partner.await(
              Duration.ofSeconds(20), "data before the outage", m -> m.topic().equals(SPEED));
          unreachable(g, network);

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
          long appended = journal(g).appended();
          GatewayFailuresIT.await(
              Duration.ofSeconds(20),
              "values from the restarted server to be journaled",
              () -> journal(g).appended() > appended + 20);
          assertThat(g.status().links().get(0).state()).isNotEqualTo(ConnectionState.CONNECTED);

          network.refuse(false);
          Map<String, Long> last = Delivery.settle(g, DRAIN);
          Delivery.assertComplete(partner, last, Duration.ofSeconds(10));
          assertThat(
                  partner.on(SPEED).stream()
                      .map(r -> Instant.parse(r.json().get("sourceTime").asText()))
                      .filter(t -> t.isAfter(back)))
              .as("values sampled after the restart, journaled while the broker was away")
              .hasSizeGreaterThan(10);
          assertThat(journal(g).droppedByBudget()).isZero();
        });
  }

  @Test
  void overTheDiskBudgetTheOldestValuesAreDroppedCountedAndTheRestArrives() throws Exception {
    behindFaultProxy(
        yaml -> yaml + "journal: {maxBytes: 16KiB, segmentBytes: 4KiB}\n",
        (g, sim, network, partner) -> {
          partner.await(
              Duration.ofSeconds(20), "data before the outage", m -> m.topic().equals(SPEED));
          unreachable(g, network);
          GatewayFailuresIT.await(
              Duration.ofSeconds(60),
              "the disk budget to force drops",
              () -> journal(g).droppedByBudget() > 150);
          assertThat(journal(g).diskBytes()).isLessThanOrEqualTo(16384);

          network.refuse(false);
          // Every value numbered up to `last` has been delivered or dropped: count both exactly.
          Map<String, Long> last = Delivery.settle(g, DRAIN);
          Thread.sleep(1_000); // from the broker to the partner
          Map<String, TreeSet<Long>> seqs = Delivery.received(partner);
          long missing = 0;
          for (Map.Entry<String, Long> stream : last.entrySet()) {
            TreeSet<Long> got = seqs.getOrDefault(stream.getKey(), new TreeSet<>());
            SortedSet<Long> upToLast = got.headSet(stream.getValue(), true);
            missing += stream.getValue() - upToLast.size();
            // The oldest undelivered values the link does not hold are dropped: one run per
            // stream, or two when the link held a window of values between them (values appended
            // just before a drop, before the forwarder handed them over, are lost while the newer
            // values it then handed over survive in the link). Exactly the counted ones are missing
            // (below).
            assertThat(gaps(upToLast, stream.getValue()))
                .as(
                    stream.getKey()
                        + ": the dropped values are the oldest undelivered; missing "
                        + missingRuns(upToLast, stream.getValue()))
                .isLessThanOrEqualTo(2);
          }
          JournalStats stats = journal(g);
          assertThat(missing)
              .as("values the partner never got = values the journal counted as dropped")
              .isEqualTo(stats.droppedByBudget());
          assertThat(stats.droppedByAge()).isZero();
          Delivery.assertInOrder(partner);
          assertThat(g.scrape())
              .contains(
                  "ketenlink_journal_dropped_total{link=\"main\",reason=\"budget\"} "
                      + stats.droppedByBudget());
          JsonNode status =
              Schemas.parse(get(g, "/api/status").body().getBytes(StandardCharsets.UTF_8));
          assertThat(status.findValue("droppedByBudget").asLong()).isEqualTo(missing);
        });
  }

  /** One outage scenario: what the test does to the network, and what it then checks. */
  private interface Scenario {
    void run(Gateway gateway, Simulator sim, FaultProxy network, TestSubscriber partner)
        throws Exception;
  }

  private void behindFaultProxy(Scenario scenario) throws Exception {
    behindFaultProxy(yaml -> yaml, scenario);
  }

  /**
   * Simulator → gateway → fault proxy → broker, with a partner subscribed directly at the broker
   * (so it never misses what arrives there); the gateway's configuration changed by {@code tweak}.
   */
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

  /** The broker refuses and drops connections until {@code network.refuse(false)}. */
  private static void unreachable(Gateway g, FaultProxy network) throws InterruptedException {
    network.refuse(true);
    network.cut();
    GatewayFailuresIT.await(
        Duration.ofSeconds(10),
        "the link to notice",
        () -> g.status().links().get(0).state() != ConnectionState.CONNECTED);
  }

  private static JournalStats journal(Gateway g) {
    return g.status().journals().get(0).stats();
  }

  private static SourceStatus cnc1(Gateway g) {
    return g.status().sources().stream()
        .filter(s -> s.id().equals("cnc1"))
        .findFirst()
        .orElseThrow();
  }

  private static HttpResponse<String> get(Gateway g, String path) throws Exception {
    return GatewayFixture.http(g, path);
  }

  /** The runs of missing numbers between 1 and {@code last}, e.g. {@code [12..40, 77..77]}. */
  private static List<String> missingRuns(SortedSet<Long> got, long last) {
    List<String> runs = new java.util.ArrayList<>();
    long expected = 1;
    for (long seq : got) {
      if (seq > expected) {
        runs.add(expected + ".." + (seq - 1));
      }
      expected = seq + 1;
    }
    if (expected <= last) {
      runs.add(expected + ".." + last);
    }
    return runs;
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
}
