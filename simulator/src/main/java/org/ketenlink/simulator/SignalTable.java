package org.ketenlink.simulator;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The current value of every signal of one machine. Reports a change to the listener only when the
 * value really differs, so consumers see the same change semantics a PLC gives.
 *
 * <p>Values are Boolean, Integer (Int32, UInt16), Long (UInt32), Float, Double, String (String and
 * LocalizedText) or Instant (DateTime; {@link #NO_TIME} for "not set").
 */
final class SignalTable {

  /** Stands for an OPC UA null DateTime (an order's end time before it ends). */
  static final Instant NO_TIME = Instant.EPOCH;

  private final String machineId;
  private final FieldlabListener listener;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  SignalTable(String machineId, FieldlabListener listener) {
    this.machineId = machineId;
    this.listener = listener;
  }

  private static final class Entry {
    final SignalDef def;
    Object value;

    Entry(SignalDef def, Object value) {
      this.def = def;
      this.value = value;
    }
  }

  void define(SignalDef def, Object initial, long simMillis) {
    if (!def.machineId().equals(machineId)) {
      throw new IllegalArgumentException(def.key() + " does not belong to " + machineId);
    }
    if (entries.putIfAbsent(def.path(), new Entry(def, initial)) != null) {
      throw new IllegalStateException("signal " + def.key() + " defined twice");
    }
    listener.signalAdded(def, initial, simMillis);
  }

  void set(String path, Object value, long simMillis) {
    Entry e = entries.get(path);
    if (e == null) {
      throw new IllegalArgumentException("no signal " + machineId + "/" + path);
    }
    if (!Objects.equals(e.value, value)) {
      e.value = value;
      listener.signalChanged(e.def, value, simMillis);
    }
  }

  Object get(String path) {
    Entry e = entries.get(path);
    if (e == null) {
      throw new IllegalArgumentException("no signal " + machineId + "/" + path);
    }
    return e.value;
  }

  boolean has(String path) {
    return entries.containsKey(path);
  }

  List<SignalDef> definitions() {
    return entries.values().stream().map(e -> e.def).toList();
  }
}
