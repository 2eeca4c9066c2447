package org.ketenlink.gateway;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.SignalInfo;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.connectors.api.Value;

/**
 * The normalise stage: asset path and stream name from the configuration, unit (configured, else
 * the device's EUInformation), scale and offset, value maps, quality, timestamps and a sequence
 * number per stream.
 *
 * <p>A function over immutable records plus the little state it owns: the units devices declared
 * and the per-stream sequence counters. Not thread-safe: the pipeline thread owns it; only {@link
 * #lastSequences()} may be called from other threads.
 */
final class Normaliser {

  private final Map<String, StreamSpec> streams;
  private final Map<String, Unit> deviceUnits = new HashMap<>();
  private final Map<String, AtomicLong> sequences = new ConcurrentHashMap<>();

  /**
   * @param streams keyed by {@link #key(String, String)}
   */
  Normaliser(Map<String, StreamSpec> streams) {
    this.streams = Map.copyOf(streams);
  }

  static String key(String sourceId, String signalName) {
    return sourceId + '\u0000' + signalName;
  }

  /**
   * The sequence number each stream's topic was last given (streams that never had a value are
   * absent). Safe from any thread.
   */
  Map<String, Long> lastSequences() {
    Map<String, Long> last = new HashMap<>();
    sequences.forEach((k, seq) -> last.put(streams.get(k).topic(), seq.get()));
    return last;
  }

  /** Remembers the unit a device declares for a signal. */
  void learn(SignalInfo info) {
    String k = key(info.sourceId(), info.signalId());
    info.unit().ifPresentOrElse(u -> deviceUnits.put(k, u), () -> deviceUnits.remove(k));
  }

  /** The normalised sample, or empty for a signal that is not configured. */
  Optional<NormalisedSample> normalise(Sample sample, Instant gatewayTime) {
    String k = key(sample.sourceId(), sample.signalId());
    StreamSpec spec = streams.get(k);
    if (spec == null) {
      return Optional.empty();
    }
    Value value = map(spec, scale(spec, sample.value()));
    Optional<Unit> unit = spec.configuredUnit().or(() -> Optional.ofNullable(deviceUnits.get(k)));
    long seq = sequences.computeIfAbsent(k, x -> new AtomicLong()).incrementAndGet();
    return Optional.of(
        new NormalisedSample(
            spec,
            value,
            unit,
            sample.quality(),
            sample.statusCode(),
            sample.sourceTime(),
            sample.receivedTime(),
            gatewayTime,
            seq));
  }

  private static Value scale(StreamSpec spec, Value v) {
    if (!spec.scaled()) {
      return v;
    }
    if (v instanceof Value.Int || v instanceof Value.Real) {
      return new Value.Real(v.asDouble() * spec.scale() + spec.offset());
    }
    if (v instanceof Value.Array a) {
      return new Value.Array(a.values().stream().map(e -> scale(spec, e)).toList());
    }
    return v;
  }

  private static Value map(StreamSpec spec, Value v) {
    if (spec.valueMap().isEmpty()) {
      return v;
    }
    String text = text(v);
    String mapped = text == null ? null : spec.valueMap().get(text);
    return mapped == null ? v : new Value.Text(mapped);
  }

  /** The text form a value map matches on; null for values that cannot be mapped. */
  private static String text(Value v) {
    if (v instanceof Value.Int i) {
      return Long.toString(i.value());
    }
    if (v instanceof Value.Text t) {
      return t.value();
    }
    if (v instanceof Value.Bool b) {
      return Boolean.toString(b.value());
    }
    if (v instanceof Value.Real r
        && r.value() == Math.rint(r.value())
        && !Double.isInfinite(r.value())) {
      return Long.toString((long) r.value());
    }
    return null;
  }
}
