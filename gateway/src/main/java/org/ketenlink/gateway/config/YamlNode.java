package org.ketenlink.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, path-aware reads from a YAML tree that collect problems instead of stopping at the first
 * one. Every problem names the full path of its key, e.g. {@code sources[1].endpoint}.
 */
final class YamlNode {

  private static final Pattern SHORT_DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");

  private final JsonNode node;
  private final String path;
  private final List<String> problems;

  YamlNode(JsonNode node, String path, List<String> problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  /** The YAML tree under this node, for expanding a profile into it before it is read. */
  JsonNode tree() {
    return node;
  }

  String at(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String key, String message) {
    problems.add(at(key) + ": " + message);
  }

  boolean has(String key) {
    return node.has(key) && !node.get(key).isNull();
  }

  /** Reports keys not in {@code known}: a typo must not silently fall back to a default. */
  void onlyKeys(Set<String> known) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        problems.add(
            at(k)
                + ": unknown key (expected one of "
                + String.join(", ", known.stream().sorted().toList())
                + ")");
      }
    }
  }

  /** Whether {@code key} is present and a mapping (no problem reported either way). */
  boolean isMapping(String key) {
    return has(key) && node.get(key).isObject();
  }

  Optional<YamlNode> object(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonNode child = node.get(key);
    if (!child.isObject()) {
      problem(key, "must be a mapping");
      return Optional.empty();
    }
    return Optional.of(new YamlNode(child, at(key), problems));
  }

  <T> List<T> list(String key, BiFunction<YamlNode, Integer, T> item) {
    List<T> out = new ArrayList<>();
    if (!has(key)) {
      return out;
    }
    JsonNode arr = node.get(key);
    if (!arr.isArray()) {
      problem(key, "must be a list");
      return out;
    }
    for (int i = 0; i < arr.size(); i++) {
      String p = at(key) + "[" + i + "]";
      if (!arr.get(i).isObject()) {
        problems.add(p + ": must be a mapping");
        continue;
      }
      out.add(item.apply(new YamlNode(arr.get(i), p, problems), i));
    }
    return out;
  }

  /** A list of single values (strings, numbers); empty when absent. */
  List<String> texts(String key) {
    List<String> out = new ArrayList<>();
    if (!has(key)) {
      return out;
    }
    JsonNode arr = node.get(key);
    if (!arr.isArray()) {
      problem(key, "must be a list");
      return out;
    }
    for (int i = 0; i < arr.size(); i++) {
      if (!arr.get(i).isValueNode()) {
        problems.add(at(key) + "[" + i + "]: must be a single value");
      } else {
        out.add(arr.get(i).asText());
      }
    }
    return out;
  }

  /** An ISO-8601 instant such as {@code 2027-01-01T00:00:00Z}. */
  Optional<java.time.Instant> instant(String key) {
    Optional<String> v = text(key);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(java.time.OffsetDateTime.parse(v.get()).toInstant());
    } catch (java.time.format.DateTimeParseException e) {
      problem(key, "'" + v.get() + "' is not a date and time like 2027-01-01T00:00:00Z");
      return Optional.empty();
    }
  }

  Map<String, JsonNode> fields() {
    Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
    node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  Optional<String> text(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    JsonNode v = node.get(key);
    if (!v.isValueNode()) {
      problem(key, "must be a single value");
      return Optional.empty();
    }
    return Optional.of(v.asText());
  }

  String text(String key, String dflt) {
    return text(key).orElse(dflt);
  }

  String requiredText(String key, String hint) {
    Optional<String> v = text(key);
    if (v.isEmpty() || v.get().isBlank()) {
      problem(key, "missing (" + hint + ")");
      return "";
    }
    return v.get();
  }

  /** An identifier that ends up in topics and metric tags. */
  String id(String key, Pattern pattern, String rule, Optional<String> dflt) {
    Optional<String> v = text(key);
    if (v.isEmpty()) {
      if (dflt.isEmpty()) {
        problem(key, "missing (" + rule + ")");
        return "";
      }
      return dflt.get();
    }
    if (!pattern.matcher(v.get()).matches()) {
      problem(key, "'" + v.get() + "' is not allowed: " + rule);
    }
    return v.get();
  }

  double number(String key, double dflt, double min, double max) {
    if (!has(key)) {
      return dflt;
    }
    JsonNode v = node.get(key);
    if (!v.isNumber()) {
      problem(key, "'" + v.asText() + "' is not a number");
      return dflt;
    }
    double d = v.asDouble();
    if (d < min || d > max) {
      problem(key, v.asText() + " is out of range [" + fmt(min) + ", " + fmt(max) + "]");
    }
    return d;
  }

  int integer(String key, int dflt, int min, int max) {
    if (!has(key)) {
      return dflt;
    }
    JsonNode v = node.get(key);
    if (!v.isIntegralNumber()) {
      problem(key, "'" + v.asText() + "' is not a whole number");
      return dflt;
    }
    long l = v.asLong();
    if (l < min || l > max) {
      problem(key, v.asText() + " is out of range [" + min + ", " + max + "]");
      return dflt;
    }
    return (int) l;
  }

  private static final Pattern SIZE =
      Pattern.compile(
          "(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?", Pattern.CASE_INSENSITIVE);

  /** A size in bytes: a whole number, or e.g. {@code 512MiB}, {@code 2GB}. */
  long bytes(String key, long dflt, long min, long max) {
    if (!has(key)) {
      return dflt;
    }
    String text = node.get(key).asText().trim();
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      problem(key, "'" + text + "' is not a size (use e.g. 1073741824, 512MiB or 2GB)");
      return dflt;
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    double factor =
        switch (unit) {
          case "kb" -> 1e3;
          case "kib" -> 1024;
          case "mb" -> 1e6;
          case "mib" -> 1024 * 1024;
          case "gb" -> 1e9;
          case "gib" -> 1024.0 * 1024 * 1024;
          case "tb" -> 1e12;
          case "tib" -> 1024.0 * 1024 * 1024 * 1024;
          default -> 1;
        };
    long bytes = (long) (n * factor);
    if (bytes < min || bytes > max) {
      problem(key, text + " is out of range [" + min + ", " + max + "] bytes");
    }
    return bytes;
  }

  boolean bool(String key, boolean dflt) {
    if (!has(key)) {
      return dflt;
    }
    JsonNode v = node.get(key);
    if (!v.isBoolean()) {
      problem(key, "must be true or false, got '" + v.asText() + "'");
      return dflt;
    }
    return v.asBoolean();
  }

  Duration duration(String key, Duration dflt, Duration min, Duration max) {
    if (!has(key)) {
      return dflt;
    }
    String text = node.get(key).asText().trim();
    Duration d;
    Matcher m = SHORT_DURATION.matcher(text.toLowerCase(Locale.ROOT));
    try {
      if (m.matches()) {
        double amount = Double.parseDouble(m.group(1));
        double ms =
            switch (m.group(2)) {
              case "ms" -> amount;
              case "s" -> amount * 1e3;
              case "m" -> amount * 6e4;
              case "h" -> amount * 3.6e6;
              default -> amount * 8.64e7;
            };
        d = Duration.ofNanos(Math.round(ms * 1e6));
      } else {
        d = Duration.parse(text);
      }
    } catch (DateTimeParseException e) {
      problem(key, "'" + text + "' is not a duration (use e.g. 250ms, 10s, 5m, 1h or PT10S)");
      return dflt;
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problem(key, text + " is out of range [" + fmtDuration(min) + ", " + fmtDuration(max) + "]");
    }
    return d;
  }

  <E extends Enum<E>> E choice(String key, Map<String, E> choices, E dflt) {
    Optional<String> v = text(key);
    if (v.isEmpty()) {
      return dflt;
    }
    E e = choices.get(v.get());
    if (e == null) {
      problem(key, "'" + v.get() + "' is not one of " + String.join(", ", choices.keySet()));
      return dflt;
    }
    return e;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static String fmtDuration(Duration d) {
    long ms = d.toMillis();
    if (ms >= 86_400_000 && ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms >= 3_600_000 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms >= 60_000 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms >= 1000 && ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
