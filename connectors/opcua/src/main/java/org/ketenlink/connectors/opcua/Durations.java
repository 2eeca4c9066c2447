package org.ketenlink.connectors.opcua;

import java.time.Duration;

/** Durations as people write them in configuration and read them in status: 500ms, 30s, 2m. */
final class Durations {

  private Durations() {}

  static String format(Duration d) {
    if (d == null) {
      return "nothing";
    }
    long ms = d.toMillis();
    if (ms == 0 || ms % 1000 != 0 || d.isNegative()) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
