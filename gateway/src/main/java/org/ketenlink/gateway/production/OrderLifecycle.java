package org.ketenlink.gateway.production;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ketenlink.connectors.api.OrderFacts;

/**
 * Turns successive snapshots of one machine's orders into order lifecycle events (OPC 40001-3 job
 * order states): created, released, started, progress, held, resumed, completed, aborted, changed —
 * and, for orders first seen after a start without a record of them, status. Pure and
 * single-threaded; the caller owns the clock ({@code machineNow}, the machine's time).
 *
 * <p>Robust to what machines do: a state that is skipped (NotAllowedToStart straight to Ended)
 * still yields started before completed; a count that is unreadable ({@code -1}) or lower than one
 * already reported keeps the reported one, so counts never go back and nothing is counted twice;
 * after a restart the last reported state ({@link #restore}) is compared with the machine's, so
 * what happened meanwhile is reported once and nothing twice.
 */
public final class OrderLifecycle {

  /** What happened to an order. */
  public enum Event {
    CREATED,
    RELEASED,
    STARTED,
    PROGRESS,
    HELD,
    RESUMED,
    COMPLETED,
    ABORTED,
    CHANGED,
    STATUS;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * One event with the order as it stands.
   *
   * @param projectedEnd when the order will be done at its rate so far (its end once ended)
   * @param atRisk whether that is after the due date
   * @param goodPerHour good parts per hour since the order started, if it has made any
   */
  public record OrderEvent(
      Event event,
      OrderFacts order,
      Optional<Instant> projectedEnd,
      boolean atRisk,
      Optional<Double> goodPerHour) {}

  /** What was last reported of an order; kept across restarts. */
  public record Reported(
      String state,
      long planned,
      long good,
      long scrap,
      Optional<Instant> due,
      boolean started,
      long progressGood,
      Instant progressAt) {}

  /**
   * @param parts a progress event after this many more good parts
   * @param interval or after this much machine time with any new good part
   */
  public record Progress(long parts, Duration interval) {}

  static final String NOT_ALLOWED = "NotAllowedToStart";
  static final String ALLOWED = "AllowedToStart";
  static final String RUNNING = "Running";
  static final String INTERRUPTED = "Interrupted";
  static final String ENDED = "Ended";
  static final String ABORTED = "Aborted";
  private static final Set<String> FINAL = Set.of(ENDED, ABORTED);

  private final Progress progress;
  private final Map<String, Reported> reported = new LinkedHashMap<>();
  private boolean primed;

  public OrderLifecycle(Progress progress) {
    this.progress = progress;
  }

  /** What was reported before a restart; the next snapshot is compared with it. */
  public void restore(Map<String, Reported> before) {
    reported.clear();
    reported.putAll(before);
    primed = true;
  }

  /** What has been reported, to keep across a restart. */
  public Map<String, Reported> reported() {
    return Map.copyOf(reported);
  }

  /** The events since the last snapshot, in order. */
  public List<OrderEvent> update(List<OrderFacts> snapshot, Instant machineNow) {
    List<OrderEvent> events = new ArrayList<>();
    Map<String, Reported> seen = new LinkedHashMap<>();
    for (OrderFacts raw : snapshot) {
      Reported before = reported.get(raw.orderId());
      OrderFacts f = monotonic(raw, before);
      List<Event> happened = events(before, f, machineNow);
      boolean started =
          (before != null && before.started())
              || f.start().isPresent()
              || happened.contains(Event.STARTED)
              || f.state().equals(RUNNING);
      long progressGood = before == null ? f.good() : before.progressGood();
      Instant progressAt = before == null ? machineNow : before.progressAt();
      if (!happened.isEmpty()) {
        progressGood = f.good();
        progressAt = machineNow;
      }
      for (Event e : happened) {
        events.add(event(e, f, machineNow));
      }
      seen.put(
          f.orderId(),
          new Reported(
              f.state(),
              f.planned(),
              f.good(),
              f.scrap(),
              f.due(),
              started,
              progressGood,
              progressAt));
    }
    // Orders the machine no longer holds are forgotten without an event.
    reported.clear();
    reported.putAll(seen);
    primed = true;
    return events;
  }

  /** Counts never go back, and an unreadable one ({@code -1}) keeps the last reported. */
  private static OrderFacts monotonic(OrderFacts f, Reported before) {
    long planned = f.planned() >= 0 ? f.planned() : before == null ? 0 : before.planned();
    long good = Math.max(f.good(), before == null ? 0 : before.good());
    long scrap = Math.max(f.scrap(), before == null ? 0 : before.scrap());
    Optional<Instant> due = f.due().isPresent() ? f.due() : before == null ? f.due() : before.due();
    String state = f.state().isEmpty() && before != null ? before.state() : f.state();
    return new OrderFacts(
        f.orderId(),
        f.customer(),
        f.article(),
        planned,
        good,
        scrap,
        state,
        f.start(),
        f.end(),
        due);
  }

  private List<Event> events(Reported before, OrderFacts f, Instant now) {
    List<Event> out = new ArrayList<>();
    String was;
    boolean started;
    if (before == null) {
      if (!primed) {
        out.add(Event.STATUS);
        return out;
      }
      out.add(Event.CREATED);
      was = NOT_ALLOWED;
      started = false;
    } else {
      was = before.state();
      started = before.started();
    }
    String is = f.state();
    if (!is.equals(was) && !FINAL.contains(was)) {
      switch (is) {
        case ALLOWED -> {
          if (!was.equals(NOT_ALLOWED) || before != null) {
            out.add(Event.RELEASED);
          }
        }
        case RUNNING -> out.add(was.equals(INTERRUPTED) ? Event.RESUMED : Event.STARTED);
        case INTERRUPTED -> {
          if (!started && !was.equals(RUNNING)) {
            out.add(Event.STARTED);
          }
          out.add(Event.HELD);
        }
        case ENDED -> {
          if (!started && !was.equals(RUNNING) && !was.equals(INTERRUPTED)) {
            out.add(Event.STARTED);
          }
          out.add(Event.COMPLETED);
        }
        case ABORTED -> out.add(Event.ABORTED);
        default -> out.add(Event.CHANGED);
      }
      return out;
    }
    if (before == null) {
      return out; // created in the state it was created in
    }
    if (f.planned() != before.planned() || !f.due().equals(before.due())) {
      out.add(Event.CHANGED);
      return out;
    }
    if (is.equals(RUNNING) && f.good() > before.progressGood()) {
      boolean enoughParts = f.good() - before.progressGood() >= progress.parts();
      boolean longEnough =
          !Duration.between(before.progressAt(), now).minus(progress.interval()).isNegative();
      if (enoughParts || longEnough) {
        out.add(Event.PROGRESS);
      }
    }
    return out;
  }

  private static OrderEvent event(Event e, OrderFacts f, Instant now) {
    Optional<Double> rate = Optional.empty();
    Optional<Instant> projected = Optional.empty();
    if (f.state().equals(ENDED) && f.end().isPresent()) {
      projected = f.end();
    } else if (f.start().isPresent() && f.good() > 0) {
      double seconds = Duration.between(f.start().get(), now).toMillis() / 1000.0;
      if (seconds > 0) {
        double perSecond = f.good() / seconds;
        rate = Optional.of(perSecond * 3600);
        long remaining = Math.max(0, f.planned() - f.good());
        if (!FINAL.contains(f.state())) {
          projected = Optional.of(now.plusMillis(Math.round(remaining / perSecond * 1000)));
        }
      }
    }
    boolean atRisk =
        projected.isPresent() && f.due().isPresent() && projected.get().isAfter(f.due().get());
    return new OrderEvent(e, f, projected, atRisk, rate);
  }
}
