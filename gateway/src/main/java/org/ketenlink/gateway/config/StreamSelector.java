package org.ketenlink.gateway.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which streams a sharing agreement grants: a pattern over {@code line/machine/kind/name}, written
 * like an MQTT topic filter. {@code +} matches one whole level, {@code #} (last) the rest, and
 * {@code *} inside a level any characters, e.g. {@code line1/+/state/#}, {@code
 * line1/cnc1/data/spindle*}.
 */
public final class StreamSelector {

  private static final Pattern LEVEL = Pattern.compile("[A-Za-z0-9*][A-Za-z0-9._*-]{0,63}");

  private final String text;
  private static final Pattern ANY = Pattern.compile(".+"); // '+'

  private final List<Pattern> levels;
  private final boolean rest;

  private StreamSelector(String text, List<Pattern> levels, boolean rest) {
    this.text = text;
    this.levels = levels;
    this.rest = rest;
  }

  /** The selector, or the reason {@code text} is not one. */
  public static Result parse(String text) {
    String[] parts = text.split("/", -1);
    if (text.isBlank()) {
      return new Result(Optional.empty(), Optional.of("is empty"));
    }
    if (parts.length > 4) {
      return new Result(
          Optional.empty(),
          Optional.of("has " + parts.length + " levels; at most 4: line/machine/kind/name"));
    }
    java.util.ArrayList<Pattern> levels = new java.util.ArrayList<>();
    boolean rest = false;
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (p.equals("#")) {
        if (i != parts.length - 1) {
          return new Result(Optional.empty(), Optional.of("'#' must be the last level"));
        }
        rest = true;
      } else if (p.equals("+")) {
        levels.add(ANY);
      } else if (LEVEL.matcher(p).matches()) {
        levels.add(Pattern.compile(Pattern.quote(p).replace("*", "\\E.*\\Q")));
      } else {
        return new Result(
            Optional.empty(),
            Optional.of(
                "level '"
                    + p
                    + "' is not '+', '#' or letters, digits, '.', '_', '-' and '*' wildcards"));
      }
    }
    if (!rest && levels.size() < 4) {
      return new Result(
          Optional.empty(),
          Optional.of(
              "has "
                  + levels.size()
                  + " levels; give all 4 (line/machine/kind/name) or end with '#'"));
    }
    return new Result(
        Optional.of(new StreamSelector(text, List.copyOf(levels), rest)), Optional.empty());
  }

  /** A parsed selector or the problem with it. */
  public record Result(Optional<StreamSelector> selector, Optional<String> problem) {}

  /** Whether the stream {@code line/machine/kind/name} is selected. */
  public boolean matches(String line, String machine, String kind, String name) {
    String[] values = {line, machine, kind, name};
    for (int i = 0; i < levels.size(); i++) {
      if (!levels.get(i).matcher(values[i]).matches()) {
        return false;
      }
    }
    return rest || levels.size() == 4;
  }

  /** Whether some stream {@code line/machine/kind/<any name>} may be selected. */
  public boolean matchesAnyName(String line, String machine, String kind) {
    String[] values = {line, machine, kind};
    for (int i = 0; i < Math.min(levels.size(), 3); i++) {
      if (!levels.get(i).matcher(values[i]).matches()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StreamSelector other && other.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
