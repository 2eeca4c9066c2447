package org.ketenlink.connectors.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** What makes a topic name publishable (MQTT 5, section 4.7). */
final class Topics {
  private Topics() {}

  /** Why {@code topic} cannot be published to, or empty if it can. */
  static Optional<String> problem(String topic) {
    if (topic == null || topic.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
      return Optional.of("wildcards (+, #) are not allowed in a topic to publish to: " + topic);
    }
    if (topic.indexOf('\u0000') >= 0) {
      return Optional.of("must not contain the null character");
    }
    if (topic.getBytes(StandardCharsets.UTF_8).length > 65_535) {
      return Optional.of("longer than 65535 bytes");
    }
    return Optional.empty();
  }
}
