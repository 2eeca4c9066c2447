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

  /** Why {@code filter} is not a valid topic filter, or empty if it is. */
  static Optional<String> filterProblem(String filter) {
    if (filter == null || filter.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (filter.indexOf('\u0000') >= 0) {
      return Optional.of("must not contain the null character");
    }
    String[] levels = filter.split("/", -1);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
        return Optional.of("'#' must be a whole level and the last one: " + filter);
      }
      if (level.contains("+") && !level.equals("+")) {
        return Optional.of("'+' must be a whole level: " + filter);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code topic} matches the valid {@code filter} (MQTT 5, section 4.7). */
  static boolean matches(String filter, String topic) {
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    if (!t[0].isEmpty() && t[0].charAt(0) == '$' && (f[0].equals("#") || f[0].equals("+"))) {
      return false;
    }
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return true;
      }
      if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
        return false;
      }
    }
    return f.length == t.length;
  }
}
