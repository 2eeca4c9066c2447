package org.ketenlink.gateway;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import org.ketenlink.connectors.api.Value;

/**
 * Encodes payloads as compact JSON, as specified by the JSON Schemas in {@code docs/schemas}.
 * Stateless apart from a reused buffer; not thread-safe (the pipeline thread owns it).
 */
final class PayloadEncoder {

  static final String SAMPLE_SCHEMA = "ketenlink.sample/1";
  static final String STATUS_SCHEMA = "ketenlink.status/1";
  static final String CONTENT_TYPE = "application/json";

  /** UTC, ISO-8601, always with milliseconds. */
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final JsonFactory factory = new JsonFactory();
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
  private final String gatewayId;
  private final String run;

  /**
   * @param run identifies this gateway run; with {@code seq} it makes every message unique
   */
  PayloadEncoder(String gatewayId, String run) {
    this.gatewayId = gatewayId;
    this.run = run;
  }

  byte[] sample(NormalisedSample s) {
    buffer.reset();
    try (JsonGenerator g = factory.createGenerator(buffer, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("schema", SAMPLE_SCHEMA);
      g.writeStringField("gateway", gatewayId);
      g.writeStringField("run", run);
      g.writeNumberField("seq", s.seq());
      g.writeStringField("asset", s.stream().asset());
      g.writeStringField("signal", s.stream().name());
      g.writeStringField("kind", s.stream().kind().topicName());
      g.writeFieldName("value");
      writeValue(g, s.value());
      if (s.unit().isPresent()) {
        g.writeObjectFieldStart("unit");
        g.writeStringField("code", s.unit().get().code());
        g.writeStringField("symbol", s.unit().get().symbol());
        g.writeEndObject();
      }
      g.writeStringField("quality", s.quality().label());
      g.writeStringField("status", String.format("0x%08X", s.statusCode()));
      g.writeStringField("sourceTime", TIME.format(s.sourceTime()));
      g.writeStringField("gatewayTime", TIME.format(s.gatewayTime()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** The retained gateway status: {@code online} as birth, {@code offline} as Last Will. */
  byte[] status(String state, Instant since, String version) {
    buffer.reset();
    try (JsonGenerator g = factory.createGenerator(buffer, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("schema", STATUS_SCHEMA);
      g.writeStringField("gateway", gatewayId);
      g.writeStringField("run", run);
      g.writeStringField("state", state);
      g.writeStringField("since", TIME.format(since));
      g.writeStringField("version", version);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private static void writeValue(JsonGenerator g, Value v) throws IOException {
    if (v instanceof Value.Real r) {
      double d = r.value();
      if (Double.isFinite(d)) {
        g.writeNumber(d);
      } else {
        // JSON has no NaN or infinity; the schema allows these three strings instead.
        g.writeString(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
      }
    } else if (v instanceof Value.Int i) {
      g.writeNumber(i.value());
    } else if (v instanceof Value.Bool b) {
      g.writeBoolean(b.value());
    } else if (v instanceof Value.Text t) {
      g.writeString(t.value());
    } else if (v instanceof Value.Time t) {
      g.writeString(TIME.format(t.value()));
    } else if (v instanceof Value.Bytes b) {
      g.writeString(Base64.getEncoder().encodeToString(b.value()));
    } else if (v instanceof Value.Array a) {
      g.writeStartArray();
      for (Value e : a.values()) {
        writeValue(g, e);
      }
      g.writeEndArray();
    } else {
      g.writeNull();
    }
  }
}
