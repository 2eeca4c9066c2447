package org.ketenlink.connectors.opcua;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.types.UaEnumeratedType;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.Matrix;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.XmlElement;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.ULong;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;
import org.eclipse.milo.opcua.stack.core.util.ArrayUtil;
import org.jspecify.annotations.Nullable;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.Value;

/**
 * Turns OPC UA data values into connector samples. Pure functions: no I/O, no clock.
 *
 * <p>Mapping of the built-in types: Boolean to {@link Value.Bool}; SByte, Byte, Int16, UInt16,
 * Int32, UInt32, Int64, StatusCode (its raw code) and enumerations to {@link Value.Int}; UInt64 to
 * {@link Value.Int}, or {@link Value.Text} of its digits above {@code Long.MAX_VALUE}; Float and
 * Double to {@link Value.Real} (a Float keeps its shortest decimal form, so {@code 0.1f} becomes
 * {@code 0.1}, not {@code 0.10000000149}); String, LocalizedText (its text), QualifiedName (its
 * name), NodeId and ExpandedNodeId (text form), Guid and XmlElement to {@link Value.Text}; DateTime
 * to {@link Value.Time}; ByteString to {@link Value.Bytes}; DataValue and Variant to their value;
 * one-dimensional arrays to {@link Value.Array}, matrices to nested arrays. Null, and the "null"
 * DateTime / ByteString / LocalizedText / XmlElement / QualifiedName, become {@link Value.None}.
 * ExtensionObjects (structures) and anything else become {@link Value.Text} of their decoded {@code
 * toString()}: readable, but not a stable format.
 */
final class Values {

  private Values() {}

  /**
   * One sample: the value converted, the quality from the status code's severity, the raw status
   * kept, and the source time (else the server time, else {@code received}).
   */
  static Sample toSample(
      String sourceId,
      String signalId,
      DataValue dv,
      Instant received,
      @Nullable EncodingContext context) {
    long status = statusCode(dv);
    return new Sample(
        sourceId,
        signalId,
        toValue(dv.value(), context),
        Quality.ofStatusCode(status),
        status,
        sourceTime(dv, received),
        received);
  }

  /** The raw status code as an unsigned 32-bit value; a missing one is Good. */
  static long statusCode(DataValue dv) {
    StatusCode sc = dv.statusCode();
    return sc == null ? 0L : sc.value() & 0xFFFFFFFFL;
  }

  /** The source timestamp, else the server timestamp, else {@code received}. */
  static Instant sourceTime(DataValue dv, Instant received) {
    DateTime source = dv.sourceTime();
    if (source != null && source.isNotNull()) {
      return source.getJavaInstant();
    }
    DateTime server = dv.serverTime();
    if (server != null && server.isNotNull()) {
      return server.getJavaInstant();
    }
    return received;
  }

  static Value toValue(@Nullable Variant v, @Nullable EncodingContext context) {
    return v == null ? Value.None.INSTANCE : toValue(v.value(), context);
  }

  static Value toValue(@Nullable Object v, @Nullable EncodingContext context) {
    if (v == null) {
      return Value.None.INSTANCE;
    }
    if (v instanceof Variant variant) {
      return toValue(variant.value(), context);
    }
    if (v instanceof Boolean b) {
      return new Value.Bool(b);
    }
    if (v instanceof Byte b) {
      return new Value.Int(b);
    }
    if (v instanceof UByte b) {
      return new Value.Int(b.longValue());
    }
    if (v instanceof Short s) {
      return new Value.Int(s);
    }
    if (v instanceof UShort s) {
      return new Value.Int(s.longValue());
    }
    if (v instanceof Integer i) {
      return new Value.Int(i);
    }
    if (v instanceof UInteger i) {
      return new Value.Int(i.longValue());
    }
    if (v instanceof Long l) {
      return new Value.Int(l);
    }
    if (v instanceof ULong l) {
      BigInteger big = l.toBigInteger();
      return big.bitLength() < 64 ? new Value.Int(big.longValue()) : new Value.Text(big.toString());
    }
    if (v instanceof Float f) {
      return new Value.Real(f.isNaN() || f.isInfinite() ? f : Double.parseDouble(f.toString()));
    }
    if (v instanceof Double d) {
      return new Value.Real(d);
    }
    if (v instanceof String s) {
      return new Value.Text(s);
    }
    if (v instanceof DateTime t) {
      return t.isNull() ? Value.None.INSTANCE : new Value.Time(t.getJavaInstant());
    }
    if (v instanceof UUID u) {
      return new Value.Text(u.toString());
    }
    if (v instanceof ByteString bs) {
      return bs.isNull() ? Value.None.INSTANCE : new Value.Bytes(bs.bytesOrEmpty().clone());
    }
    if (v instanceof XmlElement x) {
      return x.isNull() ? Value.None.INSTANCE : new Value.Text(x.getFragmentOrEmpty());
    }
    if (v instanceof NodeId n) {
      return new Value.Text(n.toParseableString());
    }
    if (v instanceof ExpandedNodeId n) {
      return new Value.Text(n.toParseableString());
    }
    if (v instanceof StatusCode sc) {
      return new Value.Int(sc.value() & 0xFFFFFFFFL);
    }
    if (v instanceof QualifiedName q) {
      return q.name() == null ? Value.None.INSTANCE : new Value.Text(q.name());
    }
    if (v instanceof LocalizedText t) {
      return t.text() == null ? Value.None.INSTANCE : new Value.Text(t.text());
    }
    if (v instanceof DataValue dv) {
      return toValue(dv.value(), context);
    }
    if (v instanceof ExtensionObject xo) {
      return new Value.Text(describe(xo, context));
    }
    if (v instanceof UaEnumeratedType e) {
      return new Value.Int(e.getValue());
    }
    if (v instanceof Matrix m) {
      Object flat = m.getElements();
      return flat == null
          ? Value.None.INSTANCE
          : toValue(ArrayUtil.unflatten(flat, m.getDimensions()), context);
    }
    if (v.getClass().isArray()) {
      int n = Array.getLength(v);
      List<Value> values = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        values.add(toValue(Array.get(v, i), context));
      }
      return new Value.Array(values);
    }
    return new Value.Text(String.valueOf(v));
  }

  private static String describe(ExtensionObject xo, @Nullable EncodingContext context) {
    if (context != null && !xo.isNull()) {
      try {
        return String.valueOf(xo.decode(context));
      } catch (RuntimeException e) {
        // A structure this client has no codec for: fall through to its encoding id.
      }
    }
    return "ExtensionObject[encoding=" + xo.getEncodingOrTypeId().toParseableString() + "]";
  }
}
