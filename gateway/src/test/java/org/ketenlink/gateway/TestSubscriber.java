package org.ketenlink.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** A real MQTT 5 subscriber (Paho) that records everything it receives. Test code only. */
final class TestSubscriber implements AutoCloseable {

  /** One received message. */
  record Received(
      String topic,
      byte[] payload,
      int qos,
      boolean retained,
      String contentType,
      Map<String, String> userProperties,
      Long expiry,
      long receivedNanos,
      long receivedMillis) {

    JsonNode json() {
      return Schemas.parse(payload);
    }
  }

  private final MqttAsyncClient client;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  TestSubscriber(String serverUri, String clientId) throws MqttException {
    this(serverUri, clientId, null);
  }

  /** A subscriber over TLS when {@code tls} is given (it carries the client certificate). */
  TestSubscriber(String serverUri, String clientId, javax.net.ssl.SSLSocketFactory tls)
      throws MqttException {
    this(serverUri, clientId, tls, false);
  }

  /** A subscriber over TLS presenting {@code cert}, trusting {@code ca} for the broker. */
  static TestSubscriber overTls(
      String serverUri, String clientId, BrokerTestPki.Issued ca, BrokerTestPki.Issued cert)
      throws MqttException {
    return new TestSubscriber(
        serverUri, clientId, BrokerTestPki.clientSocketFactory(ca, java.util.Optional.of(cert)));
  }

  /**
   * A partner as it would run in production: a persistent session (the broker queues its QoS 1
   * messages while it is away, also across a broker restart with persistence) that reconnects by
   * itself within about two seconds.
   */
  static TestSubscriber persistent(String serverUri, String clientId) throws MqttException {
    return new TestSubscriber(serverUri, clientId, null, true);
  }

  private TestSubscriber(
      String serverUri, String clientId, javax.net.ssl.SSLSocketFactory tls, boolean persistent)
      throws MqttException {
    client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    client.setCallback(
        new MqttCallback() {
          @Override
          public void disconnected(MqttDisconnectResponse r) {}

          @Override
          public void mqttErrorOccurred(MqttException e) {}

          @Override
          public void messageArrived(String topic, MqttMessage m) {
            MqttProperties p = m.getProperties();
            Map<String, String> user =
                p == null || p.getUserProperties() == null
                    ? Map.of()
                    : p.getUserProperties().stream()
                        .collect(
                            Collectors.toMap(
                                UserProperty::getKey, UserProperty::getValue, (a, b) -> b));
            received.add(
                new Received(
                    topic,
                    m.getPayload(),
                    m.getQos(),
                    m.isRetained(),
                    p == null ? null : p.getContentType(),
                    user,
                    p == null ? null : p.getMessageExpiryInterval(),
                    System.nanoTime(),
                    System.currentTimeMillis()));
          }

          @Override
          public void deliveryComplete(IMqttToken token) {}

          @Override
          public void connectComplete(boolean reconnect, String uri) {}

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(!persistent);
    o.setAutomaticReconnect(persistent);
    if (persistent) {
      o.setSessionExpiryInterval(3600L);
      o.setAutomaticReconnectDelay(1, 2);
    }
    if (tls != null) {
      o.setSocketFactory(tls);
      o.setHttpsHostnameVerificationEnabled(false);
    }
    client.connect(o).waitForCompletion(10_000);
  }

  TestSubscriber subscribe(String filter) throws MqttException {
    client.subscribe(filter, 1).waitForCompletion(10_000);
    return this;
  }

  /** Subscribes and returns the broker's reason code (0-2 granted, 0x87 not authorized, ...). */
  int trySubscribe(String filter) {
    try {
      IMqttToken token = client.subscribe(filter, 1);
      token.waitForCompletion(10_000);
      return token.getReasonCodes()[0];
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  /** Publishes at QoS 1 and returns the broker's reason code (0 accepted, 0x87 not authorized). */
  int tryPublish(String topic, String payload) {
    try {
      IMqttToken token =
          client.publish(
              topic, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, false);
      token.waitForCompletion(10_000);
      int[] codes = token.getReasonCodes();
      return codes == null || codes.length == 0 ? 0 : codes[0];
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  boolean isConnected() {
    return client.isConnected();
  }

  List<Received> received() {
    return new ArrayList<>(received);
  }

  List<Received> on(String topic) {
    return received.stream().filter(r -> r.topic().equals(topic)).toList();
  }

  /** Waits until a message matching {@code condition} arrived; returns it. */
  Received await(Duration timeout, String what, Predicate<Received> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (Received r : received) {
        if (condition.test(r)) {
          return r;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout.toSeconds()
                + " s waiting for "
                + what
                + "; received "
                + received.size()
                + " messages on "
                + received.stream().map(Received::topic).distinct().toList());
      }
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
      client.close(true);
    } catch (MqttException e) {
      // closing a test client: nothing to do
    }
  }
}
