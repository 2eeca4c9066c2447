package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/**
 * Batched sources over real OPC UA and a real broker: one {@code ketenlink.batch/1} message per
 * publishing cycle, every value in exactly one batch, retained streams still on their own topic.
 */
class BatchIT {

  static final String BASE = "ketenlink/v1/acme/ehv/hall-2/";
  static final String LOAD_BATCH = BASE + "load/load1/batch";
  static final String CNC_BATCH = BASE + "line1/cnc1/batch";
  static final int VARIABLES = 50;

  @TempDir static Path dir;
  static Simulator sim;
  static Gateway gateway;
  static TestSubscriber subscriber;

  /** What the gateway normalised, per stream topic: sequence number → value as JSON text. */
  static final ConcurrentMap<String, Map<Long, String>> normalised = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    sim = GatewayFixture.simulatorWithLoad(dir, VARIABLES, Duration.ofMillis(100));
    String yaml =
        GatewayFixture.withLoadSource(
                GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals()),
                sim,
                VARIABLES)
            .replace("    line: load\n", "    line: load\n    batch: true\n")
            .replace(
                "    line: line1\n    publishingInterval: 100ms\n    nodeRetryInterval: 1s\n",
                "    line: line1\n    publishingInterval: 100ms\n    nodeRetryInterval: 1s\n"
                    + "    batch: true\n");
    GatewayConfig config = GatewayFixture.load(dir, yaml);
    assertThat(config.sources())
        .extracting(GatewayConfig.SourceConfig::batch)
        .containsExactly(true, false, true);
    GatewayFixture.trustEachOther(sim, config);
    gateway =
        Gateway.start(
            config,
            Clock.systemUTC(),
            n ->
                normalised
                    .computeIfAbsent(n.stream().topic(), t -> new ConcurrentHashMap<>())
                    .put(n.seq(), n.value().toString()));
    subscriber =
        new TestSubscriber("tcp://127.0.0.1:" + gateway.brokerPort().orElseThrow(), "batch-sub")
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
  void eachPublishingCycleIsOneMessageAndEveryValueIsInExactlyOneBatch() throws Exception {
    subscriber.await(
        GatewayFixture.DATA_TIMEOUT,
        "30 load batches",
        m -> subscriber.on(LOAD_BATCH).size() >= 30);
    List<TestSubscriber.Received> batches = subscriber.on(LOAD_BATCH);
    Map<String, List<Long>> seqsBySignal = new HashMap<>();
    List<Integer> counts = new ArrayList<>();
    long previous = -1;
    for (TestSubscriber.Received r : batches) {
      assertThat(Schemas.violations(Schemas.BATCH, r.payload())).isEmpty();
      assertThat(r.userProperties()).containsEntry("schema", "ketenlink.batch/1");
      assertThat(r.retained()).isFalse();
      JsonNode json = r.json();
      assertThat(json.get("source").asText()).isEqualTo("load1");
      assertThat(json.get("asset").asText()).isEqualTo("acme/ehv/hall-2/load/load1");
      long seq = json.get("seq").asLong();
      if (previous >= 0) {
        assertThat(seq).as("batch numbers without gaps").isEqualTo(previous + 1);
      }
      previous = seq;
      JsonNode values = json.get("values");
      assertThat(json.get("count").asInt()).isEqualTo(values.size());
      counts.add(values.size());
      for (JsonNode v : values) {
        String topic = BASE + "load/load1/data/" + v.get("signal").asText();
        seqsBySignal.computeIfAbsent(topic, t -> new ArrayList<>()).add(v.get("seq").asLong());
        assertThat(normalised.get(topic))
            .as("what the gateway normalised for %s", topic)
            .containsKey(v.get("seq").asLong());
      }
    }
    // Every load variable changes once per 100 ms and is published every 100 ms: a cycle holds
    // each of them about once.
    assertThat(seqsBySignal).hasSize(VARIABLES);
    List<Integer> sorted = counts.stream().sorted().toList();
    assertThat(sorted.get(sorted.size() / 2)).as("median values per batch").isEqualTo(VARIABLES);
    // Consecutive batches carry each signal's values with no gap and no repeat.
    seqsBySignal.forEach(
        (topic, seqs) -> {
          for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).as(topic).isEqualTo(seqs.get(i - 1) + 1);
          }
        });
    assertThat(subscriber.received())
        .as("no per-value messages for a batched source's unretained streams")
        .noneMatch(m -> m.topic().startsWith(BASE + "load/load1/data/"))
        .noneMatch(m -> m.topic().startsWith(BASE + "line1/cnc1/data/"));
  }

  @Test
  void retainedStreamsOfABatchedSourceKeepTheirOwnTopicAndAreInTheBatchToo() throws Exception {
    subscriber.await(
        GatewayFixture.DATA_TIMEOUT,
        "the cnc state on its own topic",
        m -> m.topic().equals(BASE + "line1/cnc1/state/state"));
    // A state change while this subscriber listens (the first state may have been published, in
    // its batch, before it connected, and come to it only as the broker's retained message).
    sim.faults().breakdown("cnc1", Duration.ofSeconds(2));
    TestSubscriber.Received state =
        subscriber.await(
            GatewayFixture.DATA_TIMEOUT,
            "a live cnc state change on its own topic",
            m -> m.topic().equals(BASE + "line1/cnc1/state/state") && !m.retained());
    assertThat(Schemas.violations(Schemas.SAMPLE, state.payload())).isEmpty();
    long seq = state.json().get("seq").asLong();
    TestSubscriber.Received batch =
        subscriber.await(
            GatewayFixture.DATA_TIMEOUT,
            "the cnc batch with that state",
            m -> {
              if (!m.topic().equals(CNC_BATCH)) {
                return false;
              }
              for (JsonNode v : m.json().get("values")) {
                if (v.get("signal").asText().equals("state") && v.get("seq").asLong() == seq) {
                  return true;
                }
              }
              return false;
            });
    assertThat(Schemas.violations(Schemas.BATCH, batch.payload())).isEmpty();
    // An unbatched source on the same gateway is unchanged.
    subscriber.await(
        GatewayFixture.DATA_TIMEOUT,
        "pack1's count on its own topic",
        m -> m.topic().equals(BASE + "line1/pack1/data/processedCount"));
    assertThat(subscriber.received()).noneMatch(m -> m.topic().equals(BASE + "line1/pack1/batch"));
  }
}
