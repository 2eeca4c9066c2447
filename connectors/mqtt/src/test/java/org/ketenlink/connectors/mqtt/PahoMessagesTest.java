package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

class PahoMessagesTest {
  @Test
  void theExpiryIsShortenedByTheTimeTheMessageWaitedButNeverBelowOneSecond() {
    Duration minute = Duration.ofSeconds(60);

    assertThat(PahoMessages.expirySeconds(minute, 0)).isEqualTo(60);
    assertThat(PahoMessages.expirySeconds(minute, 20_500)).isEqualTo(40);
    assertThat(PahoMessages.expirySeconds(minute, 59_500)).isEqualTo(1);
    assertThat(PahoMessages.expirySeconds(minute, 3_600_000)).isEqualTo(1);
    assertThat(PahoMessages.expirySeconds(Duration.ofMillis(1500), 0)).isEqualTo(2);
  }

  @Test
  void propertiesAreCarriedOverAndUserPropertiesSortedByName() {
    MqttMessage m =
        PahoMessages.toPaho(
            Messages.withProperties(
                "a/b", "x", Duration.ofSeconds(10), "application/json", Map.of("z", "1", "a", "2")),
            0);

    assertThat(m.getQos()).isEqualTo(1);
    assertThat(m.isRetained()).isFalse();
    assertThat(m.getProperties().getContentType()).isEqualTo("application/json");
    assertThat(m.getProperties().getMessageExpiryInterval()).isEqualTo(10L);
    assertThat(m.getProperties().getUserProperties())
        .extracting(UserProperty::getKey)
        .containsExactly("a", "z");
  }
}
