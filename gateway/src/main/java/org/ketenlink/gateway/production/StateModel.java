package org.ketenlink.gateway.production;

import java.util.Locale;
import java.util.Map;

/**
 * How a machine's state signal reads, and what each state means for OEE. The value may be the
 * state's number or its name (as the machine sends it, or after the signal's value map).
 *
 * <ul>
 *   <li>{@link #MACHINERY} — OPC 40001-1 MachineryItemState: 3 Executing = running, 1 OutOfService
 *       = unplanned stop, 2 NotExecuting = planned stop (set-up, or no order), 0 NotAvailable =
 *       unknown (machine off: outside the OEE).
 *   <li>{@link #PACKML} — PackML (ISA-TR88.00.02): Execute and Suspended (a short external stop:
 *       blocked or starved, a performance loss) = running; Held, Aborting, Aborted, Stopping =
 *       unplanned stop; Idle, Stopped, Starting, Completing, Complete, Resetting, Clearing, the
 *       (un)suspending and (un)holding transitions = planned stop; anything else unknown.
 * </ul>
 */
public enum StateModel {
  MACHINERY(
      Map.of(0, "NotAvailable", 1, "OutOfService", 2, "NotExecuting", 3, "Executing"),
      Map.of(
          "executing", Category.RUNNING,
          "outofservice", Category.UNPLANNED_STOP,
          "notexecuting", Category.PLANNED_STOP,
          "notavailable", Category.UNKNOWN)),
  PACKML(
      Map.ofEntries(
          Map.entry(1, "Clearing"),
          Map.entry(2, "Stopped"),
          Map.entry(3, "Starting"),
          Map.entry(4, "Idle"),
          Map.entry(5, "Suspended"),
          Map.entry(6, "Execute"),
          Map.entry(7, "Stopping"),
          Map.entry(8, "Aborting"),
          Map.entry(9, "Aborted"),
          Map.entry(10, "Holding"),
          Map.entry(11, "Held"),
          Map.entry(12, "Unholding"),
          Map.entry(13, "Suspending"),
          Map.entry(14, "Unsuspending"),
          Map.entry(15, "Resetting"),
          Map.entry(16, "Completing"),
          Map.entry(17, "Complete")),
      Map.ofEntries(
          Map.entry("execute", Category.RUNNING),
          Map.entry("suspended", Category.RUNNING),
          Map.entry("held", Category.UNPLANNED_STOP),
          Map.entry("holding", Category.UNPLANNED_STOP),
          Map.entry("aborting", Category.UNPLANNED_STOP),
          Map.entry("aborted", Category.UNPLANNED_STOP),
          Map.entry("stopping", Category.UNPLANNED_STOP),
          Map.entry("idle", Category.PLANNED_STOP),
          Map.entry("stopped", Category.PLANNED_STOP),
          Map.entry("starting", Category.PLANNED_STOP),
          Map.entry("completing", Category.PLANNED_STOP),
          Map.entry("complete", Category.PLANNED_STOP),
          Map.entry("resetting", Category.PLANNED_STOP),
          Map.entry("clearing", Category.PLANNED_STOP),
          Map.entry("unholding", Category.PLANNED_STOP),
          Map.entry("suspending", Category.RUNNING),
          Map.entry("unsuspending", Category.RUNNING)));

  /** What a state counts as. */
  public enum Category {
    /** Operating time: the machine runs (or has a short stop counted as a performance loss). */
    RUNNING,
    /** A planned stop (set-up, no order, break): not part of the time OEE judges. */
    PLANNED_STOP,
    /** An unplanned stop (breakdown, fault): an availability loss. */
    UNPLANNED_STOP,
    /** The machine says nothing usable (off, unknown state, Bad value): outside the OEE. */
    UNKNOWN;

    public String wire() {
      return switch (this) {
        case RUNNING -> "running";
        case PLANNED_STOP -> "plannedStop";
        case UNPLANNED_STOP -> "unplannedStop";
        case UNKNOWN -> "unknown";
      };
    }
  }

  /** A state as the model names it, and its category. */
  public record State(String name, Category category) {
    public static final State UNKNOWN = new State("Unknown", Category.UNKNOWN);
  }

  private final Map<Integer, String> names;
  private final Map<String, Category> categories;

  StateModel(Map<Integer, String> names, Map<String, Category> categories) {
    this.names = names;
    this.categories = categories;
  }

  /** The state a number or name stands for; {@link State#UNKNOWN} for anything else. */
  public State read(Object value) {
    String name = null;
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      name = names.get(n.intValue());
    } else if (value instanceof String s) {
      name = s.trim();
      try {
        name = names.getOrDefault(Integer.parseInt(name), name);
      } catch (NumberFormatException e) {
        // a name
      }
    }
    if (name == null) {
      return State.UNKNOWN;
    }
    Category c = categories.get(name.toLowerCase(Locale.ROOT));
    return c == null ? new State(name, Category.UNKNOWN) : new State(canonical(name), c);
  }

  private String canonical(String name) {
    for (String n : names.values()) {
      if (n.equalsIgnoreCase(name)) {
        return n;
      }
    }
    return name;
  }
}
