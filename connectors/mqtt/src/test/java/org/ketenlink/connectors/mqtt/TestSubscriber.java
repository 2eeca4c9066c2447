package org.ketenlink.connectors.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A plain Paho MQTT 5 subscriber (QoS 1) that records what it receives, in arrival order. */
final class TestSubscriber implements AutoCloseable {
  record Received(String topic, String payload, boolean retained, MqttProperties properties) {}

  private final MqttAsyncClient client;
  private final List<Received> received = new ArrayList<>();

  private TestSubscriber(MqttAsyncClient client) {
    this.client = client;
  }

  /** A clean session subscribed to {@code filters}. */
  static TestSubscriber connect(String uri, String... filters) throws MqttException {
    return connect(uri, "test-sub-" + System.nanoTime(), true, Optional.empty(), filters);
  }

  /**
   * @param cleanStart false keeps the session (and the broker queues for it) for an hour
   * @param filters subscribed now; none to resume a kept session as it is
   */
  static TestSubscriber connect(
      String uri,
      String clientId,
      boolean cleanStart,
      Optional<SocketFactory> socketFactory,
      String... filters)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
    TestSubscriber subscriber = new TestSubscriber(client);
    client.setCallback(
        new MqttCallback() {
          @Override
          public void messageArrived(String topic, MqttMessage message) {
            synchronized (subscriber.received) {
              subscriber.received.add(
                  new Received(
                      topic,
                      new String(message.getPayload(), StandardCharsets.UTF_8),
                      message.isRetained(),
                      message.getProperties()));
            }
          }

          @Override
          public void disconnected(MqttDisconnectResponse response) {}

          @Override
          public void mqttErrorOccurred(MqttException exception) {}

          @Override
          public void deliveryComplete(IMqttToken token) {}

          @Override
          public void connectComplete(boolean reconnect, String serverUri) {}

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    options.setSessionExpiryInterval(cleanStart ? 0L : 3600L);
    socketFactory.ifPresent(options::setSocketFactory);
    client.connect(options).waitForCompletion(10_000);
    for (String filter : filters) {
      client.subscribe(new MqttSubscription(filter, 1)).waitForCompletion(10_000);
    }
    return subscriber;
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  List<String> payloads(String topicPrefix) {
    return received().stream()
        .filter(r -> r.topic().startsWith(topicPrefix))
        .map(Received::payload)
        .collect(Collectors.toList());
  }

  void awaitPayloads(String topicPrefix, int count, Duration timeout) {
    Await.until(
        timeout,
        count + " messages on " + topicPrefix,
        () -> payloads(topicPrefix).size() >= count,
        () -> "received " + payloads(topicPrefix).size());
  }

  void publish(String topic, String payload) throws MqttException {
    client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion();
  }

  void publishRetained(String topic, String payload) throws MqttException {
    client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, true).waitForCompletion();
  }

  /** Drops the connection without DISCONNECT handling on our side; the broker keeps the session. */
  void abandon() {
    try {
      client.disconnectForcibly(0, 0, false);
    } catch (MqttException e) {
      // already gone
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // closed
    }
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
    } catch (MqttException e) {
      // closing anyway
    }
    abandon();
  }
}
