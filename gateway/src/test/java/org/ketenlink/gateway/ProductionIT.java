package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.GroundTruth;
import org.ketenlink.simulator.GroundTruth.MachineTruth;
import org.ketenlink.simulator.Scenario;
import org.ketenlink.simulator.Simulator;

/**
 * The acceptance scenario for production data: three machines, several orders each, scrap,
 * breakdowns (random and from the fault timeline) and a counter reset, the simulator at 600 times
 * real time with a fixed seed. The gateway's periods must add up to the simulator's ground truth:
 * good and scrap exactly, running and breakdown time within the simulator's time resolution, and
 * OEE close to what the ground truth and the scenario's rates say.
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class ProductionIT {

  private static final String SITE = "ketenlink/v1/acme/ehv/hall-2/line1/";
  private static final String NS = GatewayFixture.NS;
  private static final String PARTNERS = "ketenlink/v1/partners/";
  private static final String SCENARIO =
      """
      name: Production acceptance
      line: {id: line1, name: Line 1}
      machines:
        - {id: cnc1, type: cnc-mill, idealCycleTime: 60s, performance: 0.9, scrapRate: 0.05,
           mtbf: 3h, mttr: 15m, changeover: 90m}
        - {id: mould1, type: injection-moulding, idealCycleTime: 40s, partsPerCycle: 4,
           performance: 0.95, scrapRate: 0.02, mtbf: 4h, mttr: 20m, changeover: 90m}
        - {id: pack1, type: packaging-line, idealCycleTime: 5s, performance: 0.9, scrapRate: 0.01,
           mtbf: 3h, mttr: 10m, changeover: 90m, microStopProbability: 0.01, microStopMean: 20s}
      orders:
        - {id: C-1, machine: cnc1, customer: ACME, article: flange, quantity: 60, due: 6h}
        - {id: C-2, machine: cnc1, customer: VELO, article: hub, quantity: 40, due: 9h}
        - {id: M-1, machine: mould1, customer: VELO, article: grip, quantity: 400, due: 6h}
        - {id: M-2, machine: mould1, customer: ACME, article: cap, quantity: 300, due: 9h}
        - {id: P-1, machine: pack1, customer: ACME, article: box, quantity: 1000, due: 6h}
        - {id: P-2, machine: pack1, customer: VELO, article: tray, quantity: 800, due: 9h}
      faults:
        - {at: 150m, type: breakdown, machine: cnc1, duration: 20m}
        - {at: 160m, type: breakdown, machine: mould1, duration: 25m}
        - {at: 170m, type: breakdown, machine: pack1, duration: 15m}
        - {at: 180m, type: counter-reset, machine: mould1}
      """;

  @TempDir Path dir;

  private static String source(
      String id, String tick, String ideal, int parts, String extraSignals) {
    return """
          - id: %1$s
            endpoint: "%%s"
            line: line1
            publishingInterval: 100ms
            signalDefaults: {samplingInterval: 0ms, queueSize: 100}
            profile: simulator    # state, counters, active order, alarms, orders object
            signals:
              - {name: tick, nodeId: "nsu=%2$s;s=line1/%1$s/Monitoring/%3$s"}
        %6$s
            production:
              idealCycleTime: %4$s
              partsPerCycle: %5$d
              interval: 10m
              performance: true
              shifts: {zone: UTC, starts: {a: "00:00", b: "04:00", c: "08:00", d: "12:00", e: "16:00", f: "20:00"}}
        """
        .formatted(id, NS, tick, ideal, parts, extraSignals);
  }

  @Test
  void periodsAddUpToTheGroundTruthAndOeeMatchesTheScenario() throws Exception {
    try (Simulator sim =
        Simulator.builder()
            .port(0)
            .pkiDir(dir.resolve("simulator-pki"))
            .scenario(Scenario.parse(SCENARIO, "production"))
            .seed(42)
            .timeScale(600)
            .tickInterval(Duration.ofMillis(20))
            .start()) {
      String sources =
          (source("cnc1", "SpindleSpeed", "60s", 1, "")
                  + source("mould1", "InjectionPressure", "40s", 4, "")
                  + source("pack1", "Speed", "5s", 1, ""))
              .replace("%s", sim.endpointUrl());
      String yaml =
          """
          gateway: {id: it-gw, enterprise: acme, site: ehv, area: hall-2}
          dataDir: data
          sources:
          %s
          links:
            - {id: main, broker: embedded}
          broker: {port: 0}
          admin: {port: 0}
          partners:
            - {id: acme, customers: [ACME]}
            - {id: velo, customers: [VELO]}
          agreements:
            - {id: acme-orders, partner: acme, purpose: p, redact: [asset],
               share: [line1/+/production/order, line1/+/production/performance, line1/cnc1/state/timeline]}
            - {id: velo-periods, partner: velo, purpose: p, share: [line1/+/production/interval]}
          """
              .formatted(sources);
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      GatewayFixture.trustEachOther(sim, config);
      // The first value of each machine's good counter, as the gateway takes it (a subscriber
      // connects only after the gateway has started).
      Map<String, Long> firstGood = new java.util.concurrent.ConcurrentHashMap<>();
      try (Gateway g =
              Gateway.start(
                  config,
                  java.time.Clock.systemUTC(),
                  n -> {
                    if (n.stream().name().equals("goodCount")
                        && n.value() instanceof org.ketenlink.connectors.api.Value.Int v) {
                      firstGood.putIfAbsent(n.stream().sourceId(), v.value());
                    }
                  });
          TestSubscriber s =
              new TestSubscriber("tcp://127.0.0.1:" + g.brokerPort().orElseThrow(), "oee")) {
        s.subscribe("ketenlink/v1/#"); // one filter: the site's and the partners' topics alike
        // Nothing was made before the gateway watched: the first changeover takes 90 min (9 s).
        GatewayFailuresIT.await(
            Duration.ofSeconds(20), "first counts", () -> firstGood.size() == 3);
        assertThat(firstGood)
            .as("every machine starts at 0")
            .containsOnly(Map.entry("cnc1", 0L), Map.entry("mould1", 0L), Map.entry("pack1", 0L));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!sim.groundTruth().orders().stream().allMatch(o -> o.state().equals("Ended"))) {
          assertThat(System.nanoTime() < deadline).as("every order ends").isTrue();
          Thread.sleep(200);
        }
        // Every order has ended: this is what happened. Idle machines say little, so after a
        // while a breakdown (a state change, in machine time) moves each machine's time on and
        // closes the periods; only periods that ended before it are compared.
        GroundTruth done = sim.groundTruth();
        Thread.sleep(3000); // 30 simulated minutes of idling
        Instant injected = sim.groundTruth().simulatedTime();
        for (String m : List.of("cnc1", "mould1", "pack1")) {
          sim.faults().breakdown(m, Duration.ofMinutes(30));
        }
        Thread.sleep(5000); // repaired after 30 simulated minutes: 3 s
        Instant compareUntil = injected.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.HOURS);
        while (compareUntil
            .plus(Duration.ofMinutes(10))
            .isBefore(injected.minus(Duration.ofMinutes(1)))) {
          compareUntil = compareUntil.plus(Duration.ofMinutes(10));
        }
        final Instant until = compareUntil;

        for (MachineTruth truth : done.machines()) {
          String m = truth.machineId();
          List<JsonNode> periods =
              s.on(SITE + m + "/production/interval").stream()
                  .peek(
                      r ->
                          assertThat(Schemas.violations(Schemas.PRODUCTION, r.payload())).isEmpty())
                  .map(TestSubscriber.Received::json)
                  .filter(p -> !Instant.parse(p.path("window").path("end").asText()).isAfter(until))
                  .toList();
          assertThat(periods).isNotEmpty();
          assertThat(periods.get(periods.size() - 1).path("window").path("end").asText())
              .as("every period up to the injected breakdown arrived")
              .isEqualTo(PayloadEncoder.TIME.format(until));
          for (int i = 1; i < periods.size(); i++) {
            assertThat(periods.get(i).path("window").path("start").asText())
                .as("periods follow each other")
                .isEqualTo(periods.get(i - 1).path("window").path("end").asText());
          }
          long good = periods.stream().mapToLong(p -> p.path("good").asLong()).sum();
          long scrap = periods.stream().mapToLong(p -> p.path("scrap").asLong()).sum();
          double running = seconds(periods, "running");
          double unplanned = seconds(periods, "unplannedStop");
          double operating = (truth.runTime().plus(truth.microStopTime()).toMillis()) / 1000.0;
          double down = truth.downTime().toMillis() / 1000.0;
          System.out.printf(
              "%s: good %d/%d scrap %d/%d, running %.0f/%.0f s, unplanned %.0f/%.0f s,"
                  + " breakdowns %d%n",
              m,
              good,
              truth.good(),
              scrap,
              truth.scrap(),
              running,
              operating,
              unplanned,
              down,
              truth.breakdowns());
          assertThat(good).as(m + " good parts").isEqualTo(truth.good());
          assertThat(scrap).as(m + " scrap").isEqualTo(truth.scrap());
          assertThat(truth.breakdowns()).as(m + " had breakdowns").isPositive();
          // State changes carry the simulator's step time: 12 simulated seconds at 600x, 20 ms.
          double resolution = 12.0 * (2 * truth.breakdowns() + 6);
          assertThat(running).as(m + " running seconds").isCloseTo(operating, within(resolution));
          assertThat(unplanned).as(m + " unplanned seconds").isCloseTo(down, within(resolution));

          double availability = running / (running + unplanned);
          double ideal = truth.idealCycleTime().toMillis() / 1000.0 / truth.partsPerCycle();
          double performance = (good + scrap) * ideal / running;
          double quality = good / (double) (good + scrap);
          double truthAvailability = operating / (operating + down);
          double truthPerformance =
              truth.cycles() * truth.idealCycleTime().toMillis() / 1000.0 / operating;
          double truthQuality = truth.good() / (double) (truth.good() + truth.scrap());
          System.out.printf(
              "%s: OEE %.3f x %.3f x %.3f = %.3f; ground truth %.3f x %.3f x %.3f = %.3f%n",
              m,
              availability,
              performance,
              quality,
              availability * performance * quality,
              truthAvailability,
              truthPerformance,
              truthQuality,
              truthAvailability * truthPerformance * truthQuality);
          assertThat(availability).isCloseTo(truthAvailability, within(0.01));
          assertThat(performance).isCloseTo(truthPerformance, within(0.03));
          assertThat(quality).isEqualTo(truthQuality);
          // And the scenario's rates (docs/simulator.md): performance and quality, statistically.
          Map<String, double[]> rates =
              Map.of(
                  "cnc1", new double[] {0.9, 0.05},
                  "mould1", new double[] {0.95, 0.02},
                  "pack1", new double[] {0.9, 0.01});
          double m0 = m.equals("pack1") ? 0.01 * 20 * 0.9 / 5 : 0;
          assertThat(performance).isCloseTo(rates.get(m)[0] / (1 + m0), within(0.03));
          double n = good + scrap;
          double p = rates.get(m)[1];
          assertThat(quality).isCloseTo(1 - p, within(4 * Math.sqrt(p * (1 - p) / n) + 1e-9));
        }

        // OEE per order: its own counts, the time while it was the machine's active order.
        for (MachineTruth truth : done.machines()) {
          List<JsonNode> orders =
              s.on(SITE + truth.machineId() + "/production/order").stream()
                  .peek(
                      r ->
                          assertThat(Schemas.violations(Schemas.PRODUCTION, r.payload())).isEmpty())
                  .map(TestSubscriber.Received::json)
                  .toList();
          assertThat(orders)
              .extracting(n -> n.path("window").path("name").asText())
              .containsExactlyInAnyOrderElementsOf(
                  done.orders().stream()
                      .filter(o -> o.machineId().equals(truth.machineId()))
                      .map(o -> o.orderId())
                      .toList());
          for (JsonNode o : orders) {
            var t = done.order(o.path("window").path("name").asText()).orElseThrow();
            assertThat(o.path("good").asLong()).isEqualTo(t.good());
            assertThat(o.path("scrap").asLong()).isEqualTo(t.scrap());
            assertThat(o.path("window").path("end").asText())
                .isEqualTo(PayloadEncoder.TIME.format(t.end().orElseThrow()));
            assertThat(o.path("availability").asDouble()).isBetween(0.3, 1.0);
            assertThat(o.path("oee").asDouble()).isBetween(0.3, 1.0);
            System.out.printf(
                "%s %s: good %d scrap %d, OEE %.3f x %.3f x %.3f = %.3f%n",
                truth.machineId(),
                t.orderId(),
                o.path("good").asLong(),
                o.path("scrap").asLong(),
                o.path("availability").asDouble(),
                o.path("performance").asDouble(),
                o.path("quality").asDouble(),
                o.path("oee").asDouble());
          }
          double ordersRunning = seconds(orders, "running");
          double operating = truth.runTime().plus(truth.microStopTime()).toMillis() / 1000.0;
          assertThat(ordersRunning)
              .as(truth.machineId() + ": all running time belongs to an order")
              .isCloseTo(operating, within(12.0 * (2 * truth.breakdowns() + 8)));
        }

        // ISA-95 production performance per order: the machine's counts, valid against its schema.
        for (var t : done.orders()) {
          List<JsonNode> perf =
              s.on(SITE + t.machineId() + "/production/performance").stream()
                  .peek(
                      r ->
                          assertThat(Schemas.violations(Schemas.PERFORMANCE, r.payload()))
                              .isEmpty())
                  .map(TestSubscriber.Received::json)
                  .filter(n -> n.path("order").asText().equals(t.orderId()))
                  .toList();
          assertThat(perf).as(t.orderId() + " performance").hasSize(1);
          JsonNode response = perf.get(0).path("ProductionPerformance").path("ProductionResponse");
          assertThat(response.path(0).path("ResponseState").asText()).isEqualTo("Completed");
          JsonNode segment = response.path(0).path("SegmentResponse").path(0);
          JsonNode made = segment.path("MaterialProducedActual");
          assertThat(made.path(0).path("MaterialDefinitionID").asText()).isEqualTo(t.article());
          assertThat(made.path(0).path("Quantity").path(0).path("QuantityString").asLong())
              .as(t.orderId() + " good")
              .isEqualTo(t.good());
          assertThat(made.path(1).path("Quantity").path(0).path("QuantityString").asLong())
              .as(t.orderId() + " scrap")
              .isEqualTo(t.scrap());
          assertThat(segment.path("ActualEndTime").asText())
              .isEqualTo(PayloadEncoder.TIME.format(t.end().orElseThrow()));
        }

        // Partners: ACME its own orders' periods and performance and the CNC's timeline, without
        // the asset; VELO every machine's intervals. Each view numbered on its own.
        String acme = PARTNERS + "acme/acme/ehv/hall-2/line1/";
        List<String> acmeOrders =
            done.orders().stream()
                .filter(o -> o.customer().equals("ACME"))
                .map(o -> o.orderId())
                .sorted()
                .toList();
        List<String> sharedPeriods =
            s.received().stream()
                .filter(r -> r.topic().startsWith(acme) && r.topic().endsWith("/production/order"))
                .peek(
                    r -> assertThat(Schemas.violations(Schemas.PRODUCTION, r.payload())).isEmpty())
                .map(r -> r.json().path("window").path("name").asText())
                .sorted()
                .toList();
        assertThat(sharedPeriods).as("ACME's order periods").isEqualTo(acmeOrders);
        List<String> sharedPerformance =
            s.received().stream()
                .filter(r -> r.topic().startsWith(acme) && r.topic().endsWith("/performance"))
                .peek(
                    r -> assertThat(Schemas.violations(Schemas.PERFORMANCE, r.payload())).isEmpty())
                .map(r -> r.json().path("order").asText())
                .sorted()
                .toList();
        assertThat(sharedPerformance).as("ACME's order performance").isEqualTo(acmeOrders);
        List<TestSubscriber.Received> acmeTimeline = s.on(acme + "cnc1/state/timeline");
        // Every change after the first (which may have gone out before the subscriber was there).
        List<String> siteChanges =
            s.on(SITE + "cnc1/state/timeline").stream()
                .map(r -> r.json().path("since").asText())
                .toList();
        assertThat(acmeTimeline)
            .extracting(r -> r.json().path("since").asText())
            .containsAll(siteChanges.subList(1, siteChanges.size()));
        assertThat(acmeTimeline)
            .allSatisfy(
                r -> {
                  assertThat(Schemas.violations(Schemas.STATE, r.payload())).isEmpty();
                  assertThat(r.json().has("asset")).isFalse();
                  assertThat(r.json().path("partner").asText()).isEqualTo("acme");
                });
        assertThat(
                s.received().stream()
                    .map(TestSubscriber.Received::topic)
                    .filter(t -> t.startsWith(PARTNERS + "acme/"))
                    .distinct())
            .as("nothing else for ACME")
            .allMatch(
                t ->
                    t.endsWith("/production/order")
                        || t.endsWith("/production/performance")
                        || t.equals(acme + "cnc1/state/timeline"));
        for (String m : List.of("cnc1", "mould1", "pack1")) {
          List<TestSubscriber.Received> velo =
              s.on(PARTNERS + "velo/acme/ehv/hall-2/line1/" + m + "/production/interval");
          // Every period after the first (which may have gone out before the subscriber was there).
          List<String> siteIntervals =
              s.on(SITE + m + "/production/interval").stream()
                  .map(r -> r.json().path("window").path("start").asText())
                  .toList();
          assertThat(velo)
              .extracting(r -> r.json().path("window").path("start").asText())
              .as(m + " intervals for VELO")
              .containsAll(siteIntervals.subList(1, siteIntervals.size()));
          List<Long> seqs = velo.stream().map(r -> r.json().path("seq").asLong()).toList();
          assertThat(seqs.get(0)).as("VELO's own numbering, from 1").isBetween(1L, 2L);
          for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i))
                .as("VELO's own numbering, no gap")
                .isEqualTo(seqs.get(i - 1) + 1);
          }
        }

        // The state timeline: every change says what it ended.
        List<JsonNode> timeline =
            s.on(SITE + "cnc1/state/timeline").stream().map(TestSubscriber.Received::json).toList();
        assertThat(timeline)
            .extracting(n -> n.path("category").asText())
            .contains("running", "unplannedStop", "plannedStop");
        assertThat(s.on(SITE + "cnc1/state/timeline"))
            .allSatisfy(r -> assertThat(Schemas.violations(Schemas.STATE, r.payload())).isEmpty());
        assertThat(s.on(SITE + "cnc1/production/shift")).isNotEmpty();
      }
    }
  }

  private static double seconds(List<JsonNode> periods, String category) {
    return periods.stream().mapToDouble(p -> p.path("seconds").path(category).asDouble()).sum();
  }
}
