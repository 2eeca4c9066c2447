package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ketenlink.gateway.command.CommandParser;

/** The documented command schema and the parser agree on what a command is. */
class CommandSchemaTest {
  private final CommandParser parser =
      new CommandParser(Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"requestId\":\"r-1\",\"command\":\"changeQuantity\",\"order\":\"ORD-1\",\"quantity\":120}",
        "{\"requestId\":\"a.b:c_d-1\",\"command\":\"changeDueDate\",\"order\":\"O.1\",\"due\":\"2026-12-01T12:00:00+01:00\"}",
        "{\"requestId\":\"r-3\",\"command\":\"hold\",\"order\":\"ORD-1\"}",
        "{\"requestId\":\"r-4\",\"command\":\"cancel\",\"order\":\"ORD-1\"}",
        "{\"requestId\":\"r-5\",\"command\":\"status\",\"order\":\"ORD-1\"}"
      })
  void validCommandsAreValidForBoth(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    assertThat(parser.parse(b)).isInstanceOf(CommandParser.Command.class);
    assertThat(Schemas.violations(Schemas.COMMAND, b)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"requestId\":\"r-1\",\"command\":\"changeQuantity\",\"order\":\"ORD-1\"}",
        "{\"requestId\":\"r-1\",\"command\":\"changeQuantity\",\"order\":\"ORD-1\",\"quantity\":0}",
        "{\"requestId\":\"r-1\",\"command\":\"changeQuantity\",\"order\":\"ORD-1\",\"quantity\":1000001}",
        "{\"requestId\":\"r-1\",\"command\":\"hold\",\"order\":\"ORD-1\",\"quantity\":5}",
        "{\"requestId\":\"r-1\",\"command\":\"status\",\"order\":\"ORD-1\",\"extra\":true}",
        "{\"requestId\":\"r 1\",\"command\":\"status\",\"order\":\"ORD-1\"}",
        "{\"requestId\":\"r-1\",\"command\":\"delete\",\"order\":\"ORD-1\"}",
        "{\"requestId\":\"r-1\",\"command\":\"status\",\"order\":\"ORD/1\"}",
        "{\"command\":\"status\",\"order\":\"ORD-1\"}",
        "{\"requestId\":\"r-1\",\"command\":\"changeDueDate\",\"order\":\"O\",\"due\":\"2026-12-01T12:00:00+01:00\",\"quantity\":3}"
      })
  void invalidCommandsAreInvalidForBoth(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    assertThat(parser.parse(b)).isInstanceOf(CommandParser.Refusal.class);
    assertThat(Schemas.violations(Schemas.COMMAND, b)).isNotEmpty();
  }

  @Test
  void theSchemaFileNamesTheFormat() throws Exception {
    assertThat(java.nio.file.Files.readString(Schemas.DIR.resolve("command.schema.json")))
        .contains("ketenlink.command/1");
  }
}
