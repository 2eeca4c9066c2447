package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.GroundTruth.OrderTruth;
import org.ketenlink.simulator.Scenario;
import org.ketenlink.simulator.Simulator;

/**
 * Partners' order commands end to end: a partner with a client certificate publishes on its command
 * topic of the embedded broker, the gateway applies what its agreement allows through the
 * simulator's order methods over OPC UA, and answers on the partner's reply topic. The simulator's
 * ground truth shows what really changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class OrderCommandsIT {

  private static final String PARTNERS = "ketenlink/v1/partners/";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String SCENARIO =
      """
      name: Order commands
      line: {id: line1, name: Line 1}
      machines:
        - {id: cnc1, type: cnc-mill, idealCycleTime: 20s, performance: 0.9, scrapRate: 0.05}
        - {id: pack1, type: packaging-line, idealCycleTime: 1s, performance: 0.9, scrapRate: 0.01}
      orders:
        - {id: A-1, machine: cnc1, customer: ACME, article: flange, quantity: 100000, due: 1d}
        - {id: A-2, machine: cnc1, customer: ACME, article: hub, quantity: 50, due: 2d, released: false}
        - {id: A-3, machine: pack1, customer: ACME, article: lid, quantity: 70, due: 2d, released: false}
        - {id: V-1, machine: pack1, customer: VELO, article: box, quantity: 1000000, due: 1d}
      """;

  @TempDir static Path dir;
  Simulator sim;
  Gateway gateway;
  TestSubscriber acme;
  TestSubscriber velo;
  final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  void start() throws Exception {
    BrokerTestPki.Issued ca = BrokerTestPki.ca("Fieldlab CA");
    BrokerTls files =
        BrokerTestPki.writeBrokerFiles(
            Files.createDirectories(dir.resolve("certs")), BrokerTestPki.server(ca), ca);
    sim =
        Simulator.builder()
            .port(0)
            .pkiDir(dir.resolve("simulator-pki"))
            .scenario(Scenario.parse(SCENARIO, "order-commands"))
            .seed(5)
            .start();
    String yaml =
        GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
                .replace(
                    "broker: {port: 0}",
                    "broker: {port: 0, tls: {certificate: %s, privateKey: %s, clientCa: %s}}"
                        .formatted(files.certificate(), files.privateKey(), files.clientCa()))
                .replace(
                    "    nodeRetryInterval: 1s\n",
                    "    nodeRetryInterval: 1s\n    orders: {nodeId: \"nsu=%s;s=line1/cnc1/Orders\"}\n"
                        .formatted(GatewayFixture.NS))
                .replace(
                    "    line: line1\n    publishingInterval: 100ms\n    signals:\n",
                    "    line: line1\n    publishingInterval: 100ms\n"
                        + "    orders: {browsePath: {namespace: \"%s\", path: line1/pack1/Orders}}\n"
                            .formatted(GatewayFixture.NS)
                        + "    signals:\n")
            + """
            partners:
              - {id: acme, customers: [ACME]}
              - {id: velo, customers: [VELO]}
            agreements:
              - id: acme-orders
                partner: acme
                purpose: ACME adjusts its own orders
                share: [line1/cnc1/data/goodCount]
                commands: {allow: [changeQuantity, changeDueDate, hold, status], perMinute: 600, burst: 20}
              - id: velo-status
                partner: velo
                purpose: VELO asks where its orders stand
                share: [line1/cnc1/state/state]
                commands: {allow: [status], perMinute: 1, burst: 3}
            audit: {interval: 1s}
            """;
    GatewayConfig config = GatewayFixture.load(dir, yaml);
    assertThat(config.sources().get(0).orders()).isPresent();
    assertThat(config.sources().get(1).orders()).isPresent();
    GatewayFixture.trustEachOther(sim, config);
    gateway = Gateway.start(config);
    String url = "ssl://127.0.0.1:" + gateway.brokerPort().orElseThrow();
    acme =
        TestSubscriber.overTls(url, "acme-erp", ca, BrokerTestPki.client(ca, "acme"))
            .subscribe(PARTNERS + "acme/_replies");
    velo =
        TestSubscriber.overTls(url, "velo-erp", ca, BrokerTestPki.client(ca, "velo"))
            .subscribe(PARTNERS + "velo/_replies");
    // The gateway subscribes once its link is up and the sources have sessions.
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode ready = null;
    while (System.nanoTime() < deadline) {
      ready =
          command(acme, "acme", "{\"requestId\":\"%s\",\"command\":\"status\",\"order\":\"A-2\"}");
      if (ready != null && !ready.path("reason").asText().equals("machine-unavailable")) {
        break;
      }
    }
    assertThat(ready).as("the gateway answers commands").isNotNull();
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {acme, velo, gateway, sim}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  /**
   * Publishes {@code template} (its {@code %s} is a fresh request id) and waits for the reply with
   * that id; null if none came within 3 s.
   */
  private JsonNode command(TestSubscriber partner, String id, String template) throws Exception {
    String requestId = "r-" + ids.incrementAndGet();
    return send(partner, id, template.formatted(requestId), requestId, Duration.ofSeconds(3));
  }

  private JsonNode send(
      TestSubscriber partner, String id, String payload, String requestId, Duration timeout)
      throws Exception {
    int before = partner.on(PARTNERS + id + "/_replies").size();
    assertThat(partner.tryPublish(PARTNERS + id + "/_commands/orders", payload)).isZero();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<TestSubscriber.Received> replies = partner.on(PARTNERS + id + "/_replies");
      for (TestSubscriber.Received r : replies.subList(before, replies.size())) {
        JsonNode n = r.json();
        if (requestId == null
            ? n.path("requestId").isNull()
            : requestId.equals(n.path("requestId").asText())) {
          assertThat(Schemas.violations(Schemas.REPLY, r.payload())).isEmpty();
          assertThat(r.userProperties()).containsEntry("schema", "ketenlink.reply/1");
          return n;
        }
      }
      Thread.sleep(20);
    }
    return null;
  }

  private JsonNode reply(TestSubscriber partner, String id, String template) throws Exception {
    String requestId = "r-" + ids.incrementAndGet();
    JsonNode n = send(partner, id, template.formatted(requestId), requestId, WAIT);
    assertThat(n).as("a reply to %s", requestId).isNotNull();
    return n;
  }

  private OrderTruth truth(String order) {
    return sim.groundTruth().order(order).orElseThrow();
  }

  @Test
  void anAllowedChangeReachesTheMachineAndTheOutcomeIsPublished() throws Exception {
    JsonNode r =
        reply(
            acme,
            "acme",
            "{\"requestId\":\"%s\",\"command\":\"changeQuantity\",\"order\":\"A-2\",\"quantity\":77}");
    assertThat(r.path("outcome").asText()).isEqualTo("applied");
    assertThat(r.path("orderStatus").path("planned").asLong()).isEqualTo(77);
    assertThat(r.path("orderStatus").path("machine").asText()).isEqualTo("cnc1");
    assertThat(r.path("orderStatus").path("customer").asText()).isEqualTo("ACME");
    assertThat(truth("A-2").planned()).isEqualTo(77);

    Instant due = Instant.parse("2027-02-01T08:00:00Z");
    r =
        reply(
            acme,
            "acme",
            "{\"requestId\":\"%s\",\"command\":\"changeDueDate\",\"order\":\"A-3\",\"due\":\"2027-02-01T09:00:00+01:00\"}");
    assertThat(r.path("outcome").asText()).isEqualTo("applied");
    assertThat(r.path("orderStatus").path("machine").asText()).isEqualTo("pack1");
    assertThat(truth("A-3").due()).isEqualTo(due);

    r = reply(acme, "acme", "{\"requestId\":\"%s\",\"command\":\"hold\",\"order\":\"A-1\"}");
    assertThat(r.path("outcome").asText()).isEqualTo("applied");
    assertThat(truth("A-1").state()).isEqualTo("Interrupted");
    r = reply(acme, "acme", "{\"requestId\":\"%s\",\"command\":\"status\",\"order\":\"A-1\"}");
    assertThat(r.path("orderStatus").path("state").asText()).isEqualTo("Interrupted");
    assertThat(r.path("orderStatus").path("good").asLong()).isEqualTo(truth("A-1").good());

    // The machine's own rules still hold: holding an order that is not running is refused.
    r = reply(acme, "acme", "{\"requestId\":\"%s\",\"command\":\"hold\",\"order\":\"A-2\"}");
    assertThat(r.path("outcome").asText()).isEqualTo("rejected");
    assertThat(r.path("reason").asText()).isEqualTo("machine-refused");
    assertThat(r.path("message").asText()).contains("Bad_InvalidState");
    assertThat(truth("A-2").state()).isEqualTo("NotAllowedToStart");

    String audit = GatewayFixture.http(gateway, "/api/audit?type=command&partner=acme").body();
    assertThat(audit).contains("changeQuantity A-2: applied").contains("acme-orders");
    assertThat(GatewayFixture.http(gateway, "/metrics").body())
        .contains("ketenlink_commands_total{outcome=\"applied\",partner=\"acme\",reason=\"none\"}");
  }

  @Test
  void anotherCustomersOrderIsRefusedLikeOneThatDoesNotExist() throws Exception {
    long planned = truth("V-1").planned();
    JsonNode r =
        reply(
            acme,
            "acme",
            "{\"requestId\":\"%s\",\"command\":\"changeQuantity\",\"order\":\"V-1\",\"quantity\":5}");
    assertThat(r.path("outcome").asText()).isEqualTo("rejected");
    assertThat(r.path("reason").asText()).isEqualTo("unknown-order");
    assertThat(r.has("orderStatus")).as("nothing about VELO's order leaks").isFalse();
    JsonNode none =
        reply(
            acme,
            "acme",
            "{\"requestId\":\"%s\",\"command\":\"changeQuantity\",\"order\":\"NO-SUCH\",\"quantity\":5}");
    assertThat(none.path("reason").asText()).isEqualTo("unknown-order");
    assertThat(none.path("message").asText())
        .isEqualTo(r.path("message").asText().replace("V-1", "NO-SUCH"));
    assertThat(truth("V-1").planned()).isEqualTo(planned);

    // A command the agreement does not allow.
    r = reply(acme, "acme", "{\"requestId\":\"%s\",\"command\":\"cancel\",\"order\":\"A-3\"}");
    assertThat(r.path("reason").asText()).isEqualTo("not-allowed");
    assertThat(r.path("message").asText()).contains("does not allow cancel");
    assertThat(truth("A-3").state()).isEqualTo("NotAllowedToStart");

    String audit = GatewayFixture.http(gateway, "/api/audit?type=command&partner=acme").body();
    assertThat(audit).contains("order of customer VELO");
  }

  @Test
  void malformedAndOversizedMessagesAreRejectedWithTheirProblems() throws Exception {
    long planned = truth("A-3").planned();
    JsonNode r = send(acme, "acme", "{\"command\": \"changeQuantity\", \"order\": ", null, WAIT);
    assertThat(r.path("reason").asText()).isEqualTo("malformed");
    assertThat(r.path("problems").toString()).contains("not valid JSON");

    r =
        reply(
            acme,
            "acme",
            "{\"requestId\":\"%s\",\"command\":\"changeQuantity\",\"order\":\"A-3\",\"quantity\":-4,\"extra\":1}");
    assertThat(r.path("reason").asText()).isEqualTo("malformed");
    assertThat(r.path("problems").toString()).contains("quantity").contains("extra");

    String big =
        "{\"requestId\":\"big-1\",\"command\":\"changeQuantity\",\"order\":\"A-3\",\"quantity\":9,\"pad\":\""
            + "x".repeat(5000)
            + "\"}";
    r = send(acme, "acme", big, null, WAIT);
    assertThat(r.path("reason").asText()).isEqualTo("too-large");
    assertThat(truth("A-3").planned()).isEqualTo(planned);
  }

  @Test
  void aReplayedRequestIdIsRejectedAndChangesNothing() throws Exception {
    String payload =
        "{\"requestId\":\"replay-1\",\"command\":\"changeQuantity\",\"order\":\"A-3\",\"quantity\":%d}";
    JsonNode first = send(acme, "acme", payload.formatted(60), "replay-1", WAIT);
    assertThat(first.path("outcome").asText()).isEqualTo("applied");
    assertThat(truth("A-3").planned()).isEqualTo(60);

    JsonNode again = send(acme, "acme", payload.formatted(61), "replay-1", WAIT);
    assertThat(again.path("outcome").asText()).isEqualTo("rejected");
    assertThat(again.path("reason").asText()).isEqualTo("duplicate-request");
    assertThat(again.path("first").path("outcome").asText()).isEqualTo("applied");
    assertThat(truth("A-3").planned()).isEqualTo(60);
  }

  @Test
  void aBurstAboveTheRateLimitIsRejected() throws Exception {
    // velo: a burst of 3, then one a minute.
    for (int i = 0; i < 8; i++) {
      assertThat(
              velo.tryPublish(
                  PARTNERS + "velo/_commands/orders",
                  "{\"requestId\":\"burst-%d\",\"command\":\"status\",\"order\":\"V-1\"}"
                      .formatted(i)))
          .isZero();
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (velo.on(PARTNERS + "velo/_replies").size() < 8 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<JsonNode> replies =
        velo.on(PARTNERS + "velo/_replies").stream()
            .map(TestSubscriber.Received::json)
            .filter(n -> n.path("requestId").asText().startsWith("burst-"))
            .toList();
    assertThat(replies).hasSize(8);
    assertThat(replies.stream().filter(n -> n.path("outcome").asText().equals("applied")))
        .hasSize(3)
        .allSatisfy(
            n -> assertThat(n.path("orderStatus").path("customer").asText()).isEqualTo("VELO"));
    assertThat(replies.stream().filter(n -> n.path("reason").asText().equals("rate-limited")))
        .hasSize(5);
    // velo may only ask for status, and only of its own orders.
    assertThat(velo.on(PARTNERS + "acme/_replies")).isEmpty();
  }
}
