package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttLinkSettingsTest {
  @TempDir Path dir;

  @Test
  void theBuilderStartsFromSafeDefaults() {
    MqttLinkSettings s = MqttLinkSettings.builder("partner-a", "tcp://127.0.0.1:1883").build();

    assertThat(s.clientId()).isEqualTo("ketenlink-partner-a");
    assertThat(s.maxInFlight()).isEqualTo(100);
    assertThat(s.queueCapacity()).isEqualTo(10_000);
    assertThat(s.keepAlive()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.reconnectMinDelay()).isEqualTo(Duration.ofMillis(500));
    assertThat(s.reconnectMaxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.username()).isEmpty();
    assertThat(s.password()).isEmpty();
    assertThat(s.tls()).isEmpty();
    assertThat(s.birth()).isEmpty();
    assertThat(s.will()).isEmpty();
    assertThat(TlsSettings.trusting(dir.resolve("ca.pem")).verifyHostname()).isTrue();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThatThrownBy(
            () ->
                MqttLinkSettings.builder("bad id", "ws://broker:80")
                    .clientId("")
                    .maxInFlight(0)
                    .queueCapacity(0)
                    .keepAlive(Duration.ofMillis(1500))
                    .connectTimeout(Duration.ZERO)
                    .reconnectDelay(Duration.ofSeconds(5), Duration.ofSeconds(1))
                    .birth(Messages.retained("gw/+/status", "online"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("id: must be 1-64 letters")
        .hasMessageContaining("serverUri: must start with tcp:// or ssl://")
        .hasMessageContaining("clientId: must be 1-256 characters")
        .hasMessageContaining("maxInFlight: must be 1-65535, was 0")
        .hasMessageContaining("queueCapacity: must be 1-1000000, was 0")
        .hasMessageContaining("keepAlive: must be whole seconds")
        .hasMessageContaining("connectTimeout: must be whole seconds, 1-3600 s")
        .hasMessageContaining("reconnectMaxDelay: must not be less than reconnectMinDelay")
        .hasMessageContaining("birth.topic: wildcards");
  }

  @Test
  void sslNeedsTlsSettingsAndTcpRefusesThem() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");

    assertThatThrownBy(() -> MqttLinkSettings.builder("a", "ssl://broker:8883").build())
        .hasMessageContaining("tls: required for an ssl:// server URI");
    assertThatThrownBy(
            () ->
                MqttLinkSettings.builder("a", "tcp://broker:1883")
                    .tls(TlsSettings.trusting(ca))
                    .build())
        .hasMessageContaining("tls: set, but serverUri is tcp://");
  }

  @Test
  void aClientCertificateNeedsItsKeyAndMissingFilesAreNamed() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    Path cert = Files.writeString(dir.resolve("client.pem"), "x");
    Path missing = dir.resolve("nowhere/client.key");
    TlsSettings onlyCert = new TlsSettings(ca, Optional.of(cert), Optional.empty(), true);

    assertThatThrownBy(
            () -> MqttLinkSettings.builder("a", "ssl://broker:8883").tls(onlyCert).build())
        .hasMessageContaining("tls.clientKey: required with tls.clientCertificate");
    assertThatThrownBy(
            () ->
                MqttLinkSettings.builder("a", "ssl://broker:8883")
                    .tls(TlsSettings.trusting(ca).withClientCertificate(cert, missing))
                    .build())
        .hasMessageContaining("tls.clientKey: no such file: " + missing.toAbsolutePath());
  }

  @Test
  void theUriMustBeHostAndPortOnly() {
    assertThatThrownBy(() -> MqttLinkSettings.builder("a", "tcp://broker:1883/x").build())
        .hasMessageContaining("serverUri: must be scheme://host:port with no path");
    assertThatThrownBy(() -> MqttLinkSettings.builder("a", "tcp://:1883").build())
        .hasMessageContaining("serverUri: has no host name");
    assertThat(MqttLinkSettings.builder("a", "ssl://broker.example").tls(tls()).build().serverUri())
        .isEqualTo("ssl://broker.example");
  }

  @Test
  void thePasswordNeverShowsInToString() {
    MqttLinkSettings s =
        MqttLinkSettings.builder("a", "tcp://broker:1883")
            .credentials("gateway", "hunter2-but-longer")
            .build();

    assertThat(s.toString()).doesNotContain("hunter2").contains("password=(set)");
  }

  private TlsSettings tls() {
    try {
      return TlsSettings.trusting(Files.writeString(dir.resolve("ca.pem"), "x"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
