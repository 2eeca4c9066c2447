package org.ketenlink.gateway;

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
  private final Map<String, long[]> seqs = new HashMap<>();

  /** One source's batch being gathered. */
  private static final class Open {
    final String topic;
    final String asset;
    final List<NormalisedSample> values = new ArrayList<>();
    int qos;
    Optional<java.time.Duration> expiry = Optional.empty();

    Open(String topic, String asset) {
      this.topic = topic;
      this.asset = asset;
    }
  }

  Batches(PayloadEncoder encoder) {
    this.encoder = encoder;
  }

  /** Adds a value of a batched stream; {@code out} gets the batch if this filled it. */
  void add(NormalisedSample n, Consumer<Message> out) {
    StreamSpec s = n.stream();
    Open b =
        open.computeIfAbsent(s.sourceId(), k -> new Open(s.batchTopic().orElseThrow(), s.asset()));
    b.values.add(n);
    b.qos = Math.max(b.qos, s.qos());
    b.expiry = s.expiry();
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
    long seq = ++seqs.computeIfAbsent(b.topic, t -> new long[1])[0];
    out.accept(
        new Message(
            b.topic,
            encoder.batch(b.asset, sourceId, seq, b.values),
            b.qos,
            false,
            b.expiry,
            PayloadEncoder.CONTENT_TYPE,
            Map.of("schema", PayloadEncoder.BATCH_SCHEMA)));
    b.values.clear();
    b.qos = 0;
  }
}
