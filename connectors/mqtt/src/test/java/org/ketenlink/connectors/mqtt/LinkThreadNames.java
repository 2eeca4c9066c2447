package org.ketenlink.connectors.mqtt;

import java.util.List;

/** The live threads of a link: its own names, or Paho's while Paho's loops run on them. */
final class LinkThreadNames {
  private LinkThreadNames() {}

  static List<String> alive(String linkId, String clientId) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("ketenlink-mqtt-" + linkId + "-") || n.endsWith(": " + clientId))
        .sorted()
        .toList();
  }
}
