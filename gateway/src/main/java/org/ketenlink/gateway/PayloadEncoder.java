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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.production.MachineProduction;
import org.ketenlink.gateway.production.OrderLifecycle;
import org.ketenlink.gateway.production.StateModel;

/**
 * Encodes payloads as compact JSON, as specified by the JSON Schemas in {@code docs/schemas}.
 * Stateless apart from a reused buffer; not thread-safe (the pipeline thread owns it).
 */
final class PayloadEncoder {

  static final String SAMPLE_SCHEMA = "ketenlink.sample/1";
  static final String STATUS_SCHEMA = "ketenlink.status/1";
  static final String SHARE_SCHEMA = "ketenlink.share/1";
  static final String ORDER_SCHEMA = "ketenlink.order/1";
  static final String STATE_SCHEMA = "ketenlink.state/1";
  static final String PRODUCTION_SCHEMA = "ketenlink.production/1";
  static final String PERFORMANCE_SCHEMA = "ketenlink.performance/1";
  static final String BATCH_SCHEMA = "ketenlink.batch/1";
  static final String CONTENT_TYPE = "application/json";

  /** UTC, ISO-8601, always with milliseconds. */
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private final JsonFactory factory = new JsonFactory();
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
  private final String gatewayId;
  private final String run;
  private final TimeText sourceTimes = new TimeText();
  private final TimeText gatewayTimes = new TimeText();

  /**
   * @param run identifies this gateway run; with {@code seq} it makes every message unique
   */
  PayloadEncoder(String gatewayId, String run) {
    this.gatewayId = gatewayId;
    this.run = run;
  }

  byte[] sample(NormalisedSample s) {
    return encode(
        g -> {
          header(g, SAMPLE_SCHEMA, s.seq());
          g.writeStringField("asset", s.stream().asset());
          sampleFields(g, s);
          g.writeEndObject();
        });
  }

  /**
   * One publishing cycle of one source ({@code ketenlink.batch/1}): its values in the order they
   * came, each with the fields of its own sample message and its own stream's {@code seq}.
   *
   * @param seq the batch's number on its topic
   */
  byte[] batch(String asset, String sourceId, long seq, List<NormalisedSample> values) {
    return encode(
        g -> {
          header(g, BATCH_SCHEMA, seq);
          g.writeStringField("asset", asset);
          g.writeStringField("source", sourceId);
          g.writeNumberField("count", values.size());
          g.writeArrayFieldStart("values");
          for (NormalisedSample s : values) {
            g.writeStartObject();
            g.writeNumberField("seq", s.seq());
            sampleFields(g, s);
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        });
  }

  /** What a value's sample message and its entry in a batch have in common. */
  private void sampleFields(JsonGenerator g, NormalisedSample s) throws IOException {
    g.writeStringField("signal", s.stream().name());
    g.writeStringField("kind", s.stream().kind().topicName());
    g.writeFieldName("value");
    writeValue(g, s.value());
    if (s.unit().isPresent()) {
      writeUnit(g, s.unit().get());
    }
    g.writeStringField("quality", s.quality().label());
    g.writeStringField("status", statusText(s.statusCode()));
    g.writeStringField("sourceTime", sourceTimes.format(s.sourceTime()));
    g.writeStringField("gatewayTime", gatewayTimes.format(s.gatewayTime()));
  }

  /**
   * {@link #TIME} with the last result kept: the values of one publish mostly share their source
   * time, and values normalised within one millisecond their gateway time.
   */
  private static final class TimeText {
    private long millis = Long.MIN_VALUE;
    private String text;

    String format(Instant t) {
      long ms = t.toEpochMilli();
      if (ms != millis || text == null) {
        text = TIME.format(t);
        millis = ms;
      }
      return text;
    }
  }

  /**
   * A partner's view of one value ({@code ketenlink.share/1}): the sample's fields, under the
   * partner's own sequence number, less the fields its agreement redacts.
   */
  byte[] share(NormalisedSample s, Sharer.Grant grant, long seq) {
    Set<String> redact = grant.agreement().redact();
    return encode(
        g -> {
          shareHeader(g, grant, seq, s.stream());
          g.writeFieldName("value");
          writeValue(g, s.value());
          if (s.unit().isPresent() && !redact.contains("unit")) {
            writeUnit(g, s.unit().get());
          }
          if (!redact.contains("quality")) {
            g.writeStringField("quality", s.quality().label());
          }
          if (!redact.contains("status")) {
            g.writeStringField("status", statusText(s.statusCode()));
          }
          if (!redact.contains("sourceTime")) {
            g.writeStringField("sourceTime", sourceTimes.format(s.sourceTime()));
          }
          if (!redact.contains("gatewayTime")) {
            g.writeStringField("gatewayTime", gatewayTimes.format(s.gatewayTime()));
          }
          g.writeEndObject();
        });
  }

  /** A partner's aggregated view of one window ({@code ketenlink.share/1} with a window). */
  byte[] shareWindow(Sharer.Grant grant, long seq, Sharer.Window w) {
    Set<String> redact = grant.agreement().redact();
    return encode(
        g -> {
          shareHeader(g, grant, seq, grant.stream());
          g.writeObjectFieldStart("window");
          g.writeStringField("start", TIME.format(w.start()));
          g.writeStringField("end", TIME.format(w.end()));
          g.writeEndObject();
          for (GatewayConfig.Aggregate a : grant.agreement().granularity().aggregates()) {
            g.writeFieldName(a.key());
            switch (a) {
              case LAST -> writeValue(g, w.last());
              case COUNT -> g.writeNumber(w.count());
              case MIN -> writeNumberOrNull(g, w.numeric() == 0 ? null : w.min());
              case MAX -> writeNumberOrNull(g, w.numeric() == 0 ? null : w.max());
              case AVG -> writeNumberOrNull(g, w.numeric() == 0 ? null : w.sum() / w.numeric());
            }
          }
          if (w.unit().isPresent() && !redact.contains("unit")) {
            writeUnit(g, w.unit().get());
          }
          if (!redact.contains("quality")) {
            g.writeStringField("quality", w.worst().label());
          }
          g.writeEndObject();
        });
  }

  private void shareHeader(JsonGenerator g, Sharer.Grant grant, long seq, StreamSpec stream)
      throws IOException {
    header(g, SHARE_SCHEMA, seq);
    g.writeStringField("partner", grant.agreement().partner());
    g.writeStringField("agreement", grant.agreement().id());
    if (!grant.agreement().redact().contains("asset")) {
      g.writeStringField("asset", stream.asset());
    }
    g.writeStringField("signal", stream.name());
    g.writeStringField("kind", stream.kind().topicName());
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * An OPC UA status code as {@code 0x} and eight upper-case hex digits; {@code String.format} did
   * this at a tenth of the pipeline thread's time per value (docs/benchmarks.md).
   */
  static String statusText(long statusCode) {
    if (statusCode == 0) {
      return "0x00000000";
    }
    char[] c = new char[10];
    c[0] = '0';
    c[1] = 'x';
    for (int i = 0; i < 8; i++) {
      c[9 - i] = HEX[(int) (statusCode >>> (4 * i)) & 0xF];
    }
    return new String(c);
  }

  /** What writes one payload's JSON. */
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** One payload: {@code body} written into the reused buffer, handed out as its own bytes. */
  private byte[] encode(Body body) {
    buffer.reset();
    try (JsonGenerator g = factory.createGenerator(buffer, JsonEncoding.UTF8)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  /** Opens the object with what every numbered message starts with: schema, gateway, run, seq. */
  private void header(JsonGenerator g, String schema, long seq) throws IOException {
    g.writeStartObject();
    g.writeStringField("schema", schema);
    g.writeStringField("gateway", gatewayId);
    g.writeStringField("run", run);
    g.writeNumberField("seq", seq);
  }

  /**
   * A message the broker keeps as the topic's latest (QoS 1, retained, no expiry): an order's
   * status, a machine's state, its last period.
   */
  static Message retained(String topic, byte[] payload, Map<String, String> properties) {
    return new Message(topic, payload, 1, true, Optional.empty(), CONTENT_TYPE, properties);
  }

  private static void writeUnit(JsonGenerator g, Unit unit) throws IOException {
    g.writeObjectFieldStart("unit");
    g.writeStringField("code", unit.code());
    g.writeStringField("symbol", unit.symbol());
    g.writeEndObject();
  }

  private static void writeNumberOrNull(JsonGenerator g, Double d) throws IOException {
    if (d == null) {
      g.writeNull();
    } else {
      writeValue(g, new Value.Real(d));
    }
  }

  /**
   * One order event ({@code ketenlink.order/1}); for a partner's view also its partner and
   * agreement, less the fields the agreement redacts.
   */
  byte[] order(
      OrderLifecycle.OrderEvent e,
      String asset,
      long seq,
      Instant machineTime,
      Instant gatewayTime,
      Optional<AgreementConfig> agreement) {
    Set<String> redact = agreement.map(AgreementConfig::redact).orElse(Set.of());
    OrderFacts o = e.order();
    return encode(
        g -> {
          header(g, ORDER_SCHEMA, seq);
          viewOf(g, agreement, asset);
          g.writeStringField("order", o.orderId());
          g.writeStringField("event", e.event().wire());
          g.writeStringField("customer", o.customer());
          g.writeStringField("article", o.article());
          g.writeStringField("state", o.state());
          g.writeNumberField("planned", o.planned());
          g.writeNumberField("good", o.good());
          g.writeNumberField("scrap", o.scrap());
          writeTime(g, "start", o.start());
          writeTime(g, "end", o.end());
          writeTime(g, "due", o.due());
          writeTime(g, "projectedEnd", e.projectedEnd());
          g.writeBooleanField("atRisk", e.atRisk());
          if (e.goodPerHour().isPresent()) {
            g.writeNumberField("goodPerHour", Math.round(e.goodPerHour().get() * 100) / 100.0);
          } else {
            g.writeNullField("goodPerHour");
          }
          if (!redact.contains("sourceTime")) {
            g.writeStringField("machineTime", TIME.format(machineTime));
          }
          gatewayTime(g, agreement, gatewayTime);
          g.writeEndObject();
        });
  }

  /** In a partner's view, its partner and agreement; the asset unless the agreement redacts it. */
  private static void viewOf(JsonGenerator g, Optional<AgreementConfig> agreement, String asset)
      throws IOException {
    if (agreement.isPresent()) {
      g.writeStringField("partner", agreement.get().partner());
      g.writeStringField("agreement", agreement.get().id());
    }
    if (agreement.isEmpty() || !agreement.get().redact().contains("asset")) {
      g.writeStringField("asset", asset);
    }
  }

  private static void gatewayTime(
      JsonGenerator g, Optional<AgreementConfig> agreement, Instant gatewayTime)
      throws IOException {
    if (agreement.isEmpty() || !agreement.get().redact().contains("gatewayTime")) {
      g.writeStringField("gatewayTime", TIME.format(gatewayTime));
    }
  }

  /**
   * A machine state change ({@code ketenlink.state/1}) with the stretch it ended; for a partner's
   * view also its partner and agreement, less the fields the agreement redacts.
   */
  byte[] state(
      MachineProduction.StateChange c,
      String asset,
      long seq,
      Instant gatewayTime,
      Optional<AgreementConfig> agreement) {
    return encode(
        g -> {
          header(g, STATE_SCHEMA, seq);
          viewOf(g, agreement, asset);
          g.writeStringField("state", c.state().name());
          g.writeStringField("category", c.state().category().wire());
          g.writeStringField("reason", c.reason());
          g.writeStringField("since", TIME.format(c.since()));
          if (c.ended().isPresent()) {
            MachineProduction.Segment s = c.ended().get();
            g.writeObjectFieldStart("previous");
            g.writeStringField("state", s.state().name());
            g.writeStringField("category", s.state().category().wire());
            g.writeStringField("reason", s.reason());
            g.writeStringField("start", TIME.format(s.start()));
            g.writeStringField("end", TIME.format(s.end()));
            g.writeNumberField("seconds", s.duration().toMillis() / 1000.0);
            g.writeEndObject();
          } else {
            g.writeNullField("previous");
          }
          gatewayTime(g, agreement, gatewayTime);
          g.writeEndObject();
        });
  }

  /**
   * A finished period's counts, time and OEE ({@code ketenlink.production/1}); for a partner's view
   * also its partner and agreement, less the fields the agreement redacts.
   */
  byte[] production(
      MachineProduction.Period p,
      String asset,
      long seq,
      Instant gatewayTime,
      Optional<AgreementConfig> agreement) {
    return encode(
        g -> {
          header(g, PRODUCTION_SCHEMA, seq);
          viewOf(g, agreement, asset);
          g.writeObjectFieldStart("window");
          g.writeStringField("kind", p.window().kind());
          if (!p.window().name().isEmpty()) {
            g.writeStringField("name", p.window().name());
          }
          g.writeStringField("start", TIME.format(p.window().start()));
          g.writeStringField("end", TIME.format(p.window().end()));
          g.writeBooleanField("partial", p.partial());
          g.writeEndObject();
          g.writeNumberField("good", p.good());
          g.writeNumberField("scrap", p.scrap());
          g.writeObjectFieldStart("seconds");
          for (StateModel.Category c : StateModel.Category.values()) {
            g.writeNumberField(c.wire(), p.time().get(c).toMillis() / 1000.0);
          }
          g.writeEndObject();
          writeRatio(g, "availability", p.availability());
          writeRatio(g, "performance", p.performance());
          writeRatio(g, "quality", p.quality());
          writeRatio(g, "oee", p.oee());
          if (p.averageCycle().isPresent()) {
            g.writeNumberField("averageCycleSeconds", p.averageCycle().get().toMillis() / 1000.0);
          } else {
            g.writeNullField("averageCycleSeconds");
          }
          gatewayTime(g, agreement, gatewayTime);
          g.writeEndObject();
        });
  }

  /**
   * One completed (or aborted) order's production performance in the shape of ISA-95 Part 4 / B2MML
   * {@code ProductionPerformance} ({@code ketenlink.performance/1}): one production response for
   * the order with one segment response on the machine, the material produced (good and scrap of
   * the article), the machine's time per category and the order's OEE as segment data.
   */
  byte[] performance(
      OrderFacts o,
      boolean aborted,
      MachineProduction.Period p,
      String asset,
      long seq,
      Instant gatewayTime,
      Optional<AgreementConfig> agreement) {
    String start = TIME.format(o.start().orElse(p.window().start()));
    String end = TIME.format(o.end().orElse(p.window().end()));
    String state = aborted ? "Aborted" : "Completed";
    return encode(
        g -> {
          header(g, PERFORMANCE_SCHEMA, seq);
          viewOf(g, agreement, asset);
          g.writeStringField("order", o.orderId());
          gatewayTime(g, agreement, gatewayTime);
          g.writeObjectFieldStart("ProductionPerformance");
          g.writeStringField("ID", o.orderId());
          g.writeStringField("Description", "Production performance of order " + o.orderId());
          g.writeObjectFieldStart("HierarchyScope");
          g.writeStringField("EquipmentID", asset);
          g.writeStringField("EquipmentElementLevel", "WorkCell");
          g.writeEndObject();
          g.writeStringField("PublishedDate", TIME.format(gatewayTime));
          g.writeStringField("StartTime", start);
          g.writeStringField("EndTime", end);
          g.writeArrayFieldStart("ProductionResponse");
          g.writeStartObject();
          g.writeStringField("ID", o.orderId());
          g.writeStringField("ProductionRequestID", o.orderId());
          g.writeStringField("StartTime", start);
          g.writeStringField("EndTime", end);
          g.writeStringField("ResponseState", state);
          g.writeArrayFieldStart("SegmentResponse");
          g.writeStartObject();
          g.writeStringField("ID", o.orderId() + "/" + asset.substring(asset.lastIndexOf('/') + 1));
          g.writeStringField("ActualStartTime", start);
          g.writeStringField("ActualEndTime", end);
          g.writeStringField("SegmentState", state);
          g.writeArrayFieldStart("EquipmentActual");
          g.writeStartObject();
          g.writeStringField("EquipmentID", asset);
          g.writeStringField("EquipmentUse", "Production");
          g.writeArrayFieldStart("Quantity");
          for (StateModel.Category c : StateModel.Category.values()) {
            quantity(g, c.wire(), decimal(p.time().get(c).toMillis() / 1000.0), "decimal", "s");
          }
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndArray();
          g.writeArrayFieldStart("MaterialProducedActual");
          material(g, o.article(), "good", p.good());
          material(g, o.article(), "scrap", p.scrap());
          g.writeEndArray();
          g.writeArrayFieldStart("SegmentData");
          data(g, "Customer", o.customer(), "string", "");
          data(g, "PlannedQuantity", Long.toString(o.planned()), "integer", "pcs");
          if (o.due().isPresent()) {
            data(g, "DueDate", TIME.format(o.due().get()), "dateTime", "");
          }
          ratioData(g, "Availability", p.availability());
          ratioData(g, "Performance", p.performance());
          ratioData(g, "Quality", p.quality());
          ratioData(g, "OEE", p.oee());
          if (p.averageCycle().isPresent()) {
            data(
                g,
                "AverageCycleTime",
                decimal(p.averageCycle().get().toMillis() / 1000.0),
                "decimal",
                "s");
          }
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndArray();
          g.writeEndObject();
          g.writeEndObject();
        });
  }

  private static void material(JsonGenerator g, String article, String quality, long count)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("MaterialDefinitionID", article);
    g.writeStringField("MaterialUse", "Produced");
    g.writeArrayFieldStart("Quantity");
    quantity(g, quality, Long.toString(count), "integer", "pcs");
    g.writeEndArray();
    g.writeArrayFieldStart("MaterialActualProperty");
    g.writeStartObject();
    g.writeStringField("ID", "QualityStatus");
    g.writeObjectFieldStart("Value");
    g.writeStringField("ValueString", quality);
    g.writeStringField("DataType", "string");
    g.writeEndObject();
    g.writeEndObject();
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void quantity(
      JsonGenerator g, String key, String value, String dataType, String unit) throws IOException {
    g.writeStartObject();
    g.writeStringField("Key", key);
    g.writeStringField("QuantityString", value);
    g.writeStringField("DataType", dataType);
    g.writeStringField("UnitOfMeasure", unit);
    g.writeEndObject();
  }

  private static void data(JsonGenerator g, String id, String value, String dataType, String unit)
      throws IOException {
    g.writeStartObject();
    g.writeStringField("ID", id);
    g.writeObjectFieldStart("Value");
    g.writeStringField("ValueString", value);
    g.writeStringField("DataType", dataType);
    if (!unit.isEmpty()) {
      g.writeStringField("UnitOfMeasure", unit);
    }
    g.writeEndObject();
    g.writeEndObject();
  }

  private static void ratioData(JsonGenerator g, String id, java.util.OptionalDouble r)
      throws IOException {
    if (r.isPresent()) {
      data(g, id, decimal(Math.round(r.getAsDouble() * 10_000) / 10_000.0), "decimal", "");
    }
  }

  /** A decimal without exponent or trailing zeros, as B2MML's QuantityString wants it. */
  private static String decimal(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static void writeRatio(JsonGenerator g, String field, java.util.OptionalDouble r)
      throws IOException {
    if (r.isPresent()) {
      g.writeNumberField(field, Math.round(r.getAsDouble() * 10_000) / 10_000.0);
    } else {
      g.writeNullField(field);
    }
  }

  private static void writeTime(JsonGenerator g, String field, Optional<Instant> t)
      throws IOException {
    if (t.isPresent()) {
      g.writeStringField(field, TIME.format(t.get()));
    } else {
      g.writeNullField(field);
    }
  }

  /** The retained gateway status: {@code online} as birth, {@code offline} as Last Will. */
  byte[] status(String state, Instant since, String version) {
    return encode(
        g -> {
          g.writeStartObject();
          g.writeStringField("schema", STATUS_SCHEMA);
          g.writeStringField("gateway", gatewayId);
          g.writeStringField("run", run);
          g.writeStringField("state", state);
          g.writeStringField("since", TIME.format(since));
          g.writeStringField("version", version);
          g.writeEndObject();
        });
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
