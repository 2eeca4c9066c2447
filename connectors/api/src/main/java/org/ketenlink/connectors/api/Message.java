package org.ketenlink.connectors.api;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * One message to publish.
 *
 * @param topic the topic
 * @param payload the bytes
 * @param qos 0 or 1
 * @param retained whether the broker keeps it as the topic's last value
 * @param expiry MQTT 5 message expiry, if any
 * @param contentType MQTT 5 content type, e.g. {@code application/json}
 * @param userProperties MQTT 5 user properties, e.g. the schema version
 */
public record Message(
    String topic,
    byte[] payload,
    int qos,
    boolean retained,
    Optional<Duration> expiry,
    String contentType,
    Map<String, String> userProperties) {

  public Message {
    if (qos < 0 || qos > 1) {
      throw new IllegalArgumentException("qos must be 0 or 1, got " + qos);
    }
    userProperties = Map.copyOf(userProperties);
  }
}
