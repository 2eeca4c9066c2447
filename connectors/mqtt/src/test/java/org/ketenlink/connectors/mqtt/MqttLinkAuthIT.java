package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.LinkStatus;
import org.slf4j.LoggerFactory;

/** User name and password against a broker that lets nobody in anonymously. */
class MqttLinkAuthIT {
  private static final String PASSWORD = "s3cret-Fieldlab-pw";
  private static final String WRONG = "wrong-Fieldlab-pw";

  @TempDir Path dir;
  Mosquitto broker;
  MqttLink link;
  final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void start() throws Exception {
    Path passwords = dir.resolve("passwords");
    Process p =
        new ProcessBuilder(
                "mosquitto_passwd", "-b", "-c", passwords.toString(), "gateway", PASSWORD)
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("mosquitto_passwd: %s", new String(p.getInputStream().readAllBytes()))
        .isTrue();
    broker = Mosquitto.start(dir, "allow_anonymous false", "password_file " + passwords);
    logged.start();
    ((Logger) LoggerFactory.getLogger(MqttLink.class)).addAppender(logged);
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(MqttLink.class)).detachAppender(logged);
    if (link != null) {
      link.close();
    }
    broker.close();
  }

  @Test
  void theRightPasswordConnects() throws Exception {
    link = new MqttLink(settings(broker.uri(), PASSWORD, Duration.ofMillis(200)));
    link.start();

    link.publish(Messages.qos1("plant/auth", "1")).get(10, TimeUnit.SECONDS);
    assertThat(link.status().state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(link.status().lastError()).isEmpty();
  }

  @Test
  void aWrongPasswordIsReportedAndRetriedWithBackOffNotInATightLoop() throws Exception {
    try (TcpProxy proxy = new TcpProxy(broker.port())) {
      link = new MqttLink(settings(proxy.uri(), WRONG, Duration.ofMillis(500)));
      link.start();
      link.publish(Messages.qos1("plant/auth", "1"));

      Await.until(
          Duration.ofSeconds(10),
          "three refused attempts",
          () -> proxy.spans().size() >= 3 && proxy.spans().get(2)[1] != 0,
          broker::log);

      // Back-off 500 ms, then 1 s, each shortened by at most 25 % jitter; without it the next
      // attempt would follow the refusal within milliseconds.
      List<long[]> spans = proxy.spans();
      assertThat(gapMillis(spans, 0)).isGreaterThanOrEqualTo(375);
      assertThat(gapMillis(spans, 1)).isGreaterThanOrEqualTo(750);
      assertThat(broker.logLines("not authorised")).isGreaterThanOrEqualTo(3);
      LinkStatus status = link.status();
      assertThat(status.state()).isEqualTo(ConnectionState.CONNECTING);
      assertThat(status.lastError())
          .hasValueSatisfying(e -> assertThat(e).contains("not authorized"));
      assertThat(status.published()).isZero();
      assertThat(status.queued()).isEqualTo(1);
    }
    assertThat(logged.list).isNotEmpty();
    assertThat(logged.list)
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(WRONG, PASSWORD));
    assertThat(logged.list)
        .filteredOn(e -> e.getLevel() == Level.WARN)
        .as("one WARN, then DEBUG until connected")
        .hasSize(1);
  }

  /** From the broker closing connection {@code i} to the link opening the next one. */
  private static long gapMillis(List<long[]> spans, int i) {
    return TimeUnit.NANOSECONDS.toMillis(spans.get(i + 1)[0] - spans.get(i)[1]);
  }

  @Test
  void settingsNeverShowThePassword() {
    assertThat(settings(broker.uri(), PASSWORD, Duration.ofMillis(200)).toString())
        .doesNotContain(PASSWORD)
        .contains("password=(set)");
  }

  private static MqttLinkSettings settings(String uri, String password, Duration minDelay) {
    return MqttLinkSettings.builder("auth", uri)
        .credentials("gateway", password)
        .reconnectDelay(minDelay, minDelay.multipliedBy(4))
        .build();
  }
}
