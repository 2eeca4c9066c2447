package org.ketenlink.simulator;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.ketenlink.simulator.TestClients.node;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.junit.jupiter.api.Test;

/**
 * Measures how many load-mode value changes per second one subscribing client receives. Not part of
 * the test run (the name matches neither *Test nor *IT); run it with
 *
 * <pre>
 * ./mvnw -B -pl simulator test -Dtest=LoadBenchmark -Dbench.machines=10 -Dbench.variables=1000 \
 *     -Dbench.intervalMs=100 -Dbench.seconds=20 -Dbench.mode=SignAndEncrypt
 * </pre>
 *
 * Server and client share one JVM (and the machine's cores), so the CPU figure covers both.
 */
class LoadBenchmark {

  private static int intProp(String name, int dflt) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(dflt)));
  }

  @Test
  void measureChangesPerSecondReceivedByOneClient() throws Exception {
    int machines = intProp("bench.machines", 10);
    int variables = intProp("bench.variables", 1000);
    int intervalMs = intProp("bench.intervalMs", 100);
    int seconds = intProp("bench.seconds", 20);
    int publishingMs = intProp("bench.publishingMs", 100);
    MessageSecurityMode mode =
        MessageSecurityMode.valueOf(System.getProperty("bench.mode", "SignAndEncrypt"));
    Path pki = Files.createTempDirectory("ketenlink-bench-pki");
    Simulator.Builder builder =
        Simulator.builder()
            .port(0)
            .pkiDir(pki)
            .allowInsecure(mode == MessageSecurityMode.None)
            .load(machines, variables, Duration.ofMillis(intervalMs));
    try (Simulator sim = builder.start()) {
      TestClients.Identity id = TestClients.Identity.create("benchmark client");
      sim.trustClientCertificate(id.certificate());
      SecurityPolicy policy =
          mode == MessageSecurityMode.None ? SecurityPolicy.None : SecurityPolicy.Basic256Sha256;
      OpcUaClient client = TestClients.connect(sim, id, policy, mode, new AnonymousProvider());
      try {
        AtomicLong received = new AtomicLong();
        OpcUaSubscription sub = new OpcUaSubscription(client, (double) publishingMs);
        sub.setMaxNotificationsPerPublish(uint(65_535));
        sub.setSubscriptionListener(
            new OpcUaSubscription.SubscriptionListener() {
              @Override
              public void onDataReceived(
                  OpcUaSubscription s,
                  List<OpcUaMonitoredItem> items,
                  List<org.eclipse.milo.opcua.stack.core.types.builtin.DataValue> values) {
                received.addAndGet(values.size());
              }
            });
        sub.create();
        int queue = Math.max(1, (int) Math.ceil((double) publishingMs / intervalMs) + 1);
        List<OpcUaMonitoredItem> items = new ArrayList<>(machines * variables);
        for (int m = 1; m <= machines; m++) {
          for (int v = 1; v <= variables; v++) {
            OpcUaMonitoredItem item =
                OpcUaMonitoredItem.newDataItem(
                    node(client, String.format("Load/Machine%03d/Var%05d", m, v)));
            item.setSamplingInterval(0);
            item.setQueueSize(uint(queue));
            items.add(item);
          }
        }
        long c0 = System.nanoTime();
        sub.addMonitoredItems(items);
        sub.synchronizeMonitoredItems();
        double createSeconds = (System.nanoTime() - c0) / 1e9;

        Thread.sleep(3_000); // warm-up
        var os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long r0 = received.get();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        long r1 = received.get();
        long cpu1 = os.getProcessCpuTime();
        double elapsed = (System.nanoTime() - t0) / 1e9;

        double offered = machines * (double) variables * 1000 / intervalMs;
        double rate = (r1 - r0) / elapsed;
        double cpuPercent = (cpu1 - cpu0) / 1e9 / elapsed * 100;
        Runtime rt = Runtime.getRuntime();
        System.out.printf(
            Locale.ROOT,
            "LOAD-BENCHMARK items=%d interval=%dms publishing=%dms queue=%d security=%s"
                + " offered=%.0f/s received=%.0f/s (%.1f%%) cpu=%.0f%% of one core (server+client)"
                + " heapUsed=%dMB createItems=%.1fs cores=%d%n",
            machines * variables,
            intervalMs,
            publishingMs,
            queue,
            mode,
            offered,
            rate,
            rate / offered * 100,
            cpuPercent,
            (rt.totalMemory() - rt.freeMemory()) >> 20,
            createSeconds,
            rt.availableProcessors());
      } finally {
        client.disconnect();
      }
    }
  }
}
