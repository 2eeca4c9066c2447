package org.ketenlink.gateway;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the embedded broker listens and where it keeps its files.
 *
 * @param bindAddress the address the MQTT listener binds; anything that is not a loopback address
 *     needs {@code tls}
 * @param port the listener port; 0 picks a free port
 * @param dataDir the gateway's data directory; the broker uses {@code dataDir/broker}
 * @param tls the listener's certificate and key and the CA its clients' certificates must come
 *     from; empty for plain MQTT, which only loopback allows
 * @param maxQueuedMessages how many messages the broker queues per offline or slow client before it
 *     drops the oldest
 * @param access who may connect and what each may read and write; empty only for test brokers,
 *     which then let every client do everything (the gateway always gives one)
 */
record BrokerSettings(
    String bindAddress,
    int port,
    Path dataDir,
    Optional<BrokerTls> tls,
    int maxQueuedMessages,
    Optional<BrokerAccess> access) {

  static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
  static final int DEFAULT_PORT = 1883;
  static final int DEFAULT_MAX_QUEUED_MESSAGES = 10_000;

  BrokerSettings {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(access, "access");
    if (bindAddress.isBlank()) {
      throw new IllegalArgumentException("broker bind address must not be blank");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("broker port " + port + " is not in 0..65535");
    }
    if (maxQueuedMessages < 1) {
      throw new IllegalArgumentException(
          "broker maxQueuedMessages must be at least 1, was " + maxQueuedMessages);
    }
  }

  /** A broker without access control: for tests that need a plain MQTT broker. */
  BrokerSettings(
      String bindAddress, int port, Path dataDir, Optional<BrokerTls> tls, int maxQueuedMessages) {
    this(bindAddress, port, dataDir, tls, maxQueuedMessages, Optional.empty());
  }

  /** The same settings with access control. */
  BrokerSettings withAccess(BrokerAccess access) {
    return new BrokerSettings(
        bindAddress, port, dataDir, tls, maxQueuedMessages, Optional.of(access));
  }

  /** The demo and development broker: plain MQTT on 127.0.0.1. */
  static BrokerSettings loopback(Path dataDir, int port) {
    return new BrokerSettings(
        DEFAULT_BIND_ADDRESS, port, dataDir, Optional.empty(), DEFAULT_MAX_QUEUED_MESSAGES);
  }
}
