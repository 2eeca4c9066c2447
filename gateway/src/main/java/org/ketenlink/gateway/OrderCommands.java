package org.ketenlink.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.ketenlink.connectors.api.Link;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.OrderChange;
import org.ketenlink.connectors.api.OrderControl;
import org.ketenlink.connectors.api.OrderControlException;
import org.ketenlink.connectors.api.OrderFacts;
import org.ketenlink.connectors.api.Received;
import org.ketenlink.gateway.command.CommandParser;
import org.ketenlink.gateway.command.RateLimiter;
import org.ketenlink.gateway.command.RequestLog;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.config.GatewayConfig.CommandGrant;
import org.ketenlink.gateway.config.GatewayConfig.PartnerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partners' order commands, from their command topic to the machine and back to their reply topic
 * (docs/partners.md). The only way anything outside the plant changes a machine, so every step
 * refuses by default:
 *
 * <ol>
 *   <li>the partner is the one named in the topic (the broker checked its certificate and lets it
 *       publish only to its own command topic), and is configured;
 *   <li>its rate limit (token bucket per partner) has a token left;
 *   <li>the message is exactly one well-formed command ({@link CommandParser});
 *   <li>its request id was not used before ({@link RequestLog}, kept across restarts);
 *   <li>an agreement in force allows the partner this command;
 *   <li>the order exists on a machine and its customer is one of the partner's own — another
 *       customer's order is answered like one that does not exist, so nothing about it leaks;
 *   <li>the machine applies the change through its own order method, or refuses it.
 * </ol>
 *
 * Every message gets one reply ({@code ketenlink.reply/1}) on {@code
 * ketenlink/v1/partners/<partner>/_replies}, and one audit record. Messages are checked on the
 * link's receiving thread (cheap) and carried out one at a time on {@code ketenlink-commands}.
 */
final class OrderCommands implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OrderCommands.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static final String REPLIES = "_replies";
  static final String REPLY_SCHEMA = "ketenlink.reply/1";
  static final Duration REPLY_EXPIRY = Duration.ofHours(1);
  private static final Duration MACHINE_TIMEOUT = Duration.ofSeconds(20);
  private static final int MAX_WAITING = 256;

  /** A machine that holds orders: where it is and how to reach its orders. */
  record Machine(String line, String machine, OrderControl orders) {}

  /** Partners and agreements in force; swapped whole on a reload. */
  private record Policy(Map<String, PartnerConfig> partners, List<AgreementConfig> agreements) {}

  private final String gatewayId;
  private final Clock clock;
  private final AuditTrail audit;
  private final MeterRegistry registry;
  private final CommandParser parser;
  private final RateLimiter limiter;
  private final RequestLog requests;
  private final ThreadPoolExecutor worker;
  private final Map<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Policy policy;
  private volatile List<Machine> machines = List.of();

  OrderCommands(
      String gatewayId,
      Path stateDir,
      Clock clock,
      AuditTrail audit,
      MeterRegistry registry,
      List<PartnerConfig> partners,
      List<AgreementConfig> agreements) {
    this.gatewayId = gatewayId;
    this.clock = clock;
    this.audit = audit;
    this.registry = registry;
    this.parser = new CommandParser(clock);
    this.limiter = new RateLimiter(System::nanoTime);
    this.requests = RequestLog.open(stateDir, clock);
    this.worker =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(MAX_WAITING),
            Threads.daemon("ketenlink-commands"));
    update(partners, agreements);
  }

  /** The topic filter on which the gateway receives every partner's commands. */
  static String filter() {
    return Topics.partnerPrefix("+") + "/" + Topics.COMMANDS + "/#";
  }

  static String replyTopic(String partner) {
    return Topics.partnerPrefix(partner) + "/" + REPLIES;
  }

  /** Receives commands through {@code link} and answers on it; before the link starts. */
  void listen(Link link) {
    link.subscribe(filter(), r -> received(link, r));
  }

  /** The machines with an orders object; set once the sources exist. */
  void machines(List<Machine> list) {
    machines = List.copyOf(list);
  }

  /** New partners and agreements; applies to the next command. */
  void update(List<PartnerConfig> partners, List<AgreementConfig> agreements) {
    Map<String, PartnerConfig> byId = new LinkedHashMap<>();
    partners.forEach(p -> byId.put(p.id(), p));
    policy = new Policy(byId, List.copyOf(agreements));
  }

  // ----------------------------------------------------------------------- receiving (link thread)

  private void received(Link link, Received r) {
    String[] levels = r.topic().split("/", -1);
    // ketenlink/v1/partners/<partner>/_commands/...
    String partner = levels.length > 4 ? levels[3] : "";
    Policy p = policy;
    PartnerConfig who = p.partners().get(partner);
    if (who == null) {
      // Only the broker's misconfiguration lets an unknown partner publish here; nobody to answer.
      log.warn("Order command on {} ignored: '{}' is not a configured partner", r.topic(), partner);
      audit.command(partner, "", "-", "rejected", "unknown-partner", "not a configured partner");
      count("(unknown)", "rejected", "unknown-partner");
      return;
    }
    CommandParser.Result parsed = parser.parse(r.payload());
    Optional<String> requestId =
        parsed instanceof CommandParser.Command c
            ? Optional.of(c.requestId())
            : ((CommandParser.Refusal) parsed).requestId();
    Optional<CommandGrant> grant = grant(p, partner).map(a -> a.commands().orElseThrow());
    int perMinute =
        grant.map(CommandGrant::perMinute).orElse(ConfigLoader.DEFAULT_COMMANDS_PER_MINUTE);
    int burst = grant.map(CommandGrant::burst).orElse(ConfigLoader.DEFAULT_COMMAND_BURST);
    if (!limiter.tryAcquire(partner, perMinute, burst)) {
      reply(
          link,
          partner,
          "",
          Reply.rejected(
              requestId,
              parsed,
              "rate-limited",
              "more than "
                  + burst
                  + " commands at once or "
                  + perMinute
                  + " a minute; wait and send it again with the same request id"));
      return;
    }
    try {
      boolean tooLarge = r.payload().length > CommandParser.MAX_BYTES;
      worker.execute(() -> handle(link, partner, requestId, parsed, tooLarge));
    } catch (RejectedExecutionException e) {
      reply(
          link,
          partner,
          "",
          Reply.rejected(
              requestId, parsed, "busy", "the gateway has too many commands waiting; try again"));
    }
  }

  /** The agreement in force that allows {@code partner} commands, if any. */
  private Optional<AgreementConfig> grant(Policy p, String partner) {
    Instant now = clock.instant();
    return p.agreements().stream()
        .filter(a -> a.partner().equals(partner) && a.commands().isPresent() && a.activeAt(now))
        .findFirst();
  }

  // ---------------------------------------------------------------------- carrying out (worker)

  private void handle(
      Link link,
      String partner,
      Optional<String> requestId,
      CommandParser.Result parsed,
      boolean tooLarge) {
    try {
      Outcome outcome = decide(partner, parsed, tooLarge);
      reply(link, partner, outcome.agreement, outcome.reply);
      if (outcome.remember && parsed instanceof CommandParser.Command c) {
        requests.record(
            partner,
            c.requestId(),
            new RequestLog.First(
                clock.instant(),
                c.kind().wire(),
                c.order(),
                outcome.reply.outcome,
                outcome.reply.reason));
      }
    } catch (RuntimeException e) {
      log.error("Order command from {} failed unexpectedly", partner, e);
      reply(
          link,
          partner,
          "",
          Reply.rejected(requestId, parsed, "internal-error", "the gateway failed: " + e));
    }
  }

  /** What to answer, under which agreement, and whether the request id is now used. */
  private record Outcome(Reply reply, String agreement, boolean remember) {}

  private Outcome decide(String partner, CommandParser.Result parsed, boolean tooLarge) {
    if (parsed instanceof CommandParser.Refusal refusal) {
      return new Outcome(
          Reply.rejected(
                  refusal.requestId(),
                  parsed,
                  tooLarge ? "too-large" : "malformed",
                  tooLarge
                      ? "commands are at most " + CommandParser.MAX_BYTES + " bytes"
                      : "not a valid command")
              .problems(refusal.problems()),
          "",
          false);
    }
    CommandParser.Command c = (CommandParser.Command) parsed;
    Optional<String> id = Optional.of(c.requestId());
    Optional<RequestLog.First> first = requests.first(partner, c.requestId());
    if (first.isPresent()) {
      return new Outcome(
          Reply.rejected(
                  id,
                  parsed,
                  "duplicate-request",
                  "request id "
                      + c.requestId()
                      + " was used at "
                      + PayloadEncoder.TIME.format(first.get().time())
                      + "; nothing was done this time")
              .first(first.get()),
          "",
          false);
    }
    Policy p = policy;
    PartnerConfig who = p.partners().get(partner);
    Optional<AgreementConfig> agreement = grant(p, partner);
    if (agreement.isEmpty()) {
      return new Outcome(
          Reply.rejected(
              id, parsed, "not-allowed", "no agreement in force allows you order commands"),
          "",
          true);
    }
    String agreementId = agreement.get().id();
    CommandGrant grant = agreement.get().commands().orElseThrow();
    if (!grant.allow().contains(c.kind().wire())) {
      return new Outcome(
          Reply.rejected(
              id,
              parsed,
              "not-allowed",
              "agreement "
                  + agreementId
                  + " does not allow "
                  + c.kind().wire()
                  + " (allowed: "
                  + String.join(", ", new java.util.TreeSet<>(grant.allow()))
                  + ")"),
          agreementId,
          true);
    }

    // Find the order; a machine that cannot be asked makes "not found" unsure.
    List<String> unavailable = new ArrayList<>();
    Machine holder = null;
    OrderFacts facts = null;
    for (Machine m : machines) {
      try {
        Optional<OrderFacts> f = await(m.orders().order(c.order()));
        if (f.isPresent()) {
          holder = m;
          facts = f.get();
          break;
        }
      } catch (OrderControlException e) {
        unavailable.add(m.line() + "/" + m.machine());
      }
    }
    String notYours = "there is no order " + c.order() + " of yours";
    if (facts == null || !who.owns(facts.customer())) {
      if (facts == null && !unavailable.isEmpty()) {
        return new Outcome(
            Reply.rejected(
                id,
                parsed,
                "machine-unavailable",
                "a machine cannot be reached now; send it again later with the same request id"),
            agreementId,
            false);
      }
      Reply r = Reply.rejected(id, parsed, "unknown-order", notYours);
      r.auditDetail =
          facts == null
              ? "no such order"
              : "order of customer " + facts.customer() + ", not of " + who.customers();
      return new Outcome(r, agreementId, true);
    }
    if (c.kind() == CommandParser.Kind.STATUS) {
      return new Outcome(Reply.applied(c, "order status").order(holder, facts), agreementId, true);
    }
    OrderChange change =
        switch (c.kind()) {
          case CHANGE_QUANTITY -> new OrderChange.PlannedQuantity(c.quantity().orElseThrow());
          case CHANGE_DUE_DATE -> new OrderChange.DueDate(c.due().orElseThrow());
          case HOLD -> new OrderChange.Hold();
          case CANCEL -> new OrderChange.Abort();
          case STATUS -> throw new IllegalStateException();
        };
    try {
      await(holder.orders().change(c.order(), change));
    } catch (OrderControlException e) {
      if (e.unavailable()) {
        return new Outcome(
            Reply.rejected(
                id,
                parsed,
                "machine-unavailable",
                "the machine cannot be reached now; send it again later with the same request id"),
            agreementId,
            false);
      }
      return new Outcome(
          Reply.rejected(
                  id,
                  parsed,
                  "machine-refused",
                  "the machine refused it ("
                      + e.status()
                      + ") with the order "
                      + facts.state()
                      + ", planned "
                      + facts.planned()
                      + ", good "
                      + facts.good())
              .order(holder, facts),
          agreementId,
          true);
    }
    OrderFacts after = facts;
    try {
      after = await(holder.orders().order(c.order())).orElse(facts);
    } catch (OrderControlException e) {
      log.debug("Order {} not read back after {}: {}", c.order(), c.kind(), e.getMessage());
    }
    return new Outcome(Reply.applied(c, describe(c)).order(holder, after), agreementId, true);
  }

  private static String describe(CommandParser.Command c) {
    return switch (c.kind()) {
      case CHANGE_QUANTITY -> "planned quantity set to " + c.quantity().orElseThrow();
      case CHANGE_DUE_DATE -> "due date set to " + c.due().orElseThrow();
      case HOLD -> "order held";
      case CANCEL -> "order cancelled";
      case STATUS -> "order status";
    };
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(MACHINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof OrderControlException oce) {
        throw oce;
      }
      throw new OrderControlException(true, "", "machine request failed: " + e.getCause());
    } catch (TimeoutException e) {
      throw new OrderControlException(
          true, "", "the machine did not answer within " + MACHINE_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OrderControlException(true, "", "interrupted");
    }
  }

  // ----------------------------------------------------------------------------------- replying

  /** One reply ({@code ketenlink.reply/1}); built on one thread, then published. */
  static final class Reply {
    final Optional<String> requestId;
    final Optional<String> command;
    final Optional<String> order;
    final String outcome;
    final String reason;
    final String message;
    List<String> problems = List.of();
    RequestLog.First first;
    Machine machine;
    OrderFacts facts;
    String auditDetail = "";

    private Reply(
        Optional<String> requestId,
        CommandParser.Result parsed,
        String outcome,
        String reason,
        String message) {
      this.requestId = requestId;
      this.command =
          parsed instanceof CommandParser.Command c
              ? Optional.of(c.kind().wire())
              : Optional.empty();
      this.order =
          parsed instanceof CommandParser.Command c ? Optional.of(c.order()) : Optional.empty();
      this.outcome = outcome;
      this.reason = reason;
      this.message = message;
    }

    static Reply rejected(
        Optional<String> requestId, CommandParser.Result parsed, String reason, String message) {
      return new Reply(requestId, parsed, "rejected", reason, message);
    }

    static Reply applied(CommandParser.Command c, String message) {
      return new Reply(Optional.of(c.requestId()), c, "applied", "", message);
    }

    Reply problems(List<String> list) {
      problems = List.copyOf(list);
      return this;
    }

    Reply first(RequestLog.First f) {
      first = f;
      return this;
    }

    Reply order(Machine m, OrderFacts f) {
      machine = m;
      facts = f;
      return this;
    }

    Map<String, Object> toJson(String gatewayId, Instant time) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schema", REPLY_SCHEMA);
      m.put("gateway", gatewayId);
      m.put("time", PayloadEncoder.TIME.format(time));
      m.put("requestId", requestId.orElse(null));
      command.ifPresent(c -> m.put("command", c));
      order.ifPresent(o -> m.put("order", o));
      m.put("outcome", outcome);
      if (!reason.isEmpty()) {
        m.put("reason", reason);
      }
      m.put("message", message);
      if (!problems.isEmpty()) {
        m.put("problems", problems);
      }
      if (first != null) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("time", PayloadEncoder.TIME.format(first.time()));
        f.put("command", first.command());
        f.put("order", first.order());
        f.put("outcome", first.outcome());
        if (!first.reason().isEmpty()) {
          f.put("reason", first.reason());
        }
        m.put("first", f);
      }
      if (facts != null) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("order", facts.orderId());
        o.put("customer", facts.customer());
        o.put("article", facts.article());
        o.put("line", machine.line());
        o.put("machine", machine.machine());
        o.put("state", facts.state());
        o.put("planned", facts.planned() < 0 ? null : facts.planned());
        o.put("good", facts.good() < 0 ? null : facts.good());
        o.put("scrap", facts.scrap() < 0 ? null : facts.scrap());
        o.put("start", facts.start().map(PayloadEncoder.TIME::format).orElse(null));
        o.put("end", facts.end().map(PayloadEncoder.TIME::format).orElse(null));
        o.put("due", facts.due().map(PayloadEncoder.TIME::format).orElse(null));
        m.put("orderStatus", o);
      }
      return m;
    }
  }

  private void reply(Link link, String partner, String agreement, Reply r) {
    Instant now = clock.instant();
    String what =
        r.requestId.orElse("-")
            + " "
            + r.command.orElse("?")
            + r.order.map(o -> " " + o).orElse("");
    audit.command(
        partner,
        agreement,
        what,
        r.outcome,
        r.reason,
        r.message + (r.auditDetail.isEmpty() ? "" : " [" + r.auditDetail + "]"));
    count(partner, r.outcome, r.reason.isEmpty() ? "none" : r.reason);
    if (r.outcome.equals("applied")) {
      log.info("Order command from {}: {} applied: {}", partner, what, r.message);
    } else {
      log.info("Order command from {}: {} rejected ({}): {}", partner, what, r.reason, r.message);
    }
    byte[] payload;
    try {
      payload = JSON.writeValueAsBytes(r.toJson(gatewayId, now));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    link.publish(
            new Message(
                replyTopic(partner),
                payload,
                1,
                false,
                Optional.of(REPLY_EXPIRY),
                PayloadEncoder.CONTENT_TYPE,
                Map.of("schema", REPLY_SCHEMA)))
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                log.warn(
                    "Reply to {} for {} not delivered on link {}: {}",
                    partner,
                    what,
                    link.id(),
                    e.toString());
              }
            });
  }

  private void count(String partner, String outcome, String reason) {
    counters
        .computeIfAbsent(
            partner + '\u0000' + outcome + '\u0000' + reason,
            k ->
                Counter.builder("ketenlink.commands")
                    .description("Partner order commands, by outcome and reason")
                    .tag("partner", partner)
                    .tag("outcome", outcome)
                    .tag("reason", reason)
                    .register(registry))
        .increment();
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(MACHINE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    requests.close();
  }
}
