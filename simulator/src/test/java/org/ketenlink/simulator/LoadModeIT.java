package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.ketenlink.simulator.TestClients.await;
import static org.ketenlink.simulator.TestClients.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Load mode: generated variables that change on every interval, pushed to subscribers. */
class LoadModeIT {

  @TempDir Path pki;

  @Test
  void everyLoadVariableIsBrowsableAndEveryChangeReachesASubscriber() throws Exception {
    try (Simulator sim =
        Simulator.builder().port(0).pkiDir(pki).load(3, 50, Duration.ofMillis(50)).start()) {
      OpcUaClient client = TestClients.connectTrusted(sim);
      try {
        OpcUaSubscription sub = new OpcUaSubscription(client, 100.0);
        sub.create();
        AtomicLong changes = new AtomicLong();
        List<OpcUaMonitoredItem> items = new ArrayList<>();
        for (int m = 1; m <= 3; m++) {
          for (int v = 1; v <= 50; v++) {
            OpcUaMonitoredItem item =
                OpcUaMonitoredItem.newDataItem(
                    node(client, String.format("Load/Machine%03d/Var%05d", m, v)));
            item.setSamplingInterval(0);
            item.setQueueSize(uint(10));
            item.setDataValueListener((i, value) -> changes.incrementAndGet());
            items.add(item);
          }
        }
        sub.addMonitoredItems(items);
        sub.synchronizeMonitoredItems();
        assertThat(items).allMatch(i -> i.getCreateResult().orElseThrow().isGood());
        await(Duration.ofSeconds(5), "first values", () -> changes.get() >= 150);
        long start = changes.get();
        long t0 = System.nanoTime();
        await(Duration.ofSeconds(10), "ten more rounds", () -> changes.get() >= start + 150 * 10);
        double seconds = (System.nanoTime() - t0) / 1e9;
        // 150 variables every 50 ms offer 3000 changes/s; ten rounds must not take much over 0.5 s.
        assertThat(seconds).isLessThan(5.0);
      } finally {
        client.disconnect();
      }
    }
  }
}
