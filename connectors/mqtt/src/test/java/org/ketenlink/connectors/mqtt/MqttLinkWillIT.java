package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Birth after every connect; the will when the connection breaks; no will on a clean close. The
 * link reaches the broker through a proxy that the test can cut like a cable.
 */
class MqttLinkWillIT {
  private static final String STATUS = "ketenlink/v1/gw/status";

  @TempDir Path dir;
  Mosquitto broker;
  TcpProxy proxy;
  TestSubscriber subscriber;
  MqttLink link;

  @BeforeEach
  void start() throws Exception {
    broker = Mosquitto.start(dir);
    proxy = new TcpProxy(broker.port());
    subscriber = TestSubscriber.connect(broker.uri(), "ketenlink/#");
    link =
        new MqttLink(
            MqttLinkSettings.builder("will", proxy.uri())
                .clientId("gw-will")
                .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(200))
                .birth(Messages.retained(STATUS, "online"))
                .will(Messages.retained(STATUS, "offline"))
                .build());
    link.start();
  }

  @AfterEach
  void stop() throws Exception {
    link.close();
    subscriber.close();
    proxy.close();
    broker.close();
  }

  @Test
  void theBirthIsPublishedAfterEveryConnectAndTheWillWhenTheConnectionBreaks() throws Exception {
    subscriber.awaitPayloads(STATUS, 1, Duration.ofSeconds(10));
    assertThat(subscriber.payloads(STATUS)).containsExactly("online");

    proxy.cut();

    subscriber.awaitPayloads(STATUS, 3, Duration.ofSeconds(10));
    assertThat(subscriber.payloads(STATUS)).containsExactly("online", "offline", "online");
    assertThat(link.status().reconnects()).isEqualTo(1);
    // Retained: a partner arriving now sees the current status.
    try (TestSubscriber late = TestSubscriber.connect(broker.uri(), STATUS)) {
      late.awaitPayloads(STATUS, 1, Duration.ofSeconds(10));
      assertThat(late.received().get(0).retained()).isTrue();
      assertThat(late.payloads(STATUS)).containsExactly("online");
    }
  }

  @Test
  void aCleanCloseDoesNotTriggerTheWill() throws Exception {
    subscriber.awaitPayloads(STATUS, 1, Duration.ofSeconds(10));

    link.close();

    Await.until(
        Duration.ofSeconds(10),
        "the broker to see the clean disconnect",
        () -> broker.logLines("Client gw-will disconnected") > 0,
        broker::log);
    // The broker handles connections in order: a will would reach the subscriber before this.
    subscriber.publish("ketenlink/marker", "after-close");
    subscriber.awaitPayloads("ketenlink/marker", 1, Duration.ofSeconds(10));
    assertThat(subscriber.payloads(STATUS)).containsExactly("online");
    assertThat(LinkThreadNames.alive("will", "gw-will")).isEmpty();
  }
}
