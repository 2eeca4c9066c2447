package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ketenlink.simulator.TestClients.await;
import static org.ketenlink.simulator.TestClients.call;
import static org.ketenlink.simulator.TestClients.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server restart behaves like a PLC reboot: the client's subscriptions become invalid. */
class SimulatorRecoveryIT {

  @TempDir Path pki;
  Simulator sim;
  OpcUaClient client;

  @BeforeEach
  void start() throws Exception {
    Scenario scenario =
        Scenario.load(Path.of(SimulatorRecoveryIT.class.getResource("it-scenario.yaml").toURI()));
    sim = Simulator.builder().port(0).scenario(scenario).timeScale(60).pkiDir(pki).start();
    client = TestClients.connectTrusted(sim);
  }

  @AfterEach
  void stop() throws Exception {
    client.disconnect();
    sim.close();
  }

  private OpcUaSubscription subscribe(AtomicInteger values, List<StatusCode> transferFailures)
      throws Exception {
    OpcUaSubscription sub = new OpcUaSubscription(client, 50.0);
    sub.setSubscriptionListener(
        new OpcUaSubscription.SubscriptionListener() {
          @Override
          public void onTransferFailed(OpcUaSubscription subscription, StatusCode status) {
            transferFailures.add(status);
          }
        });
    sub.create();
    OpcUaMonitoredItem item =
        OpcUaMonitoredItem.newDataItem(node(client, "line1/pack1/Monitoring/Speed"));
    item.setDataValueListener((i, v) -> values.incrementAndGet());
    sub.addMonitoredItem(item);
    sub.synchronizeMonitoredItems();
    return sub;
  }

  @Test
  void aRestartInvalidatesSubscriptionsAndDataFlowsAgainOnceTheClientRecreatesThem()
      throws Exception {
    AtomicInteger values = new AtomicInteger();
    List<StatusCode> transferFailures = new CopyOnWriteArrayList<>();
    OpcUaSubscription sub = subscribe(values, transferFailures);
    await(Duration.ofSeconds(10), "values before the restart", () -> values.get() > 3);

    sim.faults().restartServer(Duration.ofMillis(500));

    await(Duration.ofSeconds(30), "the transfer to fail", () -> !transferFailures.isEmpty());
    assertThat(transferFailures.get(0).isBad()).isTrue();
    // As a gateway must: re-create the subscription with the same items, off the callback thread.
    sub.create();
    sub.synchronizeMonitoredItems();
    int afterRecreate = values.get();
    await(
        Duration.ofSeconds(10), "values after the restart", () -> values.get() > afterRecreate + 3);
  }

  @Test
  void theRestartServerMethodAnswersFirstThenRestarts() throws Exception {
    AtomicInteger values = new AtomicInteger();
    List<StatusCode> transferFailures = new CopyOnWriteArrayList<>();
    subscribe(values, transferFailures);
    assertThat(call(client, "Simulation", "RestartServer", 0.5).getStatusCode().isGood()).isTrue();
    await(Duration.ofSeconds(30), "the transfer to fail", () -> !transferFailures.isEmpty());
  }

  @Test
  void theModelKeepsRunningWhileTheServerIsDown() throws Exception {
    long before = sim.groundTruth().machine("pack1").orElseThrow().cycles();
    sim.faults().restartServer(Duration.ofSeconds(1));
    assertThat(sim.groundTruth().machine("pack1").orElseThrow().cycles())
        .isGreaterThan(before + 30);
  }
}
