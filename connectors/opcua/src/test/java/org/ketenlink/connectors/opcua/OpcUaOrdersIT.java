package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
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

/** Reading and changing the simulator's orders through the order object and its methods. */
class OpcUaOrdersIT {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir static Path dir;
  static Simulator sim;
  static OpcUaPki pki;
  OpcUaSource source;

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
    if (source != null) {
      source.close();
    }
  }

  private OrderControl orders(String machine, NodeAddress ordersObject) throws Exception {
    source =
        new OpcUaSource(
            Fixtures.settings(
                    machine,
                    sim.endpointUrl(),
                    List.of(
                        Fixtures.signal(
                            "state",
                            Fixtures.byPath("line1/" + machine + "/State/MachineryItemState"))))
                .withOrders(ordersObject),
            pki);
    source.start(new TestSink());
    Fixtures.await(WAIT, "connected", () -> source.status().state() == ConnectionState.CONNECTED);
    return source.orders().orElseThrow();
  }

  private static OrderTruth truth(String order) {
    return sim.groundTruth().order(order).orElseThrow();
  }

  private static <T> T get(java.util.concurrent.CompletableFuture<T> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void anOrderIsReadWithTheFactsTheMachineHolds() throws Exception {
    OrderControl orders = orders("mould1", NodeAddress.id(Fixtures.nsu("line1/mould1/Orders")));

    OrderFacts facts = get(orders.order("ORD-2002")).orElseThrow();
    OrderTruth truth = truth("ORD-2002");
    assertThat(facts.customer()).isEqualTo("ACME").isEqualTo(truth.customer());
    assertThat(facts.article()).isEqualTo(truth.article());
    assertThat(facts.planned()).isEqualTo(truth.planned());
    assertThat(facts.state()).isEqualTo("NotAllowedToStart").isEqualTo(truth.state());
    assertThat(facts.due()).contains(truth.due().truncatedTo(ChronoUnit.MILLIS));
    assertThat(facts.start()).isEmpty();

    assertThat(get(orders.order("ORD-9999"))).isEmpty();
    assertThat(get(orders.all()))
        .extracting(OrderFacts::orderId)
        .containsExactlyInAnyOrder(
            sim.groundTruth().orders().stream()
                .filter(o -> o.machineId().equals("mould1"))
                .map(OrderTruth::orderId)
                .toArray(String[]::new));
    assertThat(get(orders.all()))
        .filteredOn(f -> f.orderId().equals("ORD-2002"))
        .singleElement()
        .isEqualTo(facts);
    // An order on another machine is not this machine's.
    assertThat(get(orders.order("ORD-1001"))).isEmpty();
  }

  @Test
  void changesReachTheMachineAndARefusedOneChangesNothing() throws Exception {
    OrderControl orders = orders("mould1", Fixtures.byPath("line1/mould1/Orders"));
    long planned = truth("ORD-2002").planned();

    get(orders.change("ORD-2002", new OrderChange.PlannedQuantity(planned + 300)));
    assertThat(truth("ORD-2002").planned()).isEqualTo(planned + 300);
    assertThat(get(orders.order("ORD-2002")).orElseThrow().planned()).isEqualTo(planned + 300);

    Instant due = Instant.parse("2027-03-01T12:00:00Z");
    get(orders.change("ORD-2002", new OrderChange.DueDate(due)));
    assertThat(truth("ORD-2002").due()).isEqualTo(due);

    // Hold needs a Running order; ORD-2002 is not released.
    assertThatThrownBy(() -> get(orders.change("ORD-2002", new OrderChange.Hold())))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(OrderControlException.class)
        .hasMessageContaining("refused HoldOrder: Bad_InvalidState")
        .satisfies(e -> assertThat(((OrderControlException) e).unavailable()).isFalse());
    assertThat(truth("ORD-2002").state()).isEqualTo("NotAllowedToStart");

    assertThatThrownBy(() -> get(orders.change("ORD-2002", new OrderChange.PlannedQuantity(0))))
        .cause()
        .hasMessageContaining("Bad_InvalidArgument");
    assertThat(truth("ORD-2002").planned()).isEqualTo(planned + 300);

    assertThatThrownBy(() -> get(orders.change("ORD-NONE", new OrderChange.Abort())))
        .cause()
        .hasMessageContaining("Bad_NotFound");
  }

  @Test
  void withoutASessionRequestsFailAsUnavailable() throws Exception {
    source =
        new OpcUaSource(
            Fixtures.settings("nowhere", "opc.tcp://127.0.0.1:" + Fixtures.freePort(), List.of())
                .withOrders(Fixtures.byPath("line1/cnc1/Orders")),
            pki);
    source.start(new TestSink());
    OrderControl orders = source.orders().orElseThrow();

    assertThatThrownBy(() -> get(orders.order("ORD-1001")))
        .cause()
        .isInstanceOf(OrderControlException.class)
        .hasMessageContaining("machine nowhere unavailable: no session")
        .satisfies(e -> assertThat(((OrderControlException) e).unavailable()).isTrue());
  }

  @Test
  void aSourceWithoutAnOrdersObjectHasNoOrderControl() throws Exception {
    source = new OpcUaSource(Fixtures.settings("plain", sim.endpointUrl(), List.of()), pki);
    assertThat(source.orders()).isEqualTo(Optional.empty());
  }
}
