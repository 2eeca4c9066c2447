package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkStatus;

/** The very first connect may fail; the link keeps trying and then sends what it queued. */
class MqttLinkConnectIT {
  @TempDir Path dir;
  Mosquitto broker;
  MqttLink link;

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aLinkStartedBeforeItsBrokerConnectsOnceTheBrokerIsUpAndDeliversWhatItQueued()
      throws Exception {
    // A persistent subscriber session, saved to disk, so that the broker queues what the link
    // sends after the restart even before the subscriber is back.
    broker =
        Mosquitto.start(
            dir, "persistence true", "persistence_location " + dir + "/", "autosave_interval 60");
    TestSubscriber.connect(broker.uri(), "partner", false, Optional.empty(), "plant/#", "gw/#")
        .close();
    broker.stop();

    link =
        new MqttLink(
            MqttLinkSettings.builder("early", broker.uri())
                .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(400))
                .birth(Messages.retained("gw/early/status", "online"))
                .build());
    link.start();
    List<CompletableFuture<Void>> acks = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      acks.add(link.publish(Messages.qos1("plant/line1/count", Integer.toString(i))));
    }
    Await.until(
        Duration.ofSeconds(5),
        "a refused connect",
        () -> link.status().lastError().orElse("").startsWith("connection refused"),
        link::status);
    LinkStatus waiting = link.status();
    assertThat(waiting.state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(waiting.lastError()).contains("connection refused: 127.0.0.1:" + broker.port());
    assertThat(waiting.queued()).isEqualTo(100);
    assertThat(waiting.published()).isZero();

    // The broker comes up two seconds after the link: several back-off rounds later.
    CompletableFuture.runAsync(
            () -> {
              try {
                broker.start();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS))
        .get(15, TimeUnit.SECONDS);

    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    LinkStatus up = link.status();
    assertThat(up.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(up.acknowledged()).isEqualTo(100);
    assertThat(up.queued()).isZero();
    assertThat(up.reconnects()).isZero();

    try (TestSubscriber partner =
        TestSubscriber.connect(broker.uri(), "partner", false, Optional.empty())) {
      partner.awaitPayloads("", 101, Duration.ofSeconds(10));
      List<TestSubscriber.Received> received = partner.received();
      assertThat(received.get(0).topic()).isEqualTo("gw/early/status");
      assertThat(received.get(0).payload()).isEqualTo("online");
      assertThat(partner.payloads("plant/line1/count"))
          .containsExactlyElementsOf(MqttLinkWindowIT.numbers(100));
    }
  }

  @Test
  void aBrokerThatDropsEveryConnectionAtOnceLeavesNoThreadsBehind() throws Exception {
    // Accepts, then closes at once (nothing listens behind it): an overloaded broker.
    try (TcpProxy dropper = new TcpProxy(Mosquitto.freePort())) {
      link =
          new MqttLink(
              MqttLinkSettings.builder("dropped", dropper.uri())
                  .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(100))
                  .build());
      link.start();
      link.publish(Messages.qos1("plant/x", "1"));
      Await.until(Duration.ofSeconds(10), "five dropped attempts", () -> dropper.accepted() >= 5);
      assertThat(link.status().lastError()).isPresent();
      assertThat(link.status().published()).isZero();

      link.close();

      // Paho 1.2.5 alone would leave a connect thread waiting forever after such attempts; ours
      // end within moments of close() (a Paho thread may still be closing its dropped socket).
      Await.until(
          Duration.ofSeconds(5),
          "all of the link's threads to end",
          () -> LinkThreadNames.alive("dropped", "ketenlink-dropped").isEmpty());
    }
  }
}
