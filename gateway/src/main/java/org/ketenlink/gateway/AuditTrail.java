package org.ketenlink.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: an append-only record of what was shared with whom (messages and bytes per
 * partner and agreement per interval), of agreement changes, and of everything the broker refused
 * (connections, subscriptions, publishes). One JSON object per line in {@code
 * <dataDir>/audit/audit-<UTC date>.jsonl}; the newest {@link #RECENT} entries also in memory for
 * {@code /api/audit}. Thread-safe.
 */
final class AuditTrail implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  static final int RECENT = 10_000;
  static final String STATE_FILE = "agreements.json";

  /** One audit record; absent fields are empty or zero. */
  record Entry(
      Instant time,
      String type,
      String partner,
      String agreement,
      String client,
      String detail,
      long messages,
      long bytes,
      Optional<Instant> from,
      Optional<Instant> to) {

    static Entry of(
        Instant time, String type, String partner, String agreement, String client, String detail) {
      return new Entry(
          time, type, partner, agreement, client, detail, 0, 0, Optional.empty(), Optional.empty());
    }
  }

  static final List<String> CSV_COLUMNS =
      List.of(
          "time",
          "type",
          "partner",
          "agreement",
          "client",
          "messages",
          "bytes",
          "from",
          "to",
          "detail");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Clock clock;
  private final Map<String, LongAdder[]> shared = new ConcurrentHashMap<>();
  private final Deque<Entry> recent = new ArrayDeque<>();
  private final ScheduledExecutorService timer;
  private Instant intervalStart;
  private LocalDate day;
  private BufferedWriter out;

  private AuditTrail(Path dir, Clock clock, Duration interval) {
    this.dir = dir;
    this.clock = clock;
    this.intervalStart = clock.instant();
    this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("ketenlink-audit"));
    long ms = interval.toMillis();
    timer.scheduleAtFixedRate(this::flushShared, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens (creating) the trail in {@code dir}; shared counts are written every {@code interval}.
   */
  static AuditTrail open(Path dir, Clock clock, Duration interval) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("audit directory " + dir + " cannot be created: " + e, e);
    }
    return new AuditTrail(dir, clock, interval);
  }

  /** A message of {@code bytes} was shared with {@code partner} under {@code agreement}. Cheap. */
  void shared(String partner, String agreement, int bytes) {
    LongAdder[] c =
        shared.computeIfAbsent(
            partner + '\u0000' + agreement,
            k -> new LongAdder[] {new LongAdder(), new LongAdder()});
    c[0].increment();
    c[1].add(bytes);
  }

  /** Something that happened to the configuration ({@code type}), in words. */
  void note(String type, String detail) {
    record(Entry.of(clock.instant(), type, "", "", "", detail));
  }

  /**
   * A partner's order command and what became of it: {@code what} is "requestId command order",
   * {@code outcome} applied or rejected with {@code reason}.
   */
  void command(
      String partner,
      String agreement,
      String what,
      String outcome,
      String reason,
      String message) {
    record(
        Entry.of(
            clock.instant(),
            "command",
            partner,
            agreement,
            "",
            what
                + ": "
                + outcome
                + (reason.isEmpty() ? "" : " (" + reason + ")")
                + " - "
                + message));
  }

  /** The broker refused something: a connection, a subscription or a publish. */
  void refused(String client, String partner, String action, String reason) {
    record(Entry.of(clock.instant(), "refused", partner, "", client, action + ": " + reason));
  }

  /**
   * Records how the agreements differ from the ones of the previous start (added, changed,
   * removed), and remembers these for the next start.
   */
  void agreements(List<AgreementConfig> agreements) {
    Path state = dir.resolve(STATE_FILE);
    Map<String, String> now = new TreeMap<>();
    Map<String, String> partnerOf = new TreeMap<>();
    for (AgreementConfig a : agreements) {
      now.put(a.id(), describe(a));
      partnerOf.put(a.id(), a.partner());
    }
    Map<String, String> before = new TreeMap<>();
    Map<String, String> partnerBefore = new TreeMap<>();
    try {
      if (Files.exists(state)) {
        JsonNode old = JSON.readTree(state.toFile());
        old.fields()
            .forEachRemaining(
                e -> {
                  before.put(e.getKey(), e.getValue().get("terms").asText());
                  partnerBefore.put(e.getKey(), e.getValue().get("partner").asText());
                });
      }
    } catch (IOException e) {
      log.warn("Audit: {} is unreadable; recording every agreement as added", state);
    }
    Instant t = clock.instant();
    now.forEach(
        (id, terms) -> {
          String old = before.get(id);
          if (old == null) {
            record(Entry.of(t, "agreement-added", partnerOf.get(id), id, "", terms));
          } else if (!old.equals(terms)) {
            record(Entry.of(t, "agreement-changed", partnerOf.get(id), id, "", terms));
          }
        });
    before.forEach(
        (id, terms) -> {
          if (!now.containsKey(id)) {
            record(Entry.of(t, "agreement-removed", partnerBefore.get(id), id, "", terms));
          }
        });
    try {
      ObjectNode o = JSON.createObjectNode();
      now.forEach(
          (id, terms) -> o.putObject(id).put("partner", partnerOf.get(id)).put("terms", terms));
      JsonFiles.writeAtomically(state, o);
    } catch (IOException e) {
      log.warn("Audit: cannot save the agreements to {}: {}", state, e.toString());
    }
  }

  /** The terms of an agreement in one stable line. */
  static String describe(AgreementConfig a) {
    return "partner="
        + a.partner()
        + "; purpose="
        + a.purpose()
        + "; validFrom="
        + a.validFrom().map(Instant::toString).orElse("-")
        + "; validUntil="
        + a.validUntil().map(Instant::toString).orElse("-")
        + "; share="
        + a.share()
        + "; granularity="
        + (a.granularity().isRaw()
            ? "raw"
            : a.granularity().every().orElseThrow() + " " + a.granularity().aggregates())
        + "; redact="
        + new java.util.TreeSet<>(a.redact())
        + "; messageExpiry="
        + a.messageExpiry().map(Duration::toString).orElse("-")
        + "; sign="
        + a.sign();
  }

  /** The newest entries first, at most {@code limit}, that pass {@code filter}. */
  List<Entry> recent(Predicate<Entry> filter, int limit) {
    List<Entry> out = new ArrayList<>();
    synchronized (recent) {
      var it = recent.descendingIterator();
      while (it.hasNext() && out.size() < limit) {
        Entry e = it.next();
        if (filter.test(e)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  /** Writes what was shared since the last interval; called by the timer and on close. */
  void flushShared() {
    Instant end = clock.instant();
    Instant start;
    synchronized (this) {
      start = intervalStart;
      intervalStart = end;
    }
    shared.forEach(
        (key, c) -> {
          long messages = c[0].sumThenReset();
          long bytes = c[1].sumThenReset();
          if (messages > 0) {
            String[] pa = key.split("\u0000", 2);
            record(
                new Entry(
                    end,
                    "shared",
                    pa[0],
                    pa[1],
                    "",
                    "",
                    messages,
                    bytes,
                    Optional.of(start),
                    Optional.of(end)));
          }
        });
  }

  private void record(Entry e) {
    synchronized (recent) {
      recent.addLast(e);
      if (recent.size() > RECENT) {
        recent.removeFirst();
      }
    }
    synchronized (this) {
      try {
        LocalDate d = LocalDate.ofInstant(e.time(), ZoneOffset.UTC);
        if (out == null || !d.equals(day)) {
          if (out != null) {
            out.close();
          }
          day = d;
          out =
              Files.newBufferedWriter(
                  dir.resolve("audit-" + d + ".jsonl"),
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
        }
        out.write(JSON.writeValueAsString(toJson(e)));
        out.write('\n');
        out.flush();
      } catch (IOException ex) {
        log.error("Audit: cannot write {}: {}", dir, ex.toString());
      }
    }
  }

  static Map<String, Object> toJson(Entry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", e.time().toString());
    m.put("type", e.type());
    m.put("partner", e.partner());
    m.put("agreement", e.agreement());
    if (!e.client().isEmpty()) {
      m.put("client", e.client());
    }
    if (e.type().equals("shared")) {
      m.put("messages", e.messages());
      m.put("bytes", e.bytes());
      m.put("from", e.from().map(Instant::toString).orElse(""));
      m.put("to", e.to().map(Instant::toString).orElse(""));
    }
    if (!e.detail().isEmpty()) {
      m.put("detail", e.detail());
    }
    return m;
  }

  static Entry fromJson(JsonNode n) {
    return new Entry(
        Instant.parse(n.get("time").asText()),
        n.path("type").asText(),
        n.path("partner").asText(),
        n.path("agreement").asText(),
        n.path("client").asText(),
        n.path("detail").asText(),
        n.path("messages").asLong(),
        n.path("bytes").asLong(),
        Optional.of(n.path("from").asText()).filter(s -> !s.isEmpty()).map(Instant::parse),
        Optional.of(n.path("to").asText()).filter(s -> !s.isEmpty()).map(Instant::parse));
  }

  /**
   * Every entry in the trail's files under {@code dir} that passes {@code filter}, oldest first.
   */
  static List<Entry> read(Path dir, Predicate<Entry> filter) {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f :
          files
              .filter(p -> p.getFileName().toString().matches("audit-.*\\.jsonl"))
              .sorted()
              .toList()) {
        for (String line : Files.readAllLines(f)) {
          if (!line.isBlank()) {
            Entry e = fromJson(JSON.readTree(line));
            if (filter.test(e)) {
              out.add(e);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the audit trail in " + dir + ": " + e, e);
    }
    return out;
  }

  static String csv(List<Entry> entries) {
    StringBuilder b = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
    for (Entry e : entries) {
      Map<String, Object> m = toJson(e);
      List<String> cells = new ArrayList<>();
      for (String c : CSV_COLUMNS) {
        cells.add(csvCell(String.valueOf(m.getOrDefault(c, ""))));
      }
      b.append(String.join(",", cells)).append('\n');
    }
    return b.toString();
  }

  static String json(List<Entry> entries) {
    try {
      return JSON.writeValueAsString(entries.stream().map(AuditTrail::toJson).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String csvCell(String s) {
    return s.contains(",") || s.contains("\"") || s.contains("\n")
        ? '"' + s.replace("\"", "\"\"") + '"'
        : s;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    flushShared();
    synchronized (this) {
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          log.debug("Audit: closing failed", e);
        }
        out = null;
      }
    }
  }
}
