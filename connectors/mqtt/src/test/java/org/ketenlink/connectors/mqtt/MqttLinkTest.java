package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkBusyException;
import org.ketenlink.connectors.api.LinkStatus;

/** What a link does without a broker: queueing, refusing, closing. */
class MqttLinkTest {

  private static MqttLink link(String id, int queueCapacity) throws Exception {
    return new MqttLink(
        MqttLinkSettings.builder(id, "tcp://127.0.0.1:" + Mosquitto.freePort())
            .queueCapacity(queueCapacity)
            .reconnectDelay(Duration.ofMillis(50), Duration.ofMillis(100))
            .build());
  }

  @Test
  void messagesPublishedBeforeStartWaitInTheQueue() throws Exception {
    try (MqttLink link = link("before-start", 10)) {
      CompletableFuture<Void> ack = link.publish(Messages.qos1("a/b", "1"));

      LinkStatus status = link.status();
      assertThat(ack).isNotDone();
      assertThat(status.state()).isEqualTo(ConnectionState.CONNECTING);
      assertThat(status.queued()).isEqualTo(1);
      assertThat(status.published()).isZero();
      assertThat(status.inFlightLimit()).isEqualTo(100);
    }
  }

  @Test
  void aFullQueueRefusesAtOnceWithLinkBusy() throws Exception {
    try (MqttLink link = link("busy", 2)) {
      link.publish(Messages.qos1("a/b", "1"));
      link.publish(Messages.qos1("a/b", "2"));

      CompletableFuture<Void> third = link.publish(Messages.qos1("a/b", "3"));

      assertThat(third).isCompletedExceptionally();
      assertThatThrownBy(third::get).hasCauseInstanceOf(LinkBusyException.class);
      assertThat(link.status().rejected()).isEqualTo(1);
      assertThat(link.status().queued()).isEqualTo(2);
    }
  }

  @Test
  void closeCancelsWhatIsPendingAndIsIdempotent() throws Exception {
    MqttLink link = link("close", 10);
    link.start();
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pending.add(link.publish(Messages.qos1("a/b", Integer.toString(i))));
    }
    Await.until(
        Duration.ofSeconds(5), "a refused connect", () -> link.status().lastError().isPresent());

    link.close();
    link.close();

    assertThat(pending).allSatisfy(f -> assertThat(f).isCancelled());
    assertThat(link.status().state()).isEqualTo(ConnectionState.STOPPED);
    assertThat(link.status().queued()).isZero();
    assertThatThrownBy(() -> link.publish(Messages.qos1("a/b", "late")).get())
        .isInstanceOf(CancellationException.class);
    assertThatThrownBy(link::start).isInstanceOf(IllegalStateException.class);
    assertThat(LinkThreadNames.alive("close", "ketenlink-close")).isEmpty();
  }

  @Test
  void aTopicThatCannotBePublishedToFailsItsFuture() throws Exception {
    try (MqttLink link = link("topic", 10)) {
      CompletableFuture<Void> f = link.publish(Messages.qos1("plant/#", "1"));

      assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("wildcards");
      assertThat(link.status().queued()).isZero();
    }
  }

  @Test
  void thePublicApiShowsNoPahoTypes() {
    Stream.of(
            MqttLink.class,
            MqttLinkSettings.class,
            MqttLinkSettings.Builder.class,
            TlsSettings.class)
        .flatMap(
            c ->
                Stream.concat(
                    Stream.of(c.getDeclaredMethods()), Stream.of(c.getDeclaredConstructors())))
        .filter(m -> Modifier.isPublic(m.getModifiers()))
        .forEach(m -> assertThat(signature(m)).as(m.toString()).doesNotContain("org.eclipse.paho"));
    assertThat(
            Stream.of(PahoClient.class, Sender.class, PemTls.class, Failures.class)
                .filter(c -> Modifier.isPublic(c.getModifiers())))
        .isEmpty();
  }

  private static String signature(Executable e) {
    StringBuilder s = new StringBuilder(e.toGenericString());
    if (e instanceof Method m) {
      s.append(' ').append(m.getGenericReturnType().getTypeName());
    }
    return s.toString();
  }
}
