package org.ketenlink.gateway;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ketenlink.connectors.api.OrderControl;
import org.ketenlink.connectors.api.OrderControlException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads each machine's orders every {@code pollInterval} (thread {@code ketenlink-orders}) and
 * hands the snapshot to the pipeline. A poll never overlaps the previous one of the same machine; a
 * machine that cannot be reached is simply asked again next time — snapshots carry the whole state,
 * so nothing is lost by a missed one.
 */
final class OrderPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrderPoller.class);

  /** One machine to follow. */
  record Target(String sourceId, OrderControl orders, java.time.Duration interval) {}

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Threads.daemon("ketenlink-orders"));

  OrderPoller(List<Target> targets, Pipeline pipeline) {
    for (Target t : targets) {
      AtomicBoolean inFlight = new AtomicBoolean();
      AtomicBoolean failing = new AtomicBoolean();
      long ms = t.interval().toMillis();
      timer.scheduleWithFixedDelay(
          () -> {
            if (!inFlight.compareAndSet(false, true)) {
              return;
            }
            t.orders()
                .all()
                .whenComplete(
                    (orders, e) -> {
                      inFlight.set(false);
                      if (e == null) {
                        failing.set(false);
                        if (!pipeline.offerOrders(new OrderStage.Snapshot(t.sourceId(), orders))) {
                          log.debug("Orders of {}: pipeline full; next poll", t.sourceId());
                        }
                      } else if (!failing.getAndSet(true)) {
                        Throwable why = e.getCause() instanceof OrderControlException c ? c : e;
                        log.info(
                            "Orders of {} cannot be read now ({}); trying every {} ms",
                            t.sourceId(),
                            why.getMessage(),
                            ms);
                      }
                    });
          },
          0,
          ms,
          TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
