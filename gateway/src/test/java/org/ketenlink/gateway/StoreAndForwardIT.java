package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.gateway.config.GatewayConfig;
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
        (g, network, partner) -> {
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
        (g, network, partner) -> {
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

  /** One outage scenario: what the test does to the network, and what it then checks. */
  private interface Scenario {
    void run(Gateway gateway, FaultProxy network, TestSubscriber partner) throws Exception;
  }

  /**
   * Simulator → gateway → fault proxy → broker, with a partner subscribed directly at the broker
   * (so it never misses what arrives there).
   */
  private void behindFaultProxy(Scenario scenario) throws Exception {
    try (EmbeddedBroker broker =
            EmbeddedBroker.start(BrokerSettings.loopback(dir.resolve("external"), 0));
        FaultProxy network = new FaultProxy(broker.port());
        Simulator sim = GatewayFixture.simulator(dir);
        TestSubscriber partner =
            new TestSubscriber("tcp://127.0.0.1:" + broker.port(), "partner")
                .subscribe("ketenlink/#")) {
      GatewayConfig config =
          GatewayFixture.load(dir, GatewayFixture.configWithExternalBroker(sim, network.port()));
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        scenario.run(g, network, partner);
      }
    }
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
