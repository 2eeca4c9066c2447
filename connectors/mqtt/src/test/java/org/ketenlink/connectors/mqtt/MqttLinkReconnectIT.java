package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkStatus;

/**
 * A lost connection: the link reconnects by itself and re-sends what was not acknowledged, in
 * order, at least once.
 */
class MqttLinkReconnectIT {
  @TempDir Path dir;
  Mosquitto broker;
  TcpProxy proxy;
  MqttLink link;

  @AfterEach
  void stop() throws Exception {
    if (link != null) {
      link.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void afterTheBrokerIsKilledAndRestartedNothingUnacknowledgedIsLost() throws Exception {
    broker =
        Mosquitto.start(
            dir, "persistence true", "persistence_location " + dir + "/", "autosave_interval 1");
    TestSubscriber before =
        TestSubscriber.connect(broker.uri(), "partner", false, Optional.empty(), "data/#");
    awaitSessionSaved(Instant.now());
    link =
        new MqttLink(
            MqttLinkSettings.builder("kill", broker.uri())
                .queueCapacity(20_000)
                .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(500))
                .build());
    link.start();
    // Which acknowledgements came from the restarted broker: it must deliver those messages. (The
    // killed broker may lose what it acknowledged just before dying; that is not the link's doing.)
    Set<Integer> ackedAfterRestart = ConcurrentHashMap.newKeySet();
    List<CompletableFuture<Void>> acks = publish(0, 10_000, ackedAfterRestart);
    Await.until(
        Duration.ofSeconds(20), "1000 acknowledged", () -> link.status().acknowledged() >= 1000);

    broker.kill();
    before.abandon();
    Await.until(
        Duration.ofSeconds(10),
        "the loss to be noticed",
        () -> link.status().state() == ConnectionState.DISCONNECTED,
        link::status);
    assertThat(link.status().lastError()).isPresent();
    acks.addAll(publish(10_000, 500, ackedAfterRestart)); // accepted while the broker is down

    broker.start();
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    LinkStatus status = link.status();
    assertThat(status.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(status.reconnects()).isEqualTo(1);
    assertThat(status.acknowledged()).isEqualTo(10_500);
    assertThat(ackedAfterRestart).containsAll(range(10_000, 10_500));

    List<Integer> received = new ArrayList<>();
    before.received().forEach(r -> received.add(Integer.parseInt(r.payload())));
    try (TestSubscriber after =
        TestSubscriber.connect(broker.uri(), "partner", false, Optional.empty())) {
      Await.until(
          Duration.ofSeconds(20),
          "every message the restarted broker acknowledged",
          () -> numbers(after).containsAll(ackedAfterRestart),
          () -> "missing " + missing(ackedAfterRestart, numbers(after)));
      received.addAll(numbers(after));
    }
    assertFirstCopiesInOrder(received);
  }

  @Test
  void messagesInFlightWhenTheConnectionBreaksAreSentAgainInOrder() throws Exception {
    broker = Mosquitto.start(dir);
    proxy = new TcpProxy(broker.port());
    try (TestSubscriber partner = TestSubscriber.connect(broker.uri(), "data/#")) {
      link =
          new MqttLink(
              MqttLinkSettings.builder("cut", proxy.uri())
                  .queueCapacity(20_000)
                  .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(200))
                  .build());
      link.start();
      List<CompletableFuture<Void>> acks = new ArrayList<>(publish(0, 2_000));
      Await.until(
          Duration.ofSeconds(20), "2000 acknowledged", () -> link.status().acknowledged() >= 2000);
      // Cut while the next 18 000 are being sent, with the broker's acknowledgements held back
      // until the link's window is full: those messages are in flight, unacknowledged, for sure.
      proxy.holdReplies();
      acks.addAll(publish(2_000, 18_000));
      Await.until(
          Duration.ofSeconds(20),
          "the in-flight window to fill",
          () ->
              link.status().inFlight() > 0
                  && link.status().inFlight() == link.status().inFlightLimit(),
          link::status);
      proxy.cut();

      CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      LinkStatus status = link.status();
      assertThat(status.reconnects()).isEqualTo(1);
      assertThat(status.acknowledged()).isEqualTo(20_000);
      assertThat(status.published()).as("re-sent after the cut").isGreaterThan(20_000);
      Await.until(
          Duration.ofSeconds(20),
          "all 20000 at the subscriber",
          () -> new HashSet<>(numbers(partner)).size() == 20_000,
          () -> "distinct " + new HashSet<>(numbers(partner)).size());
      assertFirstCopiesInOrder(numbers(partner));
    }
  }

  private void awaitSessionSaved(Instant subscribed) {
    Path db = dir.resolve("mosquitto.db");
    Await.until(
        Duration.ofSeconds(5),
        "mosquitto to save the subscriber's session",
        () -> {
          try {
            return Files.exists(db)
                && Files.getLastModifiedTime(db).compareTo(FileTime.from(subscribed)) > 0;
          } catch (java.io.IOException e) {
            return false;
          }
        });
  }

  private List<CompletableFuture<Void>> publish(int from, int count) {
    return publish(from, count, ConcurrentHashMap.newKeySet());
  }

  /**
   * Futures complete on the link's sender thread, which also counts reconnects: consistent. Each
   * returned future completes once the acknowledgement was recorded.
   */
  private List<CompletableFuture<Void>> publish(
      int from, int count, Set<Integer> ackedAfterRestart) {
    List<CompletableFuture<Void>> acks = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      int n = i;
      CompletableFuture<Void> ack = link.publish(Messages.qos1("data/seq", Integer.toString(n)));
      // Wait for the bookkeeping too, not only the acknowledgement: a future runs its dependents
      // last-registered first, so allOf(ack) may complete before this one has run.
      acks.add(
          ack.thenRun(
              () -> {
                if (link.status().reconnects() > 0) {
                  ackedAfterRestart.add(n);
                }
              }));
    }
    return acks;
  }

  private static Set<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().collect(Collectors.toSet());
  }

  private static List<Integer> numbers(TestSubscriber s) {
    return s.payloads("data/").stream().map(Integer::parseInt).toList();
  }

  private static Set<Integer> missing(Set<Integer> expected, List<Integer> got) {
    Set<Integer> m = new HashSet<>(expected);
    got.forEach(m::remove);
    return m.size() > 20 ? Set.copyOf(new ArrayList<>(m).subList(0, 20)) : m;
  }

  /** Duplicates are allowed (at least once), but first copies come in publish order. */
  private static void assertFirstCopiesInOrder(List<Integer> received) {
    Set<Integer> seen = new HashSet<>();
    int last = -1;
    for (int n : received) {
      if (seen.add(n)) {
        assertThat(n).as("first copy after %d", last).isGreaterThan(last);
        last = n;
      }
    }
  }
}
