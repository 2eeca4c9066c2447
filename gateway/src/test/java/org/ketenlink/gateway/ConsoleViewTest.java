package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.gateway.production.OrderLifecycle;

class ConsoleViewTest {
  @Test
  void theLiveViewShowsWhereEveryOrderStands() {
    ConsoleView view =
        new ConsoleView(Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC), false);
    Instant t = Instant.parse("2026-11-21T09:00:00Z");
    OrderFacts running =
        new OrderFacts(
            "ORD-1001",
            "ACME",
            "flange",
            40,
            12,
            1,
            "Running",
            Optional.of(t),
            Optional.empty(),
            Optional.of(t.plusSeconds(3600)));
    view.order(
        new OrderStage.Published(
            "cnc1",
            new OrderLifecycle.OrderEvent(
                OrderLifecycle.Event.PROGRESS,
                running,
                Optional.of(t.plusSeconds(7200)),
                true,
                Optional.of(12.0)),
            "t",
            "line1",
            "cnc1",
            "a/b/c/line1/cnc1",
            t));
    StringWriter out = new StringWriter();
    view.draw(new PrintWriter(out), 1);
    assertThat(out.toString())
        .contains("orders")
        .contains("ORD-1001")
        .contains("ACME")
        .contains("Running")
        .contains("12/40")
        .contains("AT RISK")
        .contains("(progress)");
  }
}
