package org.ketenlink.gateway.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a partner's order command ({@code ketenlink.command/1}) from the bytes it published, and
 * refuses anything that is not exactly one: too large, not UTF-8, not a JSON object, duplicate or
 * unknown fields, wrong types, values out of range, fields that do not belong to the command. It
 * never throws for bad input; every refusal names what is wrong and where. Pure and thread-safe.
 *
 * <pre>
 * {"requestId": "r-17", "command": "changeQuantity", "order": "ORD-1001", "quantity": 120}
 * {"requestId": "r-18", "command": "changeDueDate", "order": "ORD-1001", "due": "2026-12-01T12:00:00Z"}
 * {"requestId": "r-19", "command": "hold" | "cancel" | "status", "order": "ORD-1001"}
 * </pre>
 */
public final class CommandParser {

  /** Commands larger than this are refused unread. */
  public static final int MAX_BYTES = 4096;

  public static final int MAX_QUANTITY = 1_000_000;
  public static final Duration MAX_DUE_AHEAD = Duration.ofDays(5 * 366);

  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern ORDER_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** A partner's order command. */
  public enum Kind {
    CHANGE_QUANTITY("changeQuantity", Set.of("quantity")),
    CHANGE_DUE_DATE("changeDueDate", Set.of("due")),
    HOLD("hold", Set.of()),
    CANCEL("cancel", Set.of()),
    STATUS("status", Set.of());

    private final String wire;
    private final Set<String> arguments;

    Kind(String wire, Set<String> arguments) {
      this.wire = wire;
      this.arguments = arguments;
    }

    public String wire() {
      return wire;
    }

    static Optional<Kind> of(String wire) {
      for (Kind k : values()) {
        if (k.wire.equals(wire)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }

    static String names() {
      List<String> n = new ArrayList<>();
      for (Kind k : values()) {
        n.add(k.wire);
      }
      return String.join(", ", n);
    }
  }

  /** The outcome of parsing: a command or a refusal. */
  public sealed interface Result permits Command, Refusal {}

  /** A well-formed command; {@code quantity} and {@code due} only where the command takes them. */
  public record Command(
      String requestId, Kind kind, String order, Optional<Integer> quantity, Optional<Instant> due)
      implements Result {}

  /**
   * A refused command: every problem, each naming its field; the request id when it could be read
   * (so the reply can carry it).
   */
  public record Refusal(Optional<String> requestId, List<String> problems) implements Result {
    public Refusal {
      problems = List.copyOf(problems);
    }
  }

  private static final Set<String> COMMON = Set.of("requestId", "command", "order");
  private static final Set<String> ALL = Set.of("requestId", "command", "order", "quantity", "due");

  private final ObjectMapper json;
  private final Clock clock;

  public CommandParser(Clock clock) {
    this.clock = clock;
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(8)
                    .maxNumberLength(32)
                    .maxStringLength(MAX_BYTES)
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.json =
        new ObjectMapper(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    this.json.getFactory().disable(JsonParser.Feature.ALLOW_COMMENTS);
  }

  /** Parses one command; never throws for bad input. */
  public Result parse(byte[] payload) {
    if (payload == null || payload.length == 0) {
      return refuse(Optional.empty(), "(message): empty; expected a JSON object");
    }
    if (payload.length > MAX_BYTES) {
      return refuse(
          Optional.empty(),
          "(message): " + payload.length + " bytes; commands are at most " + MAX_BYTES + " bytes");
    }
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(payload));
    } catch (CharacterCodingException e) {
      return refuse(Optional.empty(), "(message): not valid UTF-8");
    }
    JsonNode root;
    try {
      root = json.readTree(payload);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      return refuse(
          Optional.empty(), "(message): not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException | RuntimeException e) {
      return refuse(Optional.empty(), "(message): not readable as JSON");
    }
    if (root == null || !root.isObject()) {
      return refuse(Optional.empty(), "(message): must be a JSON object");
    }

    List<String> problems = new ArrayList<>();
    Optional<String> requestId =
        text(root, "requestId", REQUEST_ID, "1-64 letters, digits, '.', '_', ':' or '-'", problems);
    Optional<String> command = text(root, "command", null, null, problems);
    Optional<String> order =
        text(root, "order", ORDER_ID, "1-64 letters, digits, '.', '_' or '-'", problems);

    Optional<Kind> kind = Optional.empty();
    if (command.isPresent()) {
      kind = Kind.of(command.get());
      if (kind.isEmpty()) {
        problems.add("command: '" + command.get() + "' is not one of " + Kind.names());
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      String field = it.next().getKey();
      if (!ALL.contains(field)) {
        problems.add(
            field
                + ": unknown field; a command has requestId, command, order and, by command, quantity or due");
      } else if (kind.isPresent()
          && !COMMON.contains(field)
          && !kind.get().arguments.contains(field)) {
        problems.add(field + ": does not belong to " + kind.get().wire);
      }
    }

    Optional<Integer> quantity = Optional.empty();
    Optional<Instant> due = Optional.empty();
    if (kind.isPresent() && kind.get().arguments.contains("quantity")) {
      quantity = quantity(root, problems);
    }
    if (kind.isPresent() && kind.get().arguments.contains("due")) {
      due = due(root, problems);
    }
    if (!problems.isEmpty()) {
      return new Refusal(requestId, problems);
    }
    return new Command(
        requestId.orElseThrow(), kind.orElseThrow(), order.orElseThrow(), quantity, due);
  }

  private static Optional<String> text(
      JsonNode root, String field, Pattern pattern, String rule, List<String> problems) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      problems.add(field + ": missing");
      return Optional.empty();
    }
    if (!v.isTextual()) {
      problems.add(field + ": must be a string, not " + type(v));
      return Optional.empty();
    }
    String s = v.asText();
    if (pattern != null && !pattern.matcher(s).matches()) {
      problems.add(field + ": '" + abbreviate(s) + "' is not " + rule);
      return Optional.empty();
    }
    return Optional.of(s);
  }

  private static Optional<Integer> quantity(JsonNode root, List<String> problems) {
    JsonNode v = root.get("quantity");
    if (v == null || v.isNull()) {
      problems.add("quantity: missing (the new planned quantity, 1-" + MAX_QUANTITY + ")");
      return Optional.empty();
    }
    if (!v.isIntegralNumber()) {
      problems.add("quantity: must be a whole number, not " + type(v));
      return Optional.empty();
    }
    if (!v.canConvertToLong() || v.asLong() < 1 || v.asLong() > MAX_QUANTITY) {
      problems.add("quantity: " + abbreviate(v.asText()) + " is out of range 1-" + MAX_QUANTITY);
      return Optional.empty();
    }
    return Optional.of(v.intValue());
  }

  private Optional<Instant> due(JsonNode root, List<String> problems) {
    JsonNode v = root.get("due");
    if (v == null || v.isNull()) {
      problems.add("due: missing (the new due date, e.g. 2026-12-01T12:00:00Z)");
      return Optional.empty();
    }
    if (!v.isTextual()) {
      problems.add("due: must be a date and time string, not " + type(v));
      return Optional.empty();
    }
    Instant due;
    try {
      due = OffsetDateTime.parse(v.asText()).toInstant();
    } catch (DateTimeParseException e) {
      problems.add(
          "due: '" + abbreviate(v.asText()) + "' is not a date and time like 2026-12-01T12:00:00Z");
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (due.isBefore(now)) {
      problems.add("due: " + due + " is in the past");
      return Optional.empty();
    }
    if (due.isAfter(now.plus(MAX_DUE_AHEAD))) {
      problems.add("due: " + due + " is more than five years ahead");
      return Optional.empty();
    }
    return Optional.of(due);
  }

  private static String type(JsonNode v) {
    return switch (v.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }

  private static Refusal refuse(Optional<String> requestId, String problem) {
    return new Refusal(requestId, List.of(problem));
  }
}
