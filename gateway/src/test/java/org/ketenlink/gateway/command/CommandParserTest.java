package org.ketenlink.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ketenlink.gateway.command.CommandParser.Command;
import org.ketenlink.gateway.command.CommandParser.Kind;
import org.ketenlink.gateway.command.CommandParser.Refusal;
import org.ketenlink.gateway.command.CommandParser.Result;

class CommandParserTest {

  static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  final CommandParser parser = new CommandParser(Clock.fixed(NOW, ZoneOffset.UTC));

  Result parse(String json) {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  Refusal refused(String json) {
    Result r = parse(json);
    assertThat(r).as(json).isInstanceOf(Refusal.class);
    return (Refusal) r;
  }

  @Test
  void eachCommandIsRead() {
    assertThat(
            parse(
                "{\"requestId\":\"r-1\",\"command\":\"changeQuantity\",\"order\":\"ORD-1001\",\"quantity\":120}"))
        .isEqualTo(
            new Command(
                "r-1", Kind.CHANGE_QUANTITY, "ORD-1001", Optional.of(120), Optional.empty()));
    assertThat(
            parse(
                "{\"requestId\":\"r-2\",\"command\":\"changeDueDate\",\"order\":\"ORD-1001\",\"due\":\"2026-12-01T13:00:00+01:00\"}"))
        .isEqualTo(
            new Command(
                "r-2",
                Kind.CHANGE_DUE_DATE,
                "ORD-1001",
                Optional.empty(),
                Optional.of(Instant.parse("2026-12-01T12:00:00Z"))));
    for (String c : new String[] {"hold", "cancel", "status"}) {
      assertThat(parse("{\"requestId\":\"r\",\"command\":\"" + c + "\",\"order\":\"O-1\"}"))
          .isInstanceOf(Command.class);
    }
  }

  @Test
  void everyProblemIsNamedWithItsField() {
    assertThat(
            refused("{\"requestId\":\"r 1\",\"command\":\"delete\",\"order\":7,\"colour\":\"red\"}")
                .problems())
        .containsExactlyInAnyOrder(
            "requestId: 'r 1' is not 1-64 letters, digits, '.', '_', ':' or '-'",
            "command: 'delete' is not one of changeQuantity, changeDueDate, hold, cancel, status",
            "order: must be a string, not a number",
            "colour: unknown field; a command has requestId, command, order and, by command, quantity or due");
    Refusal q =
        refused(
            "{\"requestId\":\"r-3\",\"command\":\"changeQuantity\",\"order\":\"O\",\"quantity\":0,\"due\":\"x\"}");
    assertThat(q.requestId()).contains("r-3");
    assertThat(q.problems())
        .containsExactlyInAnyOrder(
            "due: does not belong to changeQuantity", "quantity: 0 is out of range 1-1000000");
    assertThat(
            refused(
                    "{\"requestId\":\"r\",\"command\":\"changeQuantity\",\"order\":\"O\",\"quantity\":1.5}")
                .problems())
        .containsExactly("quantity: must be a whole number, not a number");
    assertThat(
            refused(
                    "{\"requestId\":\"r\",\"command\":\"changeQuantity\",\"order\":\"O\",\"quantity\":99999999999999999999}")
                .problems())
        .containsExactly("quantity: 99999999999999999999 is out of range 1-1000000");
    assertThat(
            refused("{\"requestId\":\"r\",\"command\":\"changeQuantity\",\"order\":\"O\"}")
                .problems())
        .containsExactly("quantity: missing (the new planned quantity, 1-1000000)");
    assertThat(
            refused(
                    "{\"requestId\":\"r\",\"command\":\"changeDueDate\",\"order\":\"O\",\"due\":\"2020-01-01T00:00:00Z\"}")
                .problems())
        .containsExactly("due: 2020-01-01T00:00:00Z is in the past");
    assertThat(
            refused(
                    "{\"requestId\":\"r\",\"command\":\"changeDueDate\",\"order\":\"O\",\"due\":\"tomorrow\"}")
                .problems())
        .containsExactly("due: 'tomorrow' is not a date and time like 2026-12-01T12:00:00Z");
    assertThat(refused("{\"command\":\"hold\"}").problems())
        .containsExactlyInAnyOrder("requestId: missing", "order: missing");
  }

  @Test
  void malformedMessagesAreRefusedUnread() {
    assertThat(refused("").problems()).containsExactly("(message): empty; expected a JSON object");
    assertThat(refused("[1,2]").problems()).containsExactly("(message): must be a JSON object");
    assertThat(refused("{\"requestId\":\"a\",\"requestId\":\"b\"}").problems().get(0))
        .startsWith("(message): not valid JSON")
        .contains("Duplicate field 'requestId'");
    assertThat(refused("{\"requestId\":\"a\"} {}").problems().get(0))
        .startsWith("(message): not valid JSON");
    assertThat(refused("{\"a\":" + "[".repeat(50) + "]".repeat(50) + "}").problems().get(0))
        .startsWith("(message): not valid JSON");
    byte[] big = ("{\"requestId\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertThat(((Refusal) parser.parse(big)).problems())
        .containsExactly("(message): " + big.length + " bytes; commands are at most 4096 bytes");
    assertThat(((Refusal) parser.parse(new byte[] {'{', (byte) 0xC3, '}'})).problems())
        .containsExactly("(message): not valid UTF-8");
  }

  /**
   * Fuzzing: a million-odd bytes of mutated commands (flipped, inserted, deleted and repeated
   * bytes, cut short, deeply nested, huge numbers) never make the parser throw or hang, and
   * whatever it accepts satisfies every rule. Seeded, so a failure can be replayed.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void mutatedInputNeverCrashesOrHangsTheParser() {
    String[] seeds = {
      "{\"requestId\":\"r-1\",\"command\":\"changeQuantity\",\"order\":\"ORD-1001\",\"quantity\":120}",
      "{\"requestId\":\"r-2\",\"command\":\"changeDueDate\",\"order\":\"ORD-1001\",\"due\":\"2026-12-01T12:00:00Z\"}",
      "{\"requestId\":\"r-3\",\"command\":\"hold\",\"order\":\"O-1\"}",
      "{\"requestId\":\"r-4\",\"command\":\"status\",\"order\":\"O-1\"}",
    };
    String alphabet = "{}[]\":,0123456789-.eE+ \\u00e9tfnrul\u0000\uFFFF\uD800";
    Random random = new Random(20261121);
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 60_000; i++) {
      StringBuilder b = new StringBuilder(seeds[random.nextInt(seeds.length)]);
      int mutations = 1 + random.nextInt(6);
      for (int m = 0; m < mutations && b.length() > 0; m++) {
        int at = random.nextInt(b.length());
        switch (random.nextInt(7)) {
          case 0 -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 2 -> b.deleteCharAt(at);
          case 3 -> b.setLength(at);
          case 4 -> b.insert(at, "[".repeat(random.nextInt(2000)));
          case 5 -> b.insert(at, "9".repeat(random.nextInt(400)));
          default -> b.insert(at, b.substring(0, Math.min(b.length(), random.nextInt(200))));
        }
      }
      byte[] input = b.toString().getBytes(StandardCharsets.UTF_8);
      if (random.nextInt(10) == 0 && input.length > 0) {
        input[random.nextInt(input.length)] = (byte) random.nextInt(256);
      }
      Result r = parser.parse(input);
      if (r instanceof Command c) {
        accepted++;
        assertThat(c.requestId()).matches("[A-Za-z0-9._:-]{1,64}");
        assertThat(c.order()).matches("[A-Za-z0-9._-]{1,64}");
        c.quantity().ifPresent(q -> assertThat(q).isBetween(1, CommandParser.MAX_QUANTITY));
        c.due().ifPresent(d -> assertThat(d).isAfterOrEqualTo(NOW));
        assertThat(c.quantity().isPresent()).isEqualTo(c.kind() == Kind.CHANGE_QUANTITY);
        assertThat(c.due().isPresent()).isEqualTo(c.kind() == Kind.CHANGE_DUE_DATE);
      } else {
        refused++;
        assertThat(((Refusal) r).problems()).isNotEmpty();
      }
    }
    assertThat(accepted).as("the fuzzer also reaches valid commands").isPositive();
    assertThat(refused).isGreaterThan(accepted);
  }
}
