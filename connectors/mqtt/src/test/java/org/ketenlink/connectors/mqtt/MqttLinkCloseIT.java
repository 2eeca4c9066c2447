package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;

/** Closing a connected link: futures settle, the broker sees a clean disconnect, threads end. */
class MqttLinkCloseIT {
  @TempDir Path dir;
  Mosquitto broker;
  MqttLink link;

  @BeforeEach
  void start() throws Exception {
    broker = Mosquitto.start(dir, "max_inflight_messages 2");
    link =
        new MqttLink(
            MqttLinkSettings.builder("closing", broker.uri()).queueCapacity(50_000).build());
    link.start();
    Await.until(
        Duration.ofSeconds(10),
        "connected",
        () -> link.status().state() == ConnectionState.CONNECTED);
  }

  @AfterEach
  void stop() {
    link.close();
    broker.close();
  }

  @Test
  void closingUnderLoadSettlesEveryFutureAndReleasesAllThreads() throws Exception {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      acks.add(link.publish(Messages.qos1("plant/load", Integer.toString(i))));
    }
    Await.until(Duration.ofSeconds(10), "some acks", () -> link.status().acknowledged() > 100);

    link.close();

    assertThat(acks).allSatisfy(f -> assertThat(f).isDone());
    long cancelled = acks.stream().filter(CompletableFuture::isCancelled).count();
    long acknowledged =
        acks.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally()).count();
    assertThat(cancelled + acknowledged).isEqualTo(20_000);
    assertThat(acknowledged).isEqualTo(link.status().acknowledged());
    assertThat(link.status().state()).isEqualTo(ConnectionState.STOPPED);
    assertThat(LinkThreadNames.alive("closing", "ketenlink-closing")).isEmpty();
    Await.until(
        Duration.ofSeconds(5),
        "a clean disconnect at the broker",
        () -> broker.logLines("Client ketenlink-closing disconnected") > 0,
        broker::log);
  }

  @Test
  void aFuturesDependentActionMayCloseTheLink() throws Exception {
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      acks.add(link.publish(Messages.qos1("plant/x", Integer.toString(i))));
    }
    AtomicReference<String> closedOn = new AtomicReference<>();
    acks.get(500)
        .thenRun(
            () -> {
              closedOn.set(Thread.currentThread().getName());
              link.close();
            });

    Await.until(
        Duration.ofSeconds(10),
        "the link to stop",
        () -> link.status().state() == ConnectionState.STOPPED,
        link::status);
    assertThat(closedOn.get()).isEqualTo("ketenlink-mqtt-closing-sender");
    assertThat(acks).allSatisfy(f -> assertThat(f).isDone());
    assertThat(acks.subList(0, 501)).noneMatch(CompletableFuture::isCompletedExceptionally);
    Await.until(
        Duration.ofSeconds(5),
        "all threads to end",
        () -> LinkThreadNames.alive("closing", "ketenlink-closing").isEmpty());
  }
}
