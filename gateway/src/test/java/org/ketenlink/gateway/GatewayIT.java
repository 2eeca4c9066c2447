package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.SourceStatus;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/** Simulator → gateway → embedded broker → a real MQTT 5 subscriber. */
class GatewayIT {

  static final String BASE = "ketenlink/v1/acme/ehv/hall-2/line1/";
  static final String SPEED = BASE + "cnc1/data/spindleSpeed";
  static final String POWER = BASE + "cnc1/data/power";
  static final String STATE = BASE + "cnc1/state/state";

  @TempDir static Path dir;
  static Simulator sim;
  static Gateway gateway;
  static TestSubscriber subscriber;

  @BeforeAll
  static void start() throws Exception {
    sim = GatewayFixture.simulator(dir);
    GatewayConfig config =
        GatewayFixture.load(
            dir, GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals()));
    GatewayFixture.trustEachOther(sim, config);
    gateway = Gateway.start(config);
    subscriber =
        new TestSubscriber("tcp://127.0.0.1:" + gateway.brokerPort().orElseThrow(), "it-subscriber")
            .subscribe("ketenlink/#");
  }

  @AfterAll
  static void stop() {
    if (subscriber != null) {
      subscriber.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void machineValuesArriveNormalisedWithUnitQualityAndTimestampsAndMatchTheSchema()
      throws Exception {
    TestSubscriber.Received r =
        subscriber.await(
            GatewayFixture.DATA_TIMEOUT, "a spindle speed", m -> m.topic().equals(SPEED));
    JsonNode json = r.json();
    assertThat(Schemas.violations(Schemas.SAMPLE, r.payload())).isEmpty();
    assertThat(json.get("gateway").asText()).isEqualTo("it-gw");
    assertThat(json.get("asset").asText()).isEqualTo("acme/ehv/hall-2/line1/cnc1");
    assertThat(json.get("signal").asText()).isEqualTo("spindleSpeed");
    assertThat(json.get("unit").get("code").asText())
        .as("unit from the server's EUInformation")
        .isEqualTo("RPM");
    assertThat(json.get("unit").get("symbol").asText()).isEqualTo("r/min");
    assertThat(json.get("quality").asText()).isEqualTo("good");
    assertThat(json.get("value").isNumber()).isTrue();
    Instant source = Instant.parse(json.get("sourceTime").asText());
    Instant gw = Instant.parse(json.get("gatewayTime").asText());
    assertThat(source).isBeforeOrEqualTo(gw);
    assertThat(Duration.between(source, Instant.now())).isLessThan(Duration.ofMinutes(1));
    assertThat(r.contentType()).isEqualTo("application/json");
    assertThat(r.userProperties()).containsEntry("schema", "ketenlink.sample/1");
    assertThat(r.expiry()).isEqualTo(600L);
  }

  @Test
  void scaleAndAConfiguredUnitAreApplied() throws Exception {
    TestSubscriber.Received w =
        subscriber.await(
            GatewayFixture.DATA_TIMEOUT,
            "power in W",
            m -> m.topic().equals(BASE + "cnc1/data/powerW"));
    assertThat(w.json().get("unit").get("code").asText()).isEqualTo("WTT");
    assertThat(w.json().get("value").asDouble()).isGreaterThan(1000.0);
  }

  @Test
  void statesAreRetainedAndValueMapsApplied() throws Exception {
    subscriber.await(GatewayFixture.DATA_TIMEOUT, "the cnc state", m -> m.topic().equals(STATE));
    subscriber.await(
        GatewayFixture.DATA_TIMEOUT,
        "a PackML state",
        m -> m.topic().equals(BASE + "pack1/state/packmlState"));
    try (TestSubscriber late =
        new TestSubscriber("tcp://127.0.0.1:" + gateway.brokerPort().orElseThrow(), "it-late")
            .subscribe(BASE + "+/state/#")) {
      TestSubscriber.Received cnc =
          late.await(Duration.ofSeconds(5), "retained cnc state", m -> m.topic().equals(STATE));
      assertThat(cnc.retained()).isTrue();
      assertThat(cnc.json().get("value").asText())
          .isIn("Executing", "NotExecuting", "OutOfService");
      TestSubscriber.Received pack =
          late.await(
              Duration.ofSeconds(5),
              "retained PackML state",
              m -> m.topic().equals(BASE + "pack1/state/packmlState"));
      assertThat(pack.json().get("value").asText()).isIn("Idle", "Suspended", "Execute", "Aborted");
    }
  }

  @Test
  void everyStreamKeepsItsOrderWithGaplessSequenceNumbers() throws Exception {
    subscriber.await(
        GatewayFixture.DATA_TIMEOUT, "20 speeds", m -> subscriber.on(SPEED).size() >= 20);
    Map<String, Long> lastSeq = new HashMap<>();
    Map<String, Instant> lastTime = new HashMap<>();
    for (TestSubscriber.Received r : subscriber.received()) {
      if (r.topic().endsWith("/status")) {
        continue;
      }
      JsonNode json = r.json();
      long seq = json.get("seq").asLong();
      Long before = lastSeq.put(r.topic(), seq);
      if (before != null) {
        assertThat(seq).as(r.topic()).isEqualTo(before + 1);
      }
      Instant t = Instant.parse(json.get("sourceTime").asText());
      Instant prev = lastTime.put(r.topic(), t);
      if (prev != null) {
        assertThat(t).as(r.topic()).isAfterOrEqualTo(prev);
      }
    }
  }

  @Test
  void theGatewayAnnouncesItselfOnlineWithARetainedStatus() throws Exception {
    TestSubscriber.Received status =
        subscriber.await(
            Duration.ofSeconds(5), "the status", m -> m.topic().equals(gateway.statusTopic()));
    assertThat(Schemas.violations(Schemas.STATUS, status.payload())).isEmpty();
    assertThat(status.json().get("state").asText()).isEqualTo("online");
    assertThat(gateway.statusTopic())
        .isEqualTo("ketenlink/v1/acme/ehv/hall-2/_gateway/it-gw/status");
  }

  @Test
  void aBadSignalIsPublishedWithBadQualityNotDropped() throws Exception {
    sim.faults().signalQuality("cnc1", "Monitoring/Power", Simulator.Quality.BAD);
    try {
      TestSubscriber.Received bad =
          subscriber.await(
              GatewayFixture.DATA_TIMEOUT,
              "a bad power value",
              m -> m.topic().equals(POWER) && m.json().get("quality").asText().equals("bad"));
      assertThat(bad.json().get("status").asText()).isEqualTo("0x808C0000");
      assertThat(Schemas.violations(Schemas.SAMPLE, bad.payload())).isEmpty();
    } finally {
      sim.faults().signalQuality("cnc1", "Monitoring/Power", Simulator.Quality.GOOD);
    }
  }

  @Test
  void dataResumesByItselfAfterTheMachineServerRestarts() throws Exception {
    subscriber.await(GatewayFixture.DATA_TIMEOUT, "speeds", m -> m.topic().equals(SPEED));
    long recoveriesBefore = source("cnc1").subscriptionRecoveries();
    sim.faults().restartServer(Duration.ofSeconds(1));
    long after = System.currentTimeMillis();
    TestSubscriber.Received resumed =
        subscriber.await(
            Duration.ofSeconds(40),
            "a speed after the restart",
            m -> m.topic().equals(SPEED) && m.receivedMillis() > after + 500);
    assertThat(resumed.json().get("quality").asText()).isEqualTo("good");
    assertThat(source("cnc1").subscriptionRecoveries()).isGreaterThan(recoveriesBefore);
    assertThat(source("cnc1").state()).isEqualTo(ConnectionState.CONNECTED);
  }

  @Test
  void theAdminServerReportsHealthReadinessMetricsAndStatus() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = gateway.adminUrl().orElseThrow();
    subscriber.await(GatewayFixture.DATA_TIMEOUT, "data", m -> m.topic().equals(SPEED));
    assertThat(get(http, base + "/health").statusCode()).isEqualTo(200);
    HttpResponse<String> metrics = get(http, base + "/metrics");
    assertThat(metric(metrics.body(), "ketenlink_source_values_received_total{source=\"cnc1\"}"))
        .isGreaterThan(0);
    assertThat(metric(metrics.body(), "ketenlink_link_messages_acknowledged_total{link=\"main\"}"))
        .isGreaterThan(0);
    assertThat(metric(metrics.body(), "ketenlink_source_connected{source=\"cnc1\"}"))
        .isEqualTo(1.0);
    assertThat(metric(metrics.body(), "ketenlink_pipeline_queue_size")).isGreaterThanOrEqualTo(0.0);
    assertThat(metrics.body())
        .contains("ketenlink_source_values_received_total{source=\"cnc1\"")
        .contains("ketenlink_link_messages_acknowledged_total{link=\"main\"")
        .contains("ketenlink_source_connected{source=\"cnc1\"}")
        .contains("ketenlink_publish_latency_seconds");
    HttpResponse<String> status = get(http, base + "/api/status");
    JsonNode json = Schemas.parse(status.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(json.get("gateway").asText()).isEqualTo("it-gw");
    assertThat(json.get("sources")).hasSize(2);
    assertThat(json.get("links").get(0).get("id").asText()).isEqualTo("main");
  }

  /** The value of one sample line of a Prometheus scrape. */
  private static double metric(String scrape, String series) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no series " + series + " in the scrape"));
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SourceStatus source(String id) {
    List<SourceStatus> all = gateway.status().sources();
    return all.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }
}
