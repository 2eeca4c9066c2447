package org.ketenlink.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.gateway.config.GatewayConfig.Kind;

/**
 * Everything the data path needs to know about one signal's stream, resolved once from the
 * configuration.
 *
 * @param asset the ISA-95 asset path, e.g. {@code acme/eindhoven/hall-2/line1/cnc1}
 * @param configuredUnit the unit the configuration fixes; empty means use the device's
 * @param batchTopic where the source's values go as one message per publishing cycle; empty when
 *     each value is its own message on {@code topic}
 */
record StreamSpec(
    String sourceId,
    String name,
    String topic,
    String asset,
    Kind kind,
    Optional<Unit> configuredUnit,
    double scale,
    double offset,
    Map<String, String> valueMap,
    int qos,
    boolean retain,
    Optional<Duration> expiry,
    Optional<String> batchTopic) {

  boolean scaled() {
    return scale != 1.0 || offset != 0.0;
  }
}
