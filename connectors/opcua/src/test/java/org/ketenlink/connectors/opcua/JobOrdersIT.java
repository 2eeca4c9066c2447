package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.OrderChange;
import org.ketenlink.connectors.api.OrderControl;
import org.ketenlink.connectors.api.OrderControlException;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.simulator.GroundTruth.OrderTruth;
import org.ketenlink.simulator.Simulator;

/**
 * Orders from an OPC 40001-3 Job Management server — the simulator's Job Management view, found by
 * standard browse names (Machinery, Jobs, ISA95-JOBCONTROL namespaces) and decoded from the
 * structure definitions the server publishes: the same facts as the machine's own order nodes, and
 * changes through Pause, Abort and Update with the server's ReturnStatus as the verdict.
 */
class JobOrdersIT {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String MACHINERY = "http://opcfoundation.org/UA/Machinery/";

  @TempDir static Path dir;
  static Simulator sim;
  static OpcUaPki pki;
  OpcUaSource jobs;
  OpcUaSource own;

  @BeforeAll
  static void startSimulator() throws Exception {
    sim = Fixtures.simulator(dir.resolve("sim")).start();
    pki = Fixtures.gatewayPki(dir.resolve("gateway"));
    Fixtures.trustEachOther(sim, pki, dir);
  }

  @AfterAll
  static void stopSimulator() {
    pki.close();
    sim.close();
  }

  @AfterEach
  void close() {
    if (jobs != null) {
      jobs.close();
    }
    if (own != null) {
      own.close();
    }
  }

  private static NodeAddress jobManagement(String machine) {
    return new NodeAddress.ByPath(
        Fixtures.NS,
        List.of("Machines", machine, "MachineryBuildingBlocks", "JobManagement"),
        List.of(MACHINERY, "", MACHINERY, JobOrders.JOBS));
  }

  private OpcUaSource connect(String id, OpcUaSourceSettings settings) throws Exception {
    OpcUaSource source = new OpcUaSource(settings, pki);
    source.start(new TestSink());
    Fixtures.await(
        WAIT, id + " connected", () -> source.status().state() == ConnectionState.CONNECTED);
    return source;
  }

  private OrderControl jobOrders(String machine) throws Exception {
    jobs =
        connect(
            machine,
            Fixtures.settings(machine, sim.endpointUrl(), List.of())
                .withJobManagement(jobManagement(machine)));
    return jobs.orders().orElseThrow();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static boolean quietly(java.util.concurrent.Callable<Boolean> check) {
    try {
      return check.call();
    } catch (Exception e) {
      return false;
    }
  }

  private static OrderTruth truth(String order) {
    return sim.groundTruth().order(order).orElseThrow();
  }

  @Test
  void theJobOrdersAreTheOrdersTheMachinesOwnNodesHold() throws Exception {
    OrderControl viaJobs = jobOrders("cnc1");
    own =
        connect(
            "cnc1-own",
            Fixtures.settings("cnc1-own", sim.endpointUrl(), List.of())
                .withOrders(Fixtures.byPath("line1/cnc1/Orders")));
    Fixtures.await(WAIT, "ORD-1001 running", () -> truth("ORD-1001").state().equals("Running"));
    // Frozen, both views hold one snapshot of the machine.
    sim.faults().freeze("cnc1", true);
    try {
      Thread.sleep(300);
      List<OrderFacts> fromJobs = get(viaJobs.all());
      List<OrderFacts> fromOwn = get(own.orders().orElseThrow().all());
      assertThat(fromJobs)
          .extracting(OrderFacts::orderId)
          .containsExactlyInAnyOrder("ORD-1001", "ORD-1002");
      assertThat(fromJobs).containsExactlyInAnyOrderElementsOf(fromOwn);
      OrderFacts running =
          fromJobs.stream().filter(o -> o.orderId().equals("ORD-1001")).findFirst().orElseThrow();
      assertThat(running.customer()).isEqualTo("ACME");
      assertThat(running.article()).isEqualTo("FL-80 flange");
      assertThat(running.state()).isEqualTo("Running");
      assertThat(running.start()).isPresent();
      assertThat(running.good()).isNotNegative();
      assertThat(get(viaJobs.order("ORD-1002")).orElseThrow().state()).isEqualTo("AllowedToStart");
      assertThat(get(viaJobs.order("ORD-9999"))).isEmpty();
    } finally {
      sim.faults().freeze("cnc1", false);
    }
  }

  @Test
  void changesGoThroughTheJobOrderMethodsAndARefusalNamesTheReturnStatus() throws Exception {
    OrderControl orders = jobOrders("mould1");
    long planned = truth("ORD-2002").planned();
    Instant due = Instant.parse("2027-03-01T12:00:00Z");

    // Update: allowed before the job order starts.
    get(orders.change("ORD-2002", new OrderChange.PlannedQuantity(planned + 300)));
    assertThat(truth("ORD-2002").planned()).isEqualTo(planned + 300);
    get(orders.change("ORD-2002", new OrderChange.DueDate(due)));
    assertThat(truth("ORD-2002").due()).isEqualTo(due);
    Fixtures.await(
        WAIT,
        "the job order list to show the change",
        () ->
            quietly(() -> get(orders.order("ORD-2002")).orElseThrow().planned() == planned + 300));

    // Pause needs a running job order.
    assertThatThrownBy(() -> get(orders.change("ORD-2002", new OrderChange.Hold())))
        .cause()
        .isInstanceOf(OrderControlException.class)
        .hasMessageContaining("refused Pause: InvalidJobOrderStatus")
        .satisfies(e -> assertThat(((OrderControlException) e).unavailable()).isFalse());
    assertThat(truth("ORD-2002").state()).isEqualTo("NotAllowedToStart");

    assertThatThrownBy(() -> get(orders.change("ORD-NONE", new OrderChange.Abort())))
        .cause()
        .hasMessageContaining("refused Abort: UnknownJobOrderId");

    Fixtures.await(WAIT, "ORD-2001 running", () -> truth("ORD-2001").state().equals("Running"));
    get(orders.change("ORD-2001", new OrderChange.Hold()));
    assertThat(truth("ORD-2001").state()).isEqualTo("Interrupted");
    Fixtures.await(
        WAIT,
        "the job order list to show it interrupted",
        () ->
            quietly(
                () -> get(orders.order("ORD-2001")).orElseThrow().state().equals("Interrupted")));
    assertThatThrownBy(() -> get(orders.change("ORD-2001", new OrderChange.PlannedQuantity(5000))))
        .cause()
        .hasMessageContaining("refused Update: InvalidJobOrderStatus");
  }
}
