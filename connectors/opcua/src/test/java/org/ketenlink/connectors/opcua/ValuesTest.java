package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ulong;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ushort;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.encoding.DefaultEncodingContext;
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
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.ULong;
import org.eclipse.milo.opcua.stack.core.types.enumerated.ServerState;
import org.eclipse.milo.opcua.stack.core.types.structured.Range;
import org.junit.jupiter.api.Test;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.Value;

class ValuesTest {

  private static Value v(Object o) {
    return Values.toValue(new Variant(o), DefaultEncodingContext.INSTANCE);
  }

  @Test
  void booleanBecomesBool() {
    assertThat(v(true)).isEqualTo(new Value.Bool(true));
    assertThat(v(false)).isEqualTo(new Value.Bool(false));
  }

  @Test
  void everySignedAndUnsignedIntegerBecomesInt() {
    assertThat(v((byte) -5)).isEqualTo(new Value.Int(-5)); // SByte
    assertThat(v(ubyte(255))).isEqualTo(new Value.Int(255)); // Byte
    assertThat(v((short) -300)).isEqualTo(new Value.Int(-300)); // Int16
    assertThat(v(ushort(65_535))).isEqualTo(new Value.Int(65_535)); // UInt16
    assertThat(v(-70_000)).isEqualTo(new Value.Int(-70_000)); // Int32
    assertThat(v(uint(4_294_967_295L))).isEqualTo(new Value.Int(4_294_967_295L)); // UInt32
    assertThat(v(Long.MIN_VALUE)).isEqualTo(new Value.Int(Long.MIN_VALUE)); // Int64
    assertThat(v(ulong(Long.MAX_VALUE))).isEqualTo(new Value.Int(Long.MAX_VALUE)); // UInt64
  }

  @Test
  void anUnsigned64BitValueAboveLongMaxBecomesTextOfItsDigits() {
    assertThat(v(ULong.valueOf(ULong.MAX_VALUE))).isEqualTo(new Value.Text("18446744073709551615"));
    assertThat(v(ULong.valueOf("9223372036854775808")))
        .isEqualTo(new Value.Text("9223372036854775808"));
  }

  @Test
  void floatAndDoubleBecomeRealAndAFloatKeepsItsDecimalForm() {
    assertThat(v(0.1f)).isEqualTo(new Value.Real(0.1));
    assertThat(v(12_000.5)).isEqualTo(new Value.Real(12_000.5));
    assertThat(((Value.Real) v(Float.NaN)).value()).isNaN();
    assertThat(v(Double.NEGATIVE_INFINITY)).isEqualTo(new Value.Real(Double.NEGATIVE_INFINITY));
  }

  @Test
  void textualTypesBecomeText() {
    assertThat(v("Executing")).isEqualTo(new Value.Text("Executing"));
    assertThat(v(LocalizedText.english("Spindel"))).isEqualTo(new Value.Text("Spindel"));
    assertThat(v(new QualifiedName(2, "SpindleSpeed"))).isEqualTo(new Value.Text("SpindleSpeed"));
    assertThat(v(new NodeId(2, "line1/cnc1"))).isEqualTo(new Value.Text("ns=2;s=line1/cnc1"));
    assertThat(v(ExpandedNodeId.parse("nsu=urn:x;i=5"))).isEqualTo(new Value.Text("nsu=urn:x;i=5"));
    UUID guid = UUID.fromString("72962b91-fa75-4ae6-8d28-b404dc7daf63");
    assertThat(v(guid)).isEqualTo(new Value.Text("72962b91-fa75-4ae6-8d28-b404dc7daf63"));
    assertThat(v(XmlElement.of("<a>1</a>"))).isEqualTo(new Value.Text("<a>1</a>"));
  }

  @Test
  void dateTimeBecomesTimeAndTheNullDateTimeNone() {
    Instant t = Instant.parse("2026-01-05T06:00:00.123Z");
    assertThat(v(new DateTime(t))).isEqualTo(new Value.Time(t));
    assertThat(v(DateTime.NULL_VALUE)).isEqualTo(Value.None.INSTANCE);
  }

  @Test
  void byteStringBecomesBytes() {
    assertThat(v(ByteString.of(new byte[] {1, 2, 3})))
        .isEqualTo(new Value.Bytes(new byte[] {1, 2, 3}));
    assertThat(v(ByteString.NULL_VALUE)).isEqualTo(Value.None.INSTANCE);
  }

  @Test
  void statusCodeBecomesItsRawCode() {
    assertThat(v(new StatusCode(StatusCodes.Bad_SensorFailure)))
        .isEqualTo(new Value.Int(StatusCodes.Bad_SensorFailure));
  }

  @Test
  void nullAndNullLikeValuesBecomeNone() {
    assertThat(Values.toValue((Variant) null, null)).isEqualTo(Value.None.INSTANCE);
    assertThat(v(null)).isEqualTo(Value.None.INSTANCE);
    assertThat(v(LocalizedText.NULL_VALUE)).isEqualTo(Value.None.INSTANCE);
    assertThat(v(QualifiedName.NULL_VALUE)).isEqualTo(Value.None.INSTANCE);
    assertThat(v(XmlElement.NULL_VALUE)).isEqualTo(Value.None.INSTANCE);
  }

  @Test
  void nestedDataValueAndVariantBecomeTheirValue() {
    assertThat(v(new DataValue(new Variant(7)))).isEqualTo(new Value.Int(7));
    assertThat(v(new Variant("x"))).isEqualTo(new Value.Text("x"));
  }

  @Test
  void enumerationsBecomeTheirNumber() {
    assertThat(v(ServerState.Running)).isEqualTo(new Value.Int(0));
  }

  @Test
  void aStructureBecomesTextOfItsDecodedForm() {
    ExtensionObject xo =
        ExtensionObject.encode(DefaultEncodingContext.INSTANCE, new Range(0.0, 24_000.0));
    Value value = v(xo);
    assertThat(value).isInstanceOf(Value.Text.class);
    assertThat(((Value.Text) value).value()).contains("24000.0");
    assertThat(Values.toValue(new Variant(xo), null))
        .isEqualTo(new Value.Text("ExtensionObject[encoding=i=886]"));
  }

  @Test
  void oneDimensionalArraysOfEveryKindBecomeArrays() {
    assertThat(v(new Double[] {1.5, 2.5}))
        .isEqualTo(new Value.Array(List.of(new Value.Real(1.5), new Value.Real(2.5))));
    assertThat(v(new Boolean[] {true, false}))
        .isEqualTo(new Value.Array(List.of(new Value.Bool(true), new Value.Bool(false))));
    assertThat(v(new String[] {"a", null}))
        .isEqualTo(new Value.Array(List.of(new Value.Text("a"), Value.None.INSTANCE)));
    assertThat(v(new org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger[] {uint(1)}))
        .isEqualTo(new Value.Array(List.of(new Value.Int(1))));
    assertThat(v(new int[] {3, 4}))
        .isEqualTo(new Value.Array(List.of(new Value.Int(3), new Value.Int(4))));
    assertThat(v(new DateTime[] {DateTime.NULL_VALUE}))
        .isEqualTo(new Value.Array(List.of(Value.None.INSTANCE)));
    assertThat(v(new ByteString[] {ByteString.of(new byte[] {9})}))
        .isEqualTo(new Value.Array(List.of(new Value.Bytes(new byte[] {9}))));
    assertThat(v(new Integer[0])).isEqualTo(new Value.Array(List.of()));
  }

  @Test
  void aMatrixBecomesNestedArrays() {
    Matrix m = new Matrix(new Integer[][] {{1, 2}, {3, 4}});
    assertThat(v(m))
        .isEqualTo(
            new Value.Array(
                List.of(
                    new Value.Array(List.of(new Value.Int(1), new Value.Int(2))),
                    new Value.Array(List.of(new Value.Int(3), new Value.Int(4))))));
  }

  @Test
  void aSampleCarriesQualityRawStatusAndTheSourceTimestamp() {
    Instant source = Instant.parse("2026-01-05T06:00:00Z");
    Instant server = Instant.parse("2026-01-05T06:00:01Z");
    Instant received = Instant.parse("2026-01-05T06:00:02Z");
    DataValue dv =
        new DataValue(
            new Variant(12.5), StatusCode.GOOD, new DateTime(source), new DateTime(server));

    Sample s = Values.toSample("cnc1", "speed", dv, received, null);

    assertThat(s)
        .isEqualTo(
            new Sample("cnc1", "speed", new Value.Real(12.5), Quality.GOOD, 0L, source, received));
  }

  @Test
  void aBadValueKeepsItsStatusAndHasNoValue() {
    DataValue dv = new DataValue(new StatusCode(StatusCodes.Bad_SensorFailure));

    Sample s = Values.toSample("cnc1", "power", dv, Instant.EPOCH, null);

    assertThat(s.quality()).isEqualTo(Quality.BAD);
    assertThat(s.statusCode()).isEqualTo(StatusCodes.Bad_SensorFailure);
    assertThat(s.value()).isEqualTo(Value.None.INSTANCE);
  }

  @Test
  void anUncertainStatusIsUncertainAndInfoBitsAreKept() {
    StatusCode uncertainWithOverflow =
        new StatusCode(StatusCodes.Uncertain_SensorNotAccurate).withOverflow();
    DataValue dv = new DataValue(new Variant(1.0), uncertainWithOverflow);

    Sample s = Values.toSample("cnc1", "temp", dv, Instant.EPOCH, null);

    assertThat(s.quality()).isEqualTo(Quality.UNCERTAIN);
    assertThat(s.statusCode()).isEqualTo(uncertainWithOverflow.value());
  }

  @Test
  void withoutSourceTimeTheServerTimeThenTheReceiveTimeIsUsed() {
    Instant server = Instant.parse("2026-01-05T06:00:01Z");
    Instant received = Instant.parse("2026-01-05T06:00:02Z");
    DataValue serverOnly =
        new DataValue(new Variant(1), StatusCode.GOOD, null, new DateTime(server));
    DataValue none = new DataValue(new Variant(1), StatusCode.GOOD, null, null);
    DataValue nullTimes =
        new DataValue(new Variant(1), StatusCode.GOOD, DateTime.NULL_VALUE, DateTime.NULL_VALUE);

    assertThat(Values.toSample("s", "x", serverOnly, received, null).sourceTime())
        .isEqualTo(server);
    assertThat(Values.toSample("s", "x", none, received, null).sourceTime()).isEqualTo(received);
    assertThat(Values.toSample("s", "x", nullTimes, received, null).sourceTime())
        .isEqualTo(received);
  }
}
