package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;

/** MQTT 5 message properties reach an MQTT 5 subscriber unchanged. */
class MqttLinkPropertiesIT {
  @TempDir Path dir;
  Mosquitto broker;
  TestSubscriber subscriber;
  MqttLink link;

  @BeforeEach
  void start() throws Exception {
    broker = Mosquitto.start(dir);
    subscriber = TestSubscriber.connect(broker.uri(), "plant/#");
    link = new MqttLink(MqttLinkSettings.builder("props", broker.uri()).build());
    link.start();
  }

  @AfterEach
  void stop() throws Exception {
    link.close();
    subscriber.close();
    broker.close();
  }

  @Test
  void expiryContentTypeAndUserPropertiesReachTheSubscriber() throws Exception {
    link.publish(
            Messages.withProperties(
                "plant/line1/data",
                "{\"v\":1}",
                Duration.ofSeconds(60),
                "application/json",
                Map.of("schema", "ketenlink/v1", "gateway", "gw-1")))
        .get(10, TimeUnit.SECONDS);

    subscriber.awaitPayloads("plant/line1/data", 1, Duration.ofSeconds(10));
    MqttProperties p = subscriber.received().get(0).properties();
    assertThat(p.getContentType()).isEqualTo("application/json");
    assertThat(p.getUserProperties())
        .extracting(UserProperty::getKey, UserProperty::getValue)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("schema", "ketenlink/v1"),
            org.assertj.core.groups.Tuple.tuple("gateway", "gw-1"));
    // The broker forwards what is left of the interval.
    assertThat(p.getMessageExpiryInterval()).isBetween(1L, 60L);
    assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void aMessageWithoutPropertiesArrivesWithout() throws Exception {
    link.publish(Messages.qos1("plant/line1/plain", "42")).get(10, TimeUnit.SECONDS);

    subscriber.awaitPayloads("plant/line1/plain", 1, Duration.ofSeconds(10));
    MqttProperties p = subscriber.received().get(0).properties();
    assertThat(p.getContentType()).isNull();
    assertThat(p.getUserProperties()).isEmpty();
    assertThat(p.getMessageExpiryInterval()).isNull();
  }
}
