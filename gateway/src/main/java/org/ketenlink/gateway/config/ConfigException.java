package org.ketenlink.gateway.config;

import java.util.List;

/** The configuration cannot be used; lists every problem found, each with the path of its key. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(
        source
            + " has "
            + problems.size()
            + (problems.size() == 1 ? " problem" : " problems")
            + ":\n  - "
            + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem, each starting with the path of the offending key. */
  public List<String> problems() {
    return problems;
  }
}
