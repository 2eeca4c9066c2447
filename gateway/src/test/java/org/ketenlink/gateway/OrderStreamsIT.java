package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.GroundTruth.OrderTruth;
import org.ketenlink.simulator.Scenario;
import org.ketenlink.simulator.Simulator;

/**
 * Order streams against the simulator running 60 times faster than real time: every order's life as
 * events on its own retained topic, counts equal to the simulator's ground truth, partners seeing
 * only their own orders, and neither a Bad count nor a gateway restart mid-order producing a count
 * that goes back or an event told twice.
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class OrderStreamsIT {

  private static final String SITE = "ketenlink/v1/acme/ehv/hall-2/line1/";
  private static final String PARTNERS = "ketenlink/v1/partners/";
  private static final String SCENARIO =
      """
      name: Order streams
      line: {id: line1, name: Line 1}
      machines:
        - {id: cnc1, type: cnc-mill, idealCycleTime: 20s, performance: 1, scrapRate: 0.1}
        - {id: pack1, type: packaging-line, idealCycleTime: 1s, performance: 0.9, scrapRate: 0.01}
      orders:
        - {id: A-1, machine: cnc1, customer: ACME, article: flange, quantity: 30, due: 1h}
        - {id: V-1, machine: cnc1, customer: VELO, article: hub, quantity: 30, due: 10m}
        - {id: A-2, machine: pack1, customer: ACME, article: lid, quantity: 1000000, due: 1d}
        - {id: A-3, machine: pack1, customer: ACME, article: box, quantity: 50, due: 2d, released: false}
      """;

  @TempDir Path dir;

  private Simulator simulator() {
    return Simulator.builder()
        .port(0)
        .pkiDir(dir.resolve("simulator-pki"))
        .scenario(Scenario.parse(SCENARIO, "order-streams"))
        .seed(11)
        .timeScale(60)
        .start();
  }

  private GatewayConfig config(Simulator sim) throws Exception {
    String yaml =
        GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
                .replace(
                    "    nodeRetryInterval: 1s\n",
                    "    nodeRetryInterval: 1s\n"
                        + "    orders: {nodeId: \"nsu=%s;s=line1/cnc1/Orders\", pollInterval: 200ms, progressParts: 10}\n"
                            .formatted(GatewayFixture.NS))
                .replace(
                    "    line: line1\n    publishingInterval: 100ms\n    signals:\n",
                    "    line: line1\n    publishingInterval: 100ms\n"
                        + "    orders: {browsePath: {namespace: \"%s\", path: line1/pack1/Orders}, pollInterval: 200ms, progressParts: 500}\n"
                            .formatted(GatewayFixture.NS)
                        + "    signals:\n")
            + """
            partners:
              - {id: acme, customers: [ACME]}
              - {id: velo, customers: [VELO]}
              - {id: logi, name: The site's logistics provider}
            agreements:
              - {id: acme-orders, partner: acme, purpose: p, share: [line1/+/order/#], redact: [asset]}
              - {id: velo-orders, partner: velo, purpose: p, share: [line1/cnc1/order/#]}
              - {id: logi-all, partner: logi, purpose: p, share: [line1/+/order/#], orders: all}
            """;
    GatewayConfig config = GatewayFixture.load(dir, yaml);
    GatewayFixture.trustEachOther(sim, config);
    return config;
  }

  /**
   * The topic's events as a consumer keeps them (each valid against the schema): a (run, seq) seen
   * before is dropped — a QoS 1 redelivery, or the retained copy of a message that also arrived
   * live while subscribing.
   */
  private static List<JsonNode> events(TestSubscriber s, String topic) {
    List<JsonNode> out = new ArrayList<>();
    for (TestSubscriber.Received r : s.on(topic)) {
      assertThat(Schemas.violations(Schemas.ORDER, r.payload())).as(topic).isEmpty();
      assertThat(r.userProperties()).containsEntry("schema", "ketenlink.order/1");
      out.add(r.json());
    }
    return distinct(out);
  }

  /** The events without a (run, seq) seen before. */
  private static List<JsonNode> distinct(List<JsonNode> events) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    return events.stream()
        .filter(n -> seen.add(n.path("run").asText() + "/" + n.path("seq").asLong()))
        .toList();
  }

  private static List<String> kinds(List<JsonNode> events) {
    return events.stream().map(n -> n.path("event").asText()).toList();
  }

  /**
   * Within one run: seq 1, 2, 3 ... and counts that never go back — after dropping what a consumer
   * drops as documented: a seq already seen in that run (a QoS 1 redelivery, or the retained copy
   * of a message that also arrived live while subscribing).
   */
  private static void assertOrderly(List<JsonNode> events) {
    Map<String, Long> lastSeq = new java.util.HashMap<>();
    List<JsonNode> distinct = new ArrayList<>();
    for (JsonNode n : events) {
      String run = n.path("run").asText();
      long seq = n.path("seq").asLong();
      long last = lastSeq.getOrDefault(run, 0L);
      if (seq <= last) {
        continue;
      }
      assertThat(seq).as("run %s: no gap after seq %d", run, last).isEqualTo(last + 1);
      lastSeq.put(run, seq);
      distinct.add(n);
    }
    for (int i = 1; i < distinct.size(); i++) {
      assertThat(distinct.get(i).path("good").asLong())
          .isGreaterThanOrEqualTo(distinct.get(i - 1).path("good").asLong());
      assertThat(distinct.get(i).path("scrap").asLong())
          .isGreaterThanOrEqualTo(distinct.get(i - 1).path("scrap").asLong());
    }
  }

  @Test
  void everyOrdersLifeIsPublishedWithTheMachinesCountsAndSharedOnlyWithItsCustomer()
      throws Exception {
    try (Simulator sim = simulator();
        Gateway g = Gateway.start(config(sim));
        TestSubscriber all =
            new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "all")) {
      all.subscribe(SITE + "+/order/#").subscribe(PARTNERS + "#");
      all.await(
          Duration.ofSeconds(90),
          "V-1 completed",
          m ->
              m.topic().equals(SITE + "cnc1/order/V-1")
                  && m.json().path("event").asText().equals("completed"));
      Thread.sleep(500);

      List<JsonNode> a1 = events(all, SITE + "cnc1/order/A-1");
      List<JsonNode> v1 = events(all, SITE + "cnc1/order/V-1");
      List<JsonNode> a3 = events(all, SITE + "pack1/order/A-3");
      assertThat(kinds(a1)).startsWith("status").endsWith("completed").contains("progress");
      assertThat(kinds(v1)).startsWith("status").endsWith("completed").contains("started");
      assertThat(kinds(v1).subList(0, kinds(v1).indexOf("started"))).doesNotContain("progress");
      assertThat(kinds(a3)).containsExactly("status");
      assertOrderly(a1);
      assertOrderly(v1);
      for (String id : List.of("A-1", "V-1")) {
        OrderTruth truth = sim.groundTruth().order(id).orElseThrow();
        JsonNode done = (id.equals("A-1") ? a1 : v1).get((id.equals("A-1") ? a1 : v1).size() - 1);
        assertThat(truth.state()).isEqualTo("Ended");
        assertThat(done.path("good").asLong()).as(id + " good").isEqualTo(truth.good());
        assertThat(done.path("scrap").asLong()).as(id + " scrap").isEqualTo(truth.scrap());
        assertThat(done.path("state").asText()).isEqualTo("Ended");
        assertThat(done.path("customer").asText()).isEqualTo(truth.customer());
        assertThat(done.path("projectedEnd").asText()).isEqualTo(done.path("end").asText());
      }
      assertThat(v1.get(v1.size() - 1).path("atRisk").asBoolean())
          .as("V-1 was due 10 min after the start, behind A-1's hour of work")
          .isTrue();

      // Partners: only their own orders, unless the agreement says all.
      List<String> acme =
          all.received().stream()
              .map(TestSubscriber.Received::topic)
              .filter(t -> t.startsWith(PARTNERS + "acme/"))
              .distinct()
              .toList();
      assertThat(acme)
          .contains(PARTNERS + "acme/acme/ehv/hall-2/line1/cnc1/order/A-1")
          .noneMatch(t -> t.endsWith("/V-1"));
      assertThat(
              all.received().stream()
                  .map(TestSubscriber.Received::topic)
                  .filter(t -> t.startsWith(PARTNERS + "velo/"))
                  .distinct())
          .containsExactly(PARTNERS + "velo/acme/ehv/hall-2/line1/cnc1/order/V-1");
      assertThat(
              all.received().stream()
                  .map(TestSubscriber.Received::topic)
                  .filter(t -> t.startsWith(PARTNERS + "logi/"))
                  .distinct())
          .contains(
              PARTNERS + "logi/acme/ehv/hall-2/line1/cnc1/order/V-1",
              PARTNERS + "logi/acme/ehv/hall-2/line1/cnc1/order/A-1",
              PARTNERS + "logi/acme/ehv/hall-2/line1/pack1/order/A-3");
      List<JsonNode> acmeA1 = events(all, PARTNERS + "acme/acme/ehv/hall-2/line1/cnc1/order/A-1");
      assertThat(acmeA1).isNotEmpty().allSatisfy(n -> assertThat(n.has("asset")).isFalse());
      assertThat(acmeA1.get(0).path("agreement").asText()).isEqualTo("acme-orders");
      assertThat(kinds(acmeA1)).isEqualTo(kinds(a1));

      // The topic keeps the latest status for whoever comes later.
      try (TestSubscriber late =
          new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "late")) {
        late.subscribe(SITE + "cnc1/order/A-1");
        TestSubscriber.Received r =
            late.await(Duration.ofSeconds(10), "the retained status", m -> true);
        assertThat(r.retained()).isTrue();
        assertThat(r.json().path("event").asText()).isEqualTo("completed");
      }
    }
  }

  @Test
  void aBadCountAndAGatewayRestartMidOrderNeitherTakeCountsBackNorRepeatEvents() throws Exception {
    try (Simulator sim = simulator()) {
      GatewayConfig config = config(sim);
      String topic = SITE + "pack1/order/A-2";
      List<JsonNode> before;
      try (Gateway g = Gateway.start(config);
          TestSubscriber s =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "first")) {
        s.subscribe(topic);
        s.await(
            Duration.ofSeconds(60),
            "progress of A-2",
            m -> m.json().path("event").asText().equals("progress"));
        sim.faults().signalQuality("pack1", "Orders/A-2/GoodQuantity", Simulator.Quality.BAD);
        Thread.sleep(1500); // several polls read a Bad good count
        sim.faults().signalQuality("pack1", "Orders/A-2/GoodQuantity", Simulator.Quality.GOOD);
        int seen = s.on(topic).size();
        s.await(
            Duration.ofSeconds(60),
            "progress after the Bad value",
            m -> s.on(topic).size() > seen + 1);
        before = events(s, topic);
      }
      Thread.sleep(2000); // production goes on while the gateway is away
      try (Gateway g = Gateway.start(config);
          TestSubscriber s =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "second")) {
        s.subscribe(topic);
        String firstRun = before.get(0).path("run").asText();
        s.await(
            Duration.ofSeconds(60),
            "progress in the new run",
            m ->
                !m.json().path("run").asText().equals(firstRun)
                    && m.json().path("event").asText().equals("progress"));
        List<JsonNode> after =
            events(s, topic).stream()
                .filter(n -> !n.path("run").asText().equals(firstRun))
                .toList();
        assertThat(kinds(before)).startsWith("status").doesNotContain("created", "started");
        assertThat(kinds(after))
            .as("the restart knows A-2: no second status, created or started")
            .containsOnly("progress");
        List<JsonNode> both = new ArrayList<>(before);
        both.addAll(after);
        assertOrderly(both);
        assertThat(both).allSatisfy(n -> assertThat(n.path("good").asLong()).isPositive());
        assertThat(after.get(after.size() - 1).path("good").asLong())
            .isLessThanOrEqualTo(sim.groundTruth().order("A-2").orElseThrow().good());
      }
    }
  }
}
