package org.ketenlink.gateway;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.SampleSink;
import org.ketenlink.connectors.api.SignalInfo;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.config.GatewayConfig.PartnerConfig;
import org.ketenlink.gateway.journal.Journal;
import org.ketenlink.gateway.journal.JournalException;
import org.ketenlink.gateway.pki.SigningKey;
import org.ketenlink.gateway.production.OrderLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data path, wired in one place and read top to bottom: source → normalise → encode → share
 * (partners' views) → journal (one per link) → forwarder → link. Derive (order events, machine
 * state, production) sits beside share: what it derives goes to the journal and, as the agreements
 * allow, to the partners' views.
 *
 * <p>Sources hand samples over through a bounded queue and never wait; one pipeline thread is the
 * single writer of everything downstream, which keeps the order per stream. A full queue drops the
 * sample and counts it — loss is never silent.
 */
final class Pipeline implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
  private static final int BATCH = 1024;
  private static final Map<String, String> SAMPLE_PROPERTIES =
      Map.of("schema", PayloadEncoder.SAMPLE_SCHEMA);

  private final BlockingQueue<Object> queue;
  private final Normaliser normaliser;
  private final Sharer sharer;
  private final OrderStage orders;
  private final ProductionStage production;
  private final PayloadEncoder encoder;
  private final Batches batches;
  private final boolean batching;
  private List<Outlet> outlets = List.of(); // set by start, read only by the pipeline thread
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final Consumer<NormalisedSample> tap;
  private final Consumer<OrderStage.Published> orderTap;
  private final Thread thread;

  /** Hands a derived message (state, production period) to the partners' views. */
  private final Consumer<Sharer.Derived> shareDerived;

  private volatile boolean running = true;
  private volatile boolean queueFullReported;
  private volatile boolean journalErrorReported;

  /** New agreements, applied on the pipeline thread between two values. */
  private record AgreementsUpdate(
      List<PartnerConfig> partners,
      List<AgreementConfig> agreements,
      Optional<SigningKey> signing) {}

  /** A source ended a publishing cycle: its batch, if it batches, is closed. */
  private record CycleEnd(String sourceId) {}

  /** One link's journal and the forwarder that empties it. */
  record Outlet(String linkId, Journal journal, Forwarder forwarder) {}

  /**
   * @param tap sees every normalised sample on the pipeline thread (the demo's console view); it
   *     must be quick
   */
  Pipeline(
      Map<String, StreamSpec> streams,
      List<PartnerConfig> partners,
      List<AgreementConfig> agreements,
      Optional<SigningKey> signing,
      AuditTrail audit,
      PayloadEncoder encoder,
      Clock clock,
      GatewayMetrics metrics,
      int capacity,
      Consumer<NormalisedSample> tap,
      Consumer<OrderStage.Published> orderTap,
      OrderStage orders,
      ProductionStage production) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.orders = orders;
    this.production = production;
    this.normaliser = new Normaliser(streams);
    this.encoder = encoder;
    this.batches = new Batches(encoder);
    this.batching = streams.values().stream().anyMatch(s -> s.batchTopic().isPresent());
    this.sharer = new Sharer(streams, agreements, encoder, metrics, signing, audit);
    this.sharer.partners(partners);
    this.clock = clock;
    this.metrics = metrics;
    this.tap = tap;
    this.orderTap = orderTap;
    this.shareDerived = d -> sharer.shareDerived(d, clock.instant(), this::journal);
    this.thread = new Thread(this::run, "ketenlink-pipeline");
    this.thread.setDaemon(true);
    metrics.pipelineQueue(queue::size, capacity);
  }

  /** The sink every source delivers to. Never blocks. */
  SampleSink sink() {
    return new SampleSink() {
      @Override
      public void onSample(Sample sample) {
        if (!queue.offer(sample)) {
          metrics.dropped(Stage.SOURCE, "queue_full");
          if (!queueFullReported) {
            queueFullReported = true;
            log.warn(
                "Pipeline queue full ({} samples): dropping new samples and counting them in"
                    + " ketenlink_pipeline_dropped_total{{reason=\"queue_full\"}}; further drops are"
                    + " logged at debug",
                queue.remainingCapacity() + queue.size());
          } else {
            log.debug("Pipeline queue full; dropped {}/{}", sample.sourceId(), sample.signalId());
          }
        }
      }

      @Override
      public void onCycleEnd(String sourceId) {
        // Without room the batch stays open until the next cycle's end (or its size limit).
        if (batching) {
          queue.offer(new CycleEnd(sourceId));
        }
      }

      @Override
      public void onSignalInfo(SignalInfo info) {
        // Metadata must not be lost to a full queue: wait briefly for room, off the hot path.
        try {
          if (!queue.offer(info, 1, TimeUnit.SECONDS)) {
            log.warn(
                "Pipeline queue full: unit information for {}/{} was not applied",
                info.sourceId(),
                info.signalId());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  /**
   * Starts the pipeline thread with every link's journal. Sources may deliver before: what they
   * deliver waits in the queue (so OPC UA sessions can be opened while the broker starts).
   */
  void start(List<Outlet> outlets) {
    this.outlets = List.copyOf(outlets);
    thread.start();
  }

  /**
   * Hands changed agreements to the pipeline thread, which applies them between two values. Waits
   * up to 10 s for room in the queue.
   */
  void updateAgreements(
      List<PartnerConfig> partners, List<AgreementConfig> agreements, Optional<SigningKey> signing)
      throws InterruptedException {
    if (!queue.offer(new AgreementsUpdate(partners, agreements, signing), 10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the pipeline queue stayed full; agreements not applied");
    }
  }

  /**
   * Hands a machine's order snapshot to the pipeline thread; false (and nothing lost: the next
   * snapshot carries the same and newer facts) when the queue is full.
   */
  boolean offerOrders(OrderStage.Snapshot snapshot) {
    return queue.offer(snapshot);
  }

  int queued() {
    return queue.size();
  }

  /** Each stream's topic and the sequence number it was last given. Safe from any thread. */
  Map<String, Long> lastSequences() {
    return normaliser.lastSequences();
  }

  int capacity() {
    return queue.size() + queue.remainingCapacity();
  }

  private void run() {
    List<Object> batch = new ArrayList<>(BATCH);
    while (running) {
      try {
        Object first = queue.poll(100, TimeUnit.MILLISECONDS);
        Instant now = clock.instant();
        sharer.flush(now, this::journal); // aggregation windows that have ended
        production.idle(now, this::journal, shareDerived); // periods of silent machines
        if (first == null) {
          batches.flush(this::journal); // nothing else to do: no batch waits for more
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        for (Object item : batch) {
          process(item);
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // One bad sample must not stop the data path.
        batch.clear();
        metrics.error(Stage.NORMALISE);
        log.error("Pipeline step failed; continuing", e);
      }
    }
  }

  private void process(Object item) {
    if (item instanceof CycleEnd end) {
      batches.end(end.sourceId(), this::journal);
      return;
    }
    if (item instanceof SignalInfo info) {
      normaliser.learn(info);
      return;
    }
    if (item instanceof OrderStage.Snapshot snapshot) {
      Instant now = clock.instant();
      for (OrderStage.Published p : orders.apply(snapshot, now, this::journal)) {
        sharer.shareOrder(p, now, this::journal);
        orderTap.accept(p);
        OrderLifecycle.Event e = p.event().event();
        if (e == OrderLifecycle.Event.COMPLETED || e == OrderLifecycle.Event.ABORTED) {
          production.orderFinished(
              p.sourceId(),
              p.event().order(),
              e == OrderLifecycle.Event.ABORTED,
              p.at(),
              now,
              this::journal,
              shareDerived);
        }
      }
      return;
    }
    if (item instanceof AgreementsUpdate update) {
      sharer.update(update.agreements(), update.signing(), this::journal);
      sharer.partners(update.partners());
      log.info("Sharing agreements applied: {}", update.agreements().size());
      return;
    }
    Sample sample = (Sample) item;
    Instant now = clock.instant();
    Optional<NormalisedSample> normalised = normaliser.normalise(sample, now);
    if (normalised.isEmpty()) {
      return;
    }
    NormalisedSample n = normalised.get();
    orders.observe(sample.sourceId(), n.sourceTime());
    tap.accept(n);
    StreamSpec s = n.stream();
    if (s.batchTopic().isPresent()) {
      batches.add(n, this::journal);
    }
    // A retained stream keeps its own topic in a batched source too: the broker holds its last
    // value for whoever subscribes later.
    if (s.batchTopic().isEmpty() || s.retain()) {
      journal(
          new Message(
              s.topic(),
              encoder.sample(n),
              s.qos(),
              s.retain(),
              s.retain() ? Optional.empty() : s.expiry(),
              PayloadEncoder.CONTENT_TYPE,
              SAMPLE_PROPERTIES));
    }
    sharer.share(n, this::journal);
    production.accept(n, this::journal, shareDerived);
  }

  /** Appends one message to every link's journal. */
  private void journal(Message message) {
    byte[] record = MessageCodec.encode(message);
    for (Outlet o : outlets) {
      try {
        o.journal().append(record);
        o.forwarder().wakeUp();
      } catch (JournalException e) {
        metrics.dropped(Stage.JOURNAL, "journal_error");
        if (!journalErrorReported) {
          journalErrorReported = true;
          log.error(
              "Journal of link {} cannot store values ({}); dropping and counting them in"
                  + " ketenlink_pipeline_dropped_total{{reason=\"journal_error\"}}",
              o.linkId(),
              e.getMessage());
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
