package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.Received;

/** Standing subscriptions: made on every connection, retained messages left out. */
class MqttLinkSubscribeIT {
  @TempDir Path dir;
  Mosquitto broker;
  MqttLink link;
  final List<String> received = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private void record(Received r) {
    received.add(r.topic() + " " + new String(r.payload(), StandardCharsets.UTF_8));
  }

  @Test
  void aSubscriptionIsMadeAgainAfterTheConnectionBreaksAndRetainedMessagesAreNotReplayed()
      throws Exception {
    broker = Mosquitto.start(dir);
    try (TcpProxy proxy = new TcpProxy(broker.port());
        TestSubscriber partner = TestSubscriber.connect(broker.uri())) {
      link =
          new MqttLink(
              MqttLinkSettings.builder("sub", proxy.uri())
                  .reconnectDelay(Duration.ofMillis(100), Duration.ofMillis(400))
                  .build());
      // A retained command published before the link subscribed is not delivered.
      partner.publishRetained("plant/a/commands/x", "old-retained");
      link.subscribe("plant/+/commands/#", this::record);
      link.start();

      publishUntilReceived(partner, "plant/a/commands/x", "one");
      partner.publish("plant/a/other", "not-subscribed");
      partner.publish("plant/b/commands/y/z", "two");
      Await.until(
          Duration.ofSeconds(10), "two", () -> received.contains("plant/b/commands/y/z two"));

      int before = proxy.accepted();
      proxy.cut();
      Await.until(
          Duration.ofSeconds(10),
          "a new connection",
          () -> proxy.accepted() > before && link.status().state() == ConnectionState.CONNECTED);
      publishUntilReceived(partner, "plant/a/commands/x", "after-reconnect");

      assertThat(received)
          .doesNotContain("plant/a/other not-subscribed")
          .noneMatch(m -> m.endsWith("old-retained"))
          .contains("plant/a/commands/x one", "plant/b/commands/y/z two");
    }
  }

  @Test
  void subscribingAfterStartOrWithABadFilterIsRefused() throws Exception {
    broker = Mosquitto.start(dir);
    link = new MqttLink(MqttLinkSettings.builder("late", broker.uri()).build());
    assertThatThrownBy(() -> link.subscribe("a/#/b", this::record))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'#' must be a whole level and the last one");
    assertThatThrownBy(() -> link.subscribe("a/b+", this::record))
        .hasMessageContaining("'+' must be a whole level");
    link.start();
    assertThatThrownBy(() -> link.subscribe("a/#", this::record))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("subscribe before start()");
  }

  /** The link subscribes asynchronously after connecting; publish until it has. */
  private void publishUntilReceived(TestSubscriber partner, String topic, String payload)
      throws Exception {
    String expected = topic + " " + payload;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!received.contains(expected)) {
      assertThat(System.nanoTime() - deadline).as("%s never received", expected).isNegative();
      partner.publish(topic, payload);
      Thread.sleep(100);
    }
  }
}
