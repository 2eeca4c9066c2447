package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-flight window: never more than min(configured, broker Receive Maximum) unacknowledged
 * publishes, whatever the caller pushes; everything acknowledged and received in order.
 */
class MqttLinkWindowIT {
  private static final Logger log = LoggerFactory.getLogger(MqttLinkWindowIT.class);

  @TempDir Path dir;
  Mosquitto broker;
  TestSubscriber subscriber;
  MqttLink link;

  @AfterEach
  void stop() {
    if (link != null) {
      link.close();
    }
    if (subscriber != null) {
      subscriber.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void theBrokersReceiveMaximumBoundsTheWindowAndEveryMessageArrivesInOrder() throws Exception {
    broker = Mosquitto.start(dir, "max_inflight_messages 5");
    subscriber = TestSubscriber.connect(broker.uri(), "load/#");
    link =
        new MqttLink(
            MqttLinkSettings.builder("window", broker.uri())
                .maxInFlight(100)
                .queueCapacity(20_000)
                .build());
    link.start();
    Await.until(
        Duration.ofSeconds(10),
        "connected",
        () -> link.status().state() == ConnectionState.CONNECTED);
    assertThat(link.status().inFlightLimit()).isEqualTo(5);

    AtomicInteger maxInFlight = new AtomicInteger();
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                maxInFlight.accumulateAndGet(link.status().inFlight(), Math::max);
                LockSupport.parkNanos(20_000);
              }
            });
    sampler.start();

    long t0 = System.nanoTime();
    List<CompletableFuture<Void>> acks = publish("load/window", 20_000);
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long ackedNanos = System.nanoTime() - t0;
    sampling.set(false);
    sampler.join();

    assertThat(maxInFlight.get()).isBetween(1, 5);
    LinkStatus status = link.status();
    assertThat(status.acknowledged()).isEqualTo(20_000);
    assertThat(status.published()).isEqualTo(20_000);
    assertThat(status.rejected()).isZero();
    subscriber.awaitPayloads("load/window", 20_000, Duration.ofSeconds(30));
    assertThat(subscriber.payloads("load/window")).containsExactlyElementsOf(numbers(20_000));
    log.info(
        "20000 QoS 1 messages, window 5: all acknowledged in {} ms ({} msg/s)",
        TimeUnit.NANOSECONDS.toMillis(ackedNanos),
        20_000L * 1_000_000_000L / ackedNanos);
  }

  @Test
  void aConfiguredWindowSmallerThanTheBrokersIsKept() throws Exception {
    broker = Mosquitto.start(dir);
    link = new MqttLink(MqttLinkSettings.builder("small", broker.uri()).maxInFlight(3).build());
    link.start();
    Await.until(
        Duration.ofSeconds(10),
        "connected",
        () -> link.status().state() == ConnectionState.CONNECTED);

    assertThat(link.status().inFlightLimit()).isEqualTo(3);
  }

  @Test
  void fiftyThousandQos1MessagesAreAllAcknowledgedAndReceivedInOrder() throws Exception {
    broker = Mosquitto.start(dir);
    subscriber = TestSubscriber.connect(broker.uri(), "load/#");
    link =
        new MqttLink(
            MqttLinkSettings.builder("bulk", broker.uri())
                .maxInFlight(100)
                .queueCapacity(50_000)
                .build());
    link.start();
    Await.until(
        Duration.ofSeconds(10),
        "connected",
        () -> link.status().state() == ConnectionState.CONNECTED);

    long t0 = System.nanoTime();
    List<CompletableFuture<Void>> acks = publish("load/bulk", 50_000);
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long ackedNanos = System.nanoTime() - t0;
    subscriber.awaitPayloads("load/bulk", 50_000, Duration.ofSeconds(60));
    long receivedNanos = System.nanoTime() - t0;

    assertThat(link.status().acknowledged()).isEqualTo(50_000);
    assertThat(subscriber.payloads("load/bulk")).containsExactlyElementsOf(numbers(50_000));
    // Not asserted: a report for the benchmarks page.
    log.info(
        "50000 QoS 1 messages, window {}: all acknowledged in {} ms ({} msg/s),"
            + " all received by a QoS 1 subscriber in {} ms ({} msg/s)",
        link.status().inFlightLimit(),
        TimeUnit.NANOSECONDS.toMillis(ackedNanos),
        50_000L * 1_000_000_000L / ackedNanos,
        TimeUnit.NANOSECONDS.toMillis(receivedNanos),
        50_000L * 1_000_000_000L / receivedNanos);
  }

  private List<CompletableFuture<Void>> publish(String topic, int count) {
    List<CompletableFuture<Void>> acks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      acks.add(link.publish(Messages.qos1(topic, Integer.toString(i))));
    }
    return acks;
  }

  static List<String> numbers(int count) {
    return IntStream.range(0, count).mapToObj(Integer::toString).toList();
  }
}
