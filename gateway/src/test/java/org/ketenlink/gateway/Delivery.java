package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.ketenlink.connectors.api.ConnectionState;

/**
 * Sequence-number accounting for the fault-injection tests: what the gateway numbered, against what
 * a partner received. Every value carries its stream's sequence number, from 1 in each run.
 */
final class Delivery {

  /** Each stream's sequence numbers in the order they arrived, duplicates included. */
  static Map<String, List<Long>> arrivals(TestSubscriber partner) {
    Map<String, List<Long>> arrivals = new LinkedHashMap<>();
    for (TestSubscriber.Received r : partner.received()) {
      if (!r.topic().endsWith("/status")) {
        arrivals
            .computeIfAbsent(r.topic(), t -> new ArrayList<>())
            .add(r.json().get("seq").asLong());
      }
    }
    return arrivals;
  }

  /** Each stream's distinct sequence numbers. */
  static Map<String, TreeSet<Long>> received(TestSubscriber partner) {
    Map<String, TreeSet<Long>> seqs = new LinkedHashMap<>();
    arrivals(partner).forEach((topic, list) -> seqs.put(topic, new TreeSet<>(list)));
    return seqs;
  }

  /**
   * Waits until the link is connected and has drained its journal, then until everything numbered
   * so far has been acknowledged by the broker (delivered, or dropped and counted). Returns each
   * stream's last sequence number at that point: the partner's tally to compare against.
   */
  static Map<String, Long> settle(Gateway g, Duration timeout) throws InterruptedException {
    GatewayFailuresIT.await(
        timeout,
        "the link to reconnect and drain its journal",
        () ->
            g.status().links().get(0).state() == ConnectionState.CONNECTED
                && g.status().journals().get(0).stats().backlogRecords() < 5);
    Map<String, Long> last = g.lastSequences();
    Thread.sleep(200); // values numbered before the snapshot reach the journal
    long appended = g.status().journals().get(0).stats().lastId();
    GatewayFailuresIT.await(
        Duration.ofSeconds(20),
        "the broker to acknowledge everything journaled",
        () -> g.status().journals().get(0).stats().deliveredWatermark() >= appended);
    return last;
  }

  /**
   * Asserts that the partner received every value numbered up to {@code last}, with no gap, and
   * each stream in order (a redelivered duplicate may come again later; a first arrival never comes
   * before a smaller number). Waits up to {@code timeout} for the broker to pass them on.
   */
  static void assertComplete(TestSubscriber partner, Map<String, Long> last, Duration timeout)
      throws InterruptedException {
    GatewayFailuresIT.await(
        timeout,
        "the partner to receive every stream up to its last value",
        () -> behind(received(partner), last).isEmpty());
    Map<String, TreeSet<Long>> got = received(partner);
    last.forEach(
        (topic, seq) -> {
          TreeSet<Long> s = got.get(topic);
          assertThat(s.first()).as(topic + " starts at 1").isEqualTo(1);
          assertThat((long) s.headSet(seq, true).size())
              .as(topic + " has every value up to " + seq + ", no gap")
              .isEqualTo(seq);
        });
    assertInOrder(partner);
  }

  /**
   * Each stream's values first arrive in increasing sequence order; a redelivered duplicate may
   * come again later.
   */
  static void assertInOrder(TestSubscriber partner) {
    arrivals(partner)
        .forEach(
            (topic, seqs) -> {
              TreeSet<Long> seen = new TreeSet<>();
              for (long seq : seqs) {
                if (seen.add(seq)) {
                  assertThat(seq)
                      .as(topic + ": value " + seq + " arrives after every smaller one")
                      .isEqualTo(seen.last());
                }
              }
            });
  }

  private static List<String> behind(Map<String, TreeSet<Long>> got, Map<String, Long> last) {
    List<String> behind = new ArrayList<>();
    last.forEach(
        (topic, seq) -> {
          TreeSet<Long> s = got.get(topic);
          if (s == null || s.last() < seq) {
            behind.add(topic);
          }
        });
    return behind;
  }

  private Delivery() {}
}
