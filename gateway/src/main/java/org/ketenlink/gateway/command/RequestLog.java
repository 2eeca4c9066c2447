package org.ketenlink.gateway.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request ids each partner has used, with the outcome of the first request, so that a command
 * sent twice (a replay, or a retry after a lost reply) is never applied twice. Kept on disk ({@code
 * requests.jsonl}, one line per request) and across restarts for {@link #RETENTION}; at most {@link
 * #MAX_PER_PARTNER} ids per partner (the oldest are forgotten first). Thread-safe.
 */
public final class RequestLog implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RequestLog.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final Duration RETENTION = Duration.ofDays(7);
  public static final int MAX_PER_PARTNER = 100_000;

  /** What became of a request the first time. */
  public record First(Instant time, String command, String order, String outcome, String reason) {}

  private final Path file;
  private final Clock clock;
  private final Map<String, LinkedHashMap<String, First>> byPartner = new HashMap<>();
  private BufferedWriter out;

  private RequestLog(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  /**
   * Opens the log in {@code dir}, keeping what is younger than the retention; a damaged line is
   * skipped with a warning.
   */
  public static RequestLog open(Path dir, Clock clock) {
    RequestLog r = new RequestLog(dir.resolve("requests.jsonl"), clock);
    try {
      Files.createDirectories(dir);
      r.load();
      r.rewrite();
      r.out =
          Files.newBufferedWriter(
              r.file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the command request log " + r.file, e);
    }
    return r;
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    Instant oldest = clock.instant().minus(RETENTION);
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode n = JSON.readTree(line);
        First f =
            new First(
                Instant.parse(n.get("time").asText()),
                n.path("command").asText(),
                n.path("order").asText(),
                n.path("outcome").asText(),
                n.path("reason").asText());
        if (f.time().isAfter(oldest)) {
          remember(n.get("partner").asText(), n.get("requestId").asText(), f);
        }
      } catch (IOException | RuntimeException e) {
        log.warn(
            "Command request log {}: line {} skipped (damaged): {}", file, lineNo, e.toString());
      }
    }
  }

  private void rewrite() throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (Map.Entry<String, LinkedHashMap<String, First>> p : byPartner.entrySet()) {
        for (Map.Entry<String, First> e : p.getValue().entrySet()) {
          w.write(line(p.getKey(), e.getKey(), e.getValue()));
          w.write('\n');
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String line(String partner, String requestId, First f) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("time", f.time().toString());
    m.put("partner", partner);
    m.put("requestId", requestId);
    m.put("command", f.command());
    m.put("order", f.order());
    m.put("outcome", f.outcome());
    m.put("reason", f.reason());
    return JSON.writeValueAsString(m);
  }

  private void remember(String partner, String requestId, First f) {
    LinkedHashMap<String, First> ids =
        byPartner.computeIfAbsent(partner, p -> new LinkedHashMap<>());
    ids.put(requestId, f);
    if (ids.size() > MAX_PER_PARTNER) {
      ids.remove(ids.keySet().iterator().next());
    }
  }

  /** The first outcome of {@code requestId} from {@code partner}, if it was used. */
  public synchronized Optional<First> first(String partner, String requestId) {
    Map<String, First> ids = byPartner.get(partner);
    First f = ids == null ? null : ids.get(requestId);
    if (f != null && f.time().isBefore(clock.instant().minus(RETENTION))) {
      return Optional.empty();
    }
    return Optional.ofNullable(f);
  }

  /** Records that {@code requestId} was used, and how it ended; written to disk at once. */
  public synchronized void record(String partner, String requestId, First first) {
    remember(partner, requestId, first);
    try {
      out.write(line(partner, requestId, first));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      log.error("Command request log {}: cannot write: {}", file, e.toString());
    }
  }

  /** How many ids are remembered per partner (for status). */
  public synchronized Map<String, Integer> sizes() {
    Map<String, Integer> m = new LinkedHashMap<>();
    byPartner.forEach((p, ids) -> m.put(p, ids.size()));
    return m;
  }

  @Override
  public synchronized void close() {
    try {
      if (out != null) {
        out.close();
      }
    } catch (IOException e) {
      log.warn("Command request log {}: close failed: {}", file, e.toString());
    }
  }
}
