package org.ketenlink.gateway.production;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.ketenlink.gateway.production.StateModel.Category;
import org.ketenlink.gateway.production.StateModel.State;

/**
 * One machine's state timeline, production counts and OEE, from its state signal and its good and
 * scrap counters, all in machine time (source timestamps). Pure and single-threaded: the caller
 * feeds values in the order they came and publishes what each call returns.
 *
 * <p>Time is attributed to the state the machine was in; periods are fixed intervals aligned to
 * multiples of {@code interval} and, when configured, shifts. A period ends when the machine's time
 * passes its end (any value of the machine moves it, {@link #tick}).
 */
public final class MachineProduction {

  /**
   * @param idealCycleTime the fastest a cycle can be (performance = ideal time of the parts made /
   *     running time)
   * @param partsPerCycle parts one cycle yields
   * @param interval the length of a counts period
   * @param shifts shift windows, if any
   */
  public record Settings(
      StateModel model,
      Duration idealCycleTime,
      int partsPerCycle,
      Duration interval,
      Optional<Shifts> shifts) {}

  /** Shifts that follow each other around the clock: each ends where the next one starts. */
  public record Shifts(ZoneId zone, List<LocalTime> starts, List<String> names) {
    public Shifts {
      starts = List.copyOf(starts);
      names = List.copyOf(names);
    }

    /** The shift that holds {@code t}: its name, start and end. */
    Window at(Instant t) {
      ZonedDateTime z = t.atZone(zone);
      LocalDate day = z.toLocalDate().minusDays(1);
      Window found = null;
      for (int d = 0; d < 3 && found == null; d++) {
        for (int i = 0; i < starts.size(); i++) {
          Instant s = day.plusDays(d).atTime(starts.get(i)).atZone(zone).toInstant();
          Instant e =
              i + 1 < starts.size()
                  ? day.plusDays(d).atTime(starts.get(i + 1)).atZone(zone).toInstant()
                  : day.plusDays(d + 1).atTime(starts.get(0)).atZone(zone).toInstant();
          if (!t.isBefore(s) && t.isBefore(e)) {
            found = new Window("shift", names.get(i), s, e);
            break;
          }
        }
      }
      return found;
    }
  }

  /** A period's identity. */
  public record Window(String kind, String name, Instant start, Instant end) {}

  /** A stretch of time in one state. */
  public record Segment(State state, String reason, Instant start, Instant end) {
    public Duration duration() {
      return Duration.between(start, end);
    }
  }

  /** The machine entered a state; {@code ended} is the stretch it left, if there was one. */
  public record StateChange(State state, String reason, Instant since, Optional<Segment> ended) {}

  /** A finished period: counts, time per category, OEE. */
  public record Period(
      Window window,
      boolean partial,
      long good,
      long scrap,
      Map<Category, Duration> time,
      OptionalDouble availability,
      OptionalDouble performance,
      OptionalDouble quality,
      OptionalDouble oee,
      Optional<Duration> averageCycle) {}

  private final Settings settings;
  private final Counter good;
  private final Counter scrap;
  private State state = State.UNKNOWN;
  private String reason = "";
  private Instant since;
  private Instant now;
  private Acc interval;
  private Acc shift;
  private final Map<String, Acc> orders = new java.util.LinkedHashMap<>();
  private String activeOrder = "";

  /** The counters' values when the last interval closed: what a restart continues from. */
  private OptionalLong closedGood = OptionalLong.empty();

  private OptionalLong closedScrap = OptionalLong.empty();

  /**
   * What the current call completed; one list reused, so a value that closes nothing costs none.
   */
  private final List<Object> completed = new ArrayList<>();

  private static final class Acc {
    final Window window;
    final boolean partial;
    final Map<Category, Duration> time = new EnumMap<>(Category.class);
    long good;
    long scrap;

    Acc(Window window, boolean partial) {
      this.window = window;
      this.partial = partial;
      for (Category c : Category.values()) {
        time.put(c, Duration.ZERO);
      }
    }
  }

  /**
   * @param goodBaseline, scrapBaseline the counters' last values when the previous run closed a
   *     period (empty at the first start)
   */
  public MachineProduction(
      Settings settings, OptionalLong goodBaseline, OptionalLong scrapBaseline) {
    this.settings = settings;
    this.good = Counter.from(goodBaseline);
    this.scrap = Counter.from(scrapBaseline);
  }

  /** The counters' values to keep across a restart (as of the last period closed). */
  public OptionalLong[] baselines() {
    return new OptionalLong[] {closedGood, closedScrap};
  }

  /** Machine time moved to {@code t}: closes the periods that ended. */
  public List<Object> tick(Instant t) {
    advance(t);
    return drain();
  }

  /**
   * The earliest end of a period still open (interval or shift), or empty before the first value.
   */
  public Optional<Instant> nextEnd() {
    if (interval == null) {
      return Optional.empty();
    }
    Instant end = interval.window.end();
    if (shift != null && shift.window.end().isBefore(end)) {
      end = shift.window.end();
    }
    return Optional.of(end);
  }

  /** The machine time reached so far (the newest value's), or empty before the first value. */
  public Optional<Instant> now() {
    return Optional.ofNullable(now);
  }

  /** The state signal sent {@code value} ({@code ok}: its quality was good) at {@code t}. */
  public List<Object> state(Object value, boolean ok, Instant t) {
    advance(t);
    State next = ok ? settings.model().read(value) : State.UNKNOWN;
    if (!next.equals(state) || since == null) {
      Optional<Segment> ended =
          since == null ? Optional.empty() : Optional.of(new Segment(state, reason, since, t));
      state = next;
      since = t;
      completed.add(new StateChange(state, reason, since, ended));
    }
    return drain();
  }

  /** The stop reason the machine gives (empty: none), from now on. */
  public void reason(String text) {
    reason = text == null ? "" : text;
  }

  /** The good-parts counter read {@code value} at {@code t}. */
  public List<Object> good(long value, boolean ok, Instant t) {
    return count(good, true, value, ok, t);
  }

  /** The scrap counter read {@code value} at {@code t}. */
  public List<Object> scrap(long value, boolean ok, Instant t) {
    return count(scrap, false, value, ok, t);
  }

  /**
   * A counter's new reading: its increment goes to the interval, the shift and the active order.
   */
  private List<Object> count(Counter counter, boolean isGood, long value, boolean ok, Instant t) {
    advance(t);
    long d = counter.next(value, ok);
    add(interval, isGood, d);
    add(shift, isGood, d);
    add(orders.get(activeOrder), isGood, d);
    return drain();
  }

  private static void add(Acc acc, boolean isGood, long parts) {
    if (acc == null) {
      return;
    } else if (isGood) {
      acc.good += parts;
    } else {
      acc.scrap += parts;
    }
  }

  /**
   * The machine's active order is {@code orderId} (empty: none) from {@code t}: the time and parts
   * that follow are the order's, until another order is active. An order collects all its active
   * stretches until {@link #finishOrder}.
   */
  public List<Object> activeOrder(String orderId, Instant t) {
    advance(t);
    String id = orderId == null ? "" : orderId;
    if (!id.isEmpty() && !orders.containsKey(id)) {
      // The first order period starts when the gateway first saw it active.
      orders.put(id, new Acc(new Window("order", id, t, t), since == null));
    }
    activeOrder = id;
    return drain();
  }

  /**
   * The order is done: its time per category while it was active, and OEE from the order's own good
   * and scrap counts (the machine's, exact) when given, else from the counter increments while it
   * was active.
   */
  public Optional<Period> finishOrder(
      String orderId, OptionalLong orderGood, OptionalLong orderScrap, Instant end) {
    Acc acc = orders.remove(orderId);
    if (acc == null) {
      return Optional.empty();
    }
    if (activeOrder.equals(orderId)) {
      activeOrder = "";
    }
    Acc done = new Acc(new Window("order", orderId, acc.window.start(), end), acc.partial);
    done.time.putAll(acc.time);
    done.good = orderGood.orElse(acc.good);
    done.scrap = orderScrap.orElse(acc.scrap);
    return Optional.of(close(done));
  }

  /** What this call completed (none: an empty list), handed over. */
  private List<Object> drain() {
    if (completed.isEmpty()) {
      return List.of();
    }
    List<Object> out = List.copyOf(completed);
    completed.clear();
    return out;
  }

  /** Attributes the time up to {@code t} and closes every period that ended by then. */
  private void advance(Instant t) {
    if (now == null) {
      now = t;
      interval = new Acc(intervalAt(t), true);
      shift = settings.shifts().map(s -> new Acc(s.at(t), true)).orElse(null);
      return;
    }
    if (!t.isAfter(now)) {
      return; // late or equal: its time is already attributed
    }
    while (true) {
      Instant next = interval.window.end();
      if (shift != null && shift.window.end().isBefore(next)) {
        next = shift.window.end();
      }
      if (next.isAfter(t)) {
        break;
      }
      spendAll(next);
      now = next;
      if (interval.window.end().equals(next)) {
        completed.add(close(interval));
        interval = new Acc(intervalAt(next), false);
      }
      if (shift != null && shift.window.end().equals(next)) {
        completed.add(close(shift));
        shift = new Acc(settings.shifts().orElseThrow().at(next), false);
      }
    }
    spendAll(t);
    now = t;
  }

  /** The time up to {@code until} to the interval, the shift and the active order. */
  private void spendAll(Instant until) {
    spend(interval, until);
    spend(shift, until);
    spend(orders.get(activeOrder), until);
  }

  /** Adds the time from {@code now} to {@code until} to the accumulator, in the current state. */
  private void spend(Acc acc, Instant until) {
    if (acc == null) {
      return;
    }
    Instant from = now.isBefore(acc.window.start()) ? acc.window.start() : now;
    if (until.isAfter(from)) {
      acc.time.merge(state.category(), Duration.between(from, until), Duration::plus);
    }
  }

  private Window intervalAt(Instant t) {
    long ms = settings.interval().toMillis();
    long start = Math.floorDiv(t.toEpochMilli(), ms) * ms;
    return new Window(
        "interval", "", Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + ms));
  }

  private Period close(Acc acc) {
    if (acc == interval) {
      closedGood = good.last();
      closedScrap = scrap.last();
    }
    Duration running = acc.time.get(Category.RUNNING);
    Duration unplanned = acc.time.get(Category.UNPLANNED_STOP);
    long total = acc.good + acc.scrap;
    OptionalDouble availability =
        ratio(running.toMillis(), running.toMillis() + unplanned.toMillis());
    double idealPerPart =
        settings.idealCycleTime().toMillis() / (double) Math.max(1, settings.partsPerCycle());
    OptionalDouble performance =
        running.isZero()
            ? OptionalDouble.empty()
            : OptionalDouble.of(total * idealPerPart / running.toMillis());
    OptionalDouble quality = ratio(acc.good, total);
    OptionalDouble oee =
        availability.isPresent() && performance.isPresent() && quality.isPresent()
            ? OptionalDouble.of(
                availability.getAsDouble() * performance.getAsDouble() * quality.getAsDouble())
            : OptionalDouble.empty();
    Optional<Duration> cycle =
        total == 0 || running.isZero()
            ? Optional.empty()
            : Optional.of(
                Duration.ofMillis(
                    Math.round(
                        running.toMillis()
                            * Math.max(1, settings.partsPerCycle())
                            / (double) total)));
    return new Period(
        acc.window,
        acc.partial,
        acc.good,
        acc.scrap,
        Map.copyOf(acc.time),
        availability,
        performance,
        quality,
        oee,
        cycle);
  }

  private static OptionalDouble ratio(double part, double whole) {
    return whole > 0 ? OptionalDouble.of(part / whole) : OptionalDouble.empty();
  }
}
