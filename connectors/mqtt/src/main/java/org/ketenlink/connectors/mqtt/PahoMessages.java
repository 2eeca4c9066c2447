package org.ketenlink.connectors.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.ketenlink.connectors.api.Message;

/** Our settings and messages in Paho's terms; the only place that builds Paho values. */
final class PahoMessages {
  private static final long MAX_EXPIRY_SECONDS = 0xFFFF_FFFFL;

  private PahoMessages() {}

  /**
   * A fresh Paho message for one send. Fresh every time: Paho writes a topic alias into the
   * properties it is given, which must not leak into a re-send on a new connection.
   *
   * @param waitedMillis how long the message has waited in the link; subtracted from its expiry, so
   *     a message that waited out most of its life is not presented to subscribers as fresh
   */
  static MqttMessage toPaho(Message message, long waitedMillis) {
    MqttMessage paho = new MqttMessage(message.payload());
    paho.setQos(message.qos());
    paho.setRetained(message.retained());
    paho.setProperties(properties(message, waitedMillis));
    return paho;
  }

  static MqttProperties properties(Message message, long waitedMillis) {
    MqttProperties properties = new MqttProperties();
    message
        .expiry()
        .ifPresent(e -> properties.setMessageExpiryInterval(expirySeconds(e, waitedMillis)));
    if (message.contentType() != null && !message.contentType().isEmpty()) {
      properties.setContentType(message.contentType());
    }
    if (!message.userProperties().isEmpty()) {
      properties.setUserProperties(
          message.userProperties().entrySet().stream()
              .sorted(Map.Entry.comparingByKey())
              .map(e -> new UserProperty(e.getKey(), e.getValue()))
              .toList());
    }
    return properties;
  }

  /** At least one second: an interval of zero would mean "never expires" to some brokers. */
  static long expirySeconds(Duration expiry, long waitedMillis) {
    long leftMillis = expiry.toMillis() - Math.max(0, waitedMillis);
    long seconds = Math.floorDiv(leftMillis + 999, 1000);
    return Math.max(1, Math.min(MAX_EXPIRY_SECONDS, seconds));
  }

  /**
   * Options for one connect attempt: clean start (the link itself keeps and re-sends what was not
   * acknowledged), no Paho reconnect or offline buffer, the will and the credentials.
   */
  static MqttConnectionOptions connectOptions(MqttLinkSettings settings, Optional<SSLContext> tls) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setSessionExpiryInterval(0L);
    options.setAutomaticReconnect(false);
    options.setKeepAliveInterval((int) settings.keepAlive().getSeconds());
    options.setConnectionTimeout((int) settings.connectTimeout().getSeconds());
    settings.username().ifPresent(options::setUserName);
    settings.password().ifPresent(p -> options.setPassword(p.getBytes(StandardCharsets.UTF_8)));
    options.setSocketFactory(NoDelaySockets.plain());
    tls.ifPresent(
        context -> {
          options.setSocketFactory(NoDelaySockets.tls(context.getSocketFactory()));
          options.setHttpsHostnameVerificationEnabled(
              settings.tls().map(TlsSettings::verifyHostname).orElse(true));
        });
    settings
        .will()
        .ifPresent(
            will -> {
              MqttMessage message = toPaho(will, 0);
              options.setWill(will.topic(), message);
              options.setWillMessageProperties(properties(will, 0));
            });
    return options;
  }
}
