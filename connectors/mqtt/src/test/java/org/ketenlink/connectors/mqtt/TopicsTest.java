package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicsTest {
  @Test
  void filtersMatchAsMqttSays() {
    assertThat(Topics.matches("a/+/c/#", "a/b/c")).isTrue();
    assertThat(Topics.matches("a/+/c/#", "a/b/c/d/e")).isTrue();
    assertThat(Topics.matches("a/+/c/#", "a/b/x")).isFalse();
    assertThat(Topics.matches("a/+", "a/b/c")).isFalse();
    assertThat(Topics.matches("a/+", "a/")).isTrue();
    assertThat(Topics.matches("a/b", "a/b")).isTrue();
    assertThat(Topics.matches("a/b", "a/b/")).isFalse();
    assertThat(Topics.matches("#", "$SYS/x")).isFalse();
    assertThat(Topics.matches("+/x", "$SYS/x")).isFalse();
    assertThat(Topics.matches("$SYS/#", "$SYS/x")).isTrue();
  }

  @Test
  void badFiltersAreNamed() {
    assertThat(Topics.filterProblem("a/#")).isEmpty();
    assertThat(Topics.filterProblem("+/+/#")).isEmpty();
    assertThat(Topics.filterProblem("")).contains("must not be empty");
    assertThat(Topics.filterProblem("a#")).get().asString().contains("'#'");
    assertThat(Topics.filterProblem("a/#/b")).get().asString().contains("'#'");
    assertThat(Topics.filterProblem("a/b+")).get().asString().contains("'+'");
  }
}
