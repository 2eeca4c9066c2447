package org.ketenlink.connectors.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.ketenlink.connectors.api.Message;

/** Test messages. */
final class Messages {
  private Messages() {}

  static Message qos1(String topic, String payload) {
    return new Message(
        topic,
        payload.getBytes(StandardCharsets.UTF_8),
        1,
        false,
        Optional.empty(),
        null,
        Map.of());
  }

  static Message qos0(String topic, String payload) {
    return new Message(
        topic,
        payload.getBytes(StandardCharsets.UTF_8),
        0,
        false,
        Optional.empty(),
        null,
        Map.of());
  }

  static Message retained(String topic, String payload) {
    return new Message(
        topic, payload.getBytes(StandardCharsets.UTF_8), 1, true, Optional.empty(), null, Map.of());
  }

  static Message withProperties(
      String topic, String payload, Duration expiry, String contentType, Map<String, String> user) {
    return new Message(
        topic,
        payload.getBytes(StandardCharsets.UTF_8),
        1,
        false,
        Optional.of(expiry),
        contentType,
        user);
  }
}
