package org.ketenlink.gateway;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Value;

/**
 * The demo's live view: the latest value of every stream, grouped by machine, and where every order
 * stands, redrawn every second. Fed from the pipeline's taps (quick: one map put), drawn from its
 * own timer thread.
 */
final class ConsoleView implements Consumer<NormalisedSample> {

  private static final DateTimeFormatter HMS =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private static final DateTimeFormatter DAY_TIME =
      DateTimeFormatter.ofPattern("EEE HH:mm", java.util.Locale.ROOT)
          .withZone(ZoneId.systemDefault());

  private final Map<String, Map<String, String>> latest = new ConcurrentHashMap<>();
  private final Map<String, String> orders = new ConcurrentHashMap<>();
  private final AtomicLong values = new AtomicLong();
  private final Clock clock;
  private final boolean ansi;
  private long lastCount;

  ConsoleView(Clock clock, boolean ansi) {
    this.clock = clock;
    this.ansi = ansi;
  }

  @Override
  public void accept(NormalisedSample n) {
    values.incrementAndGet();
    StreamSpec s = n.stream();
    String machine =
        s.asset()
            .substring(
                s.asset().indexOf('/', s.asset().indexOf('/', s.asset().indexOf('/') + 1) + 1) + 1);
    latest.computeIfAbsent(machine, k -> new ConcurrentHashMap<>()).put(s.name(), render(n));
  }

  /** An order event: the order's line in the view. */
  void order(OrderStage.Published p) {
    var e = p.event();
    var o = e.order();
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            java.util.Locale.ROOT,
            "%-10s %-7s %-6s %-18s",
            o.orderId(),
            p.machine(),
            o.customer(),
            o.state()));
    b.append(
        String.format(
            java.util.Locale.ROOT, " %6d/%-6d good %4d scrap", o.good(), o.planned(), o.scrap()));
    o.due().ifPresent(d -> b.append("  due ").append(DAY_TIME.format(d)));
    e.projectedEnd().ifPresent(d -> b.append("  projected ").append(DAY_TIME.format(d)));
    if (e.atRisk()) {
      b.append("  AT RISK");
    }
    b.append("  (").append(e.event().wire()).append(')');
    orders.put(p.machine() + "/" + o.orderId(), b.toString());
  }

  long values() {
    return values.get();
  }

  private static String render(NormalisedSample n) {
    String v = text(n.value());
    String unit = n.unit().map(u -> " " + u.symbol()).orElse("");
    String quality = n.quality() == Quality.GOOD ? "" : " [" + n.quality().label() + "]";
    return v + unit + quality;
  }

  private static String text(Value v) {
    if (v instanceof Value.Real r) {
      return String.format(java.util.Locale.ROOT, "%.1f", r.value());
    }
    if (v instanceof Value.Int i) {
      return Long.toString(i.value());
    }
    if (v instanceof Value.Text t) {
      return t.value().isEmpty() ? "-" : t.value();
    }
    if (v instanceof Value.Bool b) {
      return Boolean.toString(b.value());
    }
    if (v instanceof Value.None) {
      return "(none)";
    }
    return v.toString();
  }

  /** Draws one frame; {@code seconds} since the last frame, for the rate. */
  void draw(PrintWriter out, double seconds) {
    long count = values.get();
    long rate = Math.round((count - lastCount) / Math.max(seconds, 0.001));
    lastCount = count;
    StringBuilder b = new StringBuilder();
    if (ansi) {
      b.append("\u001b[H\u001b[2J");
    }
    b.append("Ketenlink demo  ")
        .append(HMS.format(clock.instant()))
        .append("  ")
        .append(count)
        .append(" values published (")
        .append(rate)
        .append("/s)  — Ctrl+C to stop\n");
    new TreeMap<>(latest)
        .forEach(
            (machine, signals) -> {
              b.append("  ").append(machine).append('\n');
              StringBuilder line = new StringBuilder("    ");
              new TreeMap<>(signals)
                  .forEach(
                      (name, value) -> {
                        String cell = name + "=" + value + "  ";
                        if (line.length() + cell.length() > 118) {
                          b.append(line).append('\n');
                          line.setLength(0);
                          line.append("    ");
                        }
                        line.append(cell);
                      });
              b.append(line).append('\n');
            });
    if (!orders.isEmpty()) {
      b.append("  orders\n");
      new TreeMap<>(orders).values().forEach(line -> b.append("    ").append(line).append('\n'));
    }
    out.print(b);
    out.flush();
  }
}
