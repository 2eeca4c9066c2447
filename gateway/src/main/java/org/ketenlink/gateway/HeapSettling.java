package org.ketenlink.gateway;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tightens the heap once the gateway has started.
 *
 * <p>Starting allocates in bursts: key exchanges, the OPC UA clients' type tables, HiveMQ's wiring.
 * With the steady-state heap settings from the start (free ratios 10–30 %), the heap grew in small
 * steps: 29 collections, 8 of them full, and 466 ms of pauses in the first 4 s, all on the way to
 * the first published value (docs/benchmarks.md#start-up). So the launcher starts the JVM with its
 * own roomy ratios and names the steady-state ones in {@code -Dketenlink.heap.settle=MIN:MAX}.
 * {@link #settleLater} sets them a while after the start ({@code MinHeapFreeRatio} and {@code
 * MaxHeapFreeRatio} can be changed in a running JVM) and runs one full collection, which gives the
 * start-up's extra heap back (see {@link #settle}).
 */
final class HeapSettling {

  static final String PROPERTY = "ketenlink.heap.settle";

  /** Long enough for the sessions to be up and the first burst to be over. */
  static final Duration DELAY = Duration.ofSeconds(20);

  private static final Logger log = LoggerFactory.getLogger(HeapSettling.class);

  /** The steady-state free ratios of the heap, in % of its size. */
  record Ratios(int min, int max) {}

  private HeapSettling() {}

  /**
   * What {@code -Dketenlink.heap.settle} asks for; empty if it is absent or not {@code MIN:MAX}.
   */
  static Optional<Ratios> requested(String value) {
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    String[] parts = value.trim().split(":", -1);
    try {
      if (parts.length == 2) {
        int min = Integer.parseInt(parts[0].trim());
        int max = Integer.parseInt(parts[1].trim());
        if (0 <= min && min <= max && max <= 100) {
          return Optional.of(new Ratios(min, max));
        }
      }
    } catch (NumberFormatException e) {
      // explained below
    }
    log.warn(
        "-D{}={} ignored: expected MIN:MAX, two whole percentages with MIN <= MAX, e.g. 10:30",
        PROPERTY,
        value);
    return Optional.empty();
  }

  /** If the launcher asked for it, settles the heap {@link #DELAY} from now, on a daemon thread. */
  static void settleLater() {
    requested(System.getProperty(PROPERTY))
        .ifPresent(
            r ->
                Threads.daemon("ketenlink-heap-settle")
                    .newThread(() -> settleAfterDelay(r))
                    .start());
  }

  private static void settleAfterDelay(Ratios r) {
    try {
      Thread.sleep(DELAY.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    settle(r);
  }

  /**
   * Sets the heap's free ratios and, if they are tighter than before, collects once with the heap
   * squeezed to {@code min} % free, so it gives back what the start-up grew; from then on the heap
   * keeps between {@code min} and {@code max} % free. The launcher's {@code -XX:-ShrinkHeapInSteps}
   * lets that one collection shrink the heap at once (by default the first shrink is damped to
   * nothing).
   *
   * @return the heap's committed bytes after
   */
  static long settle(Ratios r) {
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    long before = committed();
    int oldMax = Integer.parseInt(vm.getVMOption("MaxHeapFreeRatio").getValue());
    boolean tighter = r.max() < oldMax;
    try {
      // The JVM refuses a step that would leave MIN above MAX.
      if (r.min() <= oldMax) {
        vm.setVMOption("MinHeapFreeRatio", Integer.toString(r.min()));
        vm.setVMOption("MaxHeapFreeRatio", Integer.toString(tighter ? r.min() : r.max()));
      } else {
        vm.setVMOption("MaxHeapFreeRatio", Integer.toString(r.max()));
        vm.setVMOption("MinHeapFreeRatio", Integer.toString(r.min()));
      }
      if (tighter) {
        System.gc();
        vm.setVMOption("MaxHeapFreeRatio", Integer.toString(r.max()));
      }
    } catch (IllegalArgumentException e) {
      log.warn("heap free ratios {}:{} not applied: {}", r.min(), r.max(), e.getMessage());
      return committed();
    }
    long after = committed();
    log.debug(
        "heap settled to free ratios {}-{} %: {} MB committed, was {} MB",
        r.min(), r.max(), after >> 20, before >> 20);
    return after;
  }

  private static long committed() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return heap.getCommitted();
  }
}
