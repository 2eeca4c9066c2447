package org.ketenlink.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.Message;

/**
 * Gathers a batched source's values into one message per publishing cycle ({@code
 * ketenlink.batch/1} on {@code .../<line>/<machine>/batch}). A batch is closed when its source ends
 * a cycle, when it reaches {@link #MAX_VALUES}, or when the pipeline has nothing else to do. Owned
 * by the pipeline thread.
 */
final class Batches {

  /** A batch is closed at this many values, so a message stays a few hundred kB at most. */
  static final int MAX_VALUES = 5_000;

  private final PayloadEncoder encoder;
  private final Map<String, Open> open = new HashMap<>();

  /**
   * One source's batches: the one being gathered, and the last number given (per source is per
   * topic: configuration validation keeps two batched sources off one topic).
   */
  private static final class Open {
    final String topic;
    final String asset;
    final Optional<Duration> expiry;
    final List<NormalisedSample> values = new ArrayList<>();
    int qos;
    long seq;

    Open(StreamSpec s) {
      this.topic = s.batchTopic().orElseThrow();
      this.asset = s.asset();
      this.expiry = s.expiry();
    }
  }

  Batches(PayloadEncoder encoder) {
    this.encoder = encoder;
  }

  /** Adds a value of a batched stream; {@code out} gets the batch if this filled it. */
  void add(NormalisedSample n, Consumer<Message> out) {
    StreamSpec s = n.stream();
    Open b = open.computeIfAbsent(s.sourceId(), k -> new Open(s));
    b.values.add(n);
    b.qos = Math.max(b.qos, s.qos());
    if (b.values.size() >= MAX_VALUES) {
      close(s.sourceId(), b, out);
    }
  }

  /** The source ended a publishing cycle: its batch goes out. */
  void end(String sourceId, Consumer<Message> out) {
    Open b = open.get(sourceId);
    if (b != null) {
      close(sourceId, b, out);
    }
  }

  /** Every batch still open goes out. */
  void flush(Consumer<Message> out) {
    open.forEach((source, b) -> close(source, b, out));
  }

  private void close(String sourceId, Open b, Consumer<Message> out) {
    if (b.values.isEmpty()) {
      return;
    }
    out.accept(
        new Message(
            b.topic,
            encoder.batch(b.asset, sourceId, ++b.seq, b.values),
            b.qos,
            false,
            b.expiry,
            PayloadEncoder.CONTENT_TYPE,
            Map.of("schema", PayloadEncoder.BATCH_SCHEMA)));
    b.values.clear();
    b.qos = 0;
  }
}
