package org.ketenlink.connectors.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A typed signal value, independent of the protocol it came from. Integers of every width are
 * {@link Int}, floating point of every width is {@link Real}; an unsigned 64-bit value beyond
 * {@code Long.MAX_VALUE} is carried as {@link Text} of its decimal digits. {@link None} stands for
 * "no value" (a Bad sample usually has none).
 */
public sealed interface Value
    permits Value.Bool,
        Value.Int,
        Value.Real,
        Value.Text,
        Value.Time,
        Value.Bytes,
        Value.Array,
        Value.None {

  /** A Boolean. */
  record Bool(boolean value) implements Value {}

  /** Any integer type. */
  record Int(long value) implements Value {}

  /** Float or Double. */
  record Real(double value) implements Value {}

  /** A string (also LocalizedText's text, NodeIds and other values rendered as text). */
  record Text(String value) implements Value {}

  /** A DateTime. */
  record Time(Instant value) implements Value {}

  /** A ByteString. */
  record Bytes(byte[] value) implements Value {
    @Override
    public boolean equals(Object o) {
      return o instanceof Bytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
      return "Bytes[" + value.length + "]";
    }
  }

  /** A one-dimensional array. */
  record Array(List<Value> values) implements Value {
    public Array {
      values = List.copyOf(values);
    }
  }

  /** No value. */
  enum None implements Value {
    INSTANCE
  }

  /** The value as a double, for scaling and deadbands; NaN when it is not numeric. */
  default double asDouble() {
    if (this instanceof Real r) {
      return r.value();
    }
    if (this instanceof Int i) {
      return i.value();
    }
    if (this instanceof Bool b) {
      return b.value() ? 1 : 0;
    }
    return Double.NaN;
  }
}
