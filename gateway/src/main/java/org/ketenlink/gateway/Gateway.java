package org.ketenlink.gateway;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.Link;
import org.ketenlink.connectors.api.LinkStatus;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.OrderControl;
import org.ketenlink.connectors.api.Source;
import org.ketenlink.connectors.api.SourceStatus;
import org.ketenlink.connectors.opcua.OpcUaPki;
import org.ketenlink.gateway.config.ConfigException;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.AgreementConfig;
import org.ketenlink.gateway.config.GatewayConfig.LinkConfig;
import org.ketenlink.gateway.config.GatewayConfig.SignalConfig;
import org.ketenlink.gateway.config.GatewayConfig.SourceConfig;
import org.ketenlink.gateway.journal.Journal;
import org.ketenlink.gateway.journal.JournalSettings;
import org.ketenlink.gateway.journal.JournalStats;
import org.ketenlink.gateway.pki.SigningKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Ketenlink gateway: its sources, the data path, its links, the embedded broker when a
 * link uses it, and the admin server. Built from a validated {@link GatewayConfig}; everything is
 * wired here, top to bottom, in data-path order.
 *
 * <p>Start with {@link #start(GatewayConfig)}; {@link #close()} stops everything and publishes the
 * retained {@code offline} status first.
 */
public final class Gateway implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private volatile GatewayConfig config;
  private Thread watcher;
  private final Clock clock;
  private final Instant startedAt;
  private final String run;
  private final Topics topics;
  private final PayloadEncoder statusEncoder;
  private final PrometheusMeterRegistry registry;
  private final GatewayMetrics metrics;
  private final List<Source> sources = new ArrayList<>();
  private final List<Link> links = new ArrayList<>();
  private final List<Pipeline.Outlet> outlets = new ArrayList<>();
  private EmbeddedBroker broker;
  private AuditTrail audit;
  private OrderCommands commands;
  private OrderPoller orderPoller;
  private Pipeline pipeline;
  private OpcUaPki pki;
  private AdminServer admin;

  private Gateway(GatewayConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.run = Long.toString(startedAt.toEpochMilli());
    this.topics = new Topics(config.gateway());
    this.statusEncoder = new PayloadEncoder(config.gateway().id(), run);
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.metrics = new GatewayMetrics(registry);
  }

  /** Starts a gateway; sources and links connect in the background. */
  public static Gateway start(GatewayConfig config) {
    return start(config, Clock.systemUTC(), n -> {});
  }

  /**
   * Starts a gateway with its own clock and a tap that sees every normalised value (the demo's
   * console view).
   */
  static Gateway start(GatewayConfig config, Clock clock, Consumer<NormalisedSample> tap) {
    return start(config, clock, tap, p -> {});
  }

  /** As {@link #start(GatewayConfig, Clock, Consumer)}, with a tap for order events too. */
  static Gateway start(
      GatewayConfig config,
      Clock clock,
      Consumer<NormalisedSample> tap,
      Consumer<OrderStage.Published> orderTap) {
    Gateway g = new Gateway(config, clock);
    try {
      g.startAll(tap, orderTap);
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  private void startAll(Consumer<NormalisedSample> tap, Consumer<OrderStage.Published> orderTap) {
    audit = AuditTrail.open(config.dataDir().resolve("audit"), clock, config.audit().interval());
    audit.agreements(config.agreements());
    // The embedded broker takes a second or two to start, as do the OPC UA sessions (key
    // exchange, browsing, subscribing): both at once. What sources deliver meanwhile waits in the
    // pipeline's queue, and nothing leaves it before every link's journal is in place.
    CompletableFuture<EmbeddedBroker> brokerStart =
        config.links().stream().anyMatch(LinkConfig::embedded)
            ? CompletableFuture.supplyAsync(
                () -> EmbeddedBroker.start(Connectors.brokerSettings(config, audit::refused)),
                r -> Threads.daemon("ketenlink-broker-start").newThread(r).start())
            : CompletableFuture.completedFuture(null);
    commands =
        new OrderCommands(
            config.gateway().id(),
            config.dataDir().resolve("commands"),
            clock,
            audit,
            registry,
            config.partners(),
            config.agreements());
    // One encoder for everything the pipeline thread publishes (it reuses its buffer).
    PayloadEncoder encoder = new PayloadEncoder(config.gateway().id(), run);
    pipeline =
        new Pipeline(
            streams(),
            config.partners(),
            config.agreements(),
            config.agreements().stream().anyMatch(AgreementConfig::sign)
                ? Optional.of(SigningKey.loadOrCreate(Connectors.mqttCa(config)))
                : Optional.empty(),
            audit,
            encoder,
            clock,
            metrics,
            100_000,
            tap,
            orderTap,
            new OrderStage(config, topics, encoder),
            new ProductionStage(config, topics, encoder));

    List<OrderCommands.Machine> withOrders = new ArrayList<>();
    List<OrderPoller.Target> followed = new ArrayList<>();
    try {
      pki = Connectors.pki(config);
      for (SourceConfig sc : config.sources()) {
        Source source = Connectors.source(sc, pki);
        sources.add(source);
        metrics.source(source);
        source.start(pipeline.sink());
        if (source.orders().isPresent() && sc.orders().isPresent()) {
          OrderControl o = source.orders().get();
          withOrders.add(new OrderCommands.Machine(sc.line(), sc.machine(), o));
          followed.add(new OrderPoller.Target(sc.id(), o, sc.orders().get().pollInterval()));
        }
      }
    } finally {
      broker = awaitBroker(brokerStart);
    }

    for (LinkConfig lc : config.links()) {
      Link link = Connectors.link(config, lc, broker, birth(), will());
      links.add(link);
      commands.listen(link);
      metrics.link(link);
      Journal journal =
          Journal.open(
              config.dataDir().resolve("journal").resolve(lc.id()), journalSettings(), clock);
      metrics.journal(lc.id(), journal);
      // The journal is the buffer: the link only ever holds what keeps its window full.
      Forwarder forwarder =
          new Forwarder(
              link,
              journal,
              metrics,
              clock,
              Forwarder.outstanding(lc.maxInFlight(), lc.queueCapacity()));
      outlets.add(new Pipeline.Outlet(lc.id(), journal, forwarder));
    }
    pipeline.start(outlets);
    links.forEach(Link::start);
    outlets.forEach(o -> o.forwarder().start());
    commands.machines(withOrders);
    orderPoller = new OrderPoller(followed, pipeline);
    if (config.admin().enabled()) {
      admin = AdminServer.start(config.admin().bind(), config.admin().port(), new Endpoints());
    }
    log.info(
        "Gateway {} started: {} sources, {} signals, {} links{}{}",
        config.gateway().id(),
        sources.size(),
        config.sources().stream().mapToInt(s -> s.signals().size()).sum(),
        links.size(),
        broker == null ? "" : ", embedded broker " + broker.url(),
        admin == null ? "" : ", admin " + admin.url());
  }

  /** The started embedded broker (null without one); its start's failure as thrown. */
  private static EmbeddedBroker awaitBroker(CompletableFuture<EmbeddedBroker> start) {
    try {
      return start.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  private JournalSettings journalSettings() {
    GatewayConfig.JournalConfig j = config.journal();
    JournalSettings.SyncPolicy sync =
        switch (j.sync()) {
          case ALWAYS -> JournalSettings.SyncPolicy.ALWAYS;
          case GROUP -> JournalSettings.SyncPolicy.GROUP;
          case NONE -> JournalSettings.SyncPolicy.NONE;
        };
    // One constructor call: the settings are validated as a whole, not one change at a time.
    return new JournalSettings(
        j.maxBytes(),
        j.maxAge(),
        j.segmentBytes(),
        sync,
        j.syncInterval(),
        JournalSettings.OverflowPolicy.DROP_OLDEST);
  }

  private Map<String, StreamSpec> streams() {
    Map<String, StreamSpec> streams = new LinkedHashMap<>();
    for (SourceConfig sc : config.sources()) {
      String asset = topics.asset(sc.line(), sc.machine());
      Optional<String> batch =
          sc.batch() ? Optional.of(topics.batch(sc.line(), sc.machine())) : Optional.empty();
      for (SignalConfig s : sc.signals()) {
        streams.put(
            Normaliser.key(sc.id(), s.name()),
            new StreamSpec(
                sc.id(),
                s.name(),
                topics.signal(sc.line(), sc.machine(), s.kind(), s.name()),
                asset,
                s.kind(),
                s.unit().map(Units::ofCode),
                s.scale(),
                s.offset(),
                s.valueMap(),
                s.qos(),
                s.retain(),
                config.publish().messageExpiry(),
                batch));
      }
    }
    return streams;
  }

  private Message statusMessage(String state) {
    return new Message(
        topics.gatewayStatus(),
        statusEncoder.status(state, clock.instant(), Version.current()),
        1,
        true,
        Optional.empty(),
        PayloadEncoder.CONTENT_TYPE,
        Map.of("schema", PayloadEncoder.STATUS_SCHEMA));
  }

  private Message birth() {
    return statusMessage("online");
  }

  private Message will() {
    return statusMessage("offline");
  }

  // ---------------------------------------------------------------------------------------------
  // Changes while running

  /**
   * What {@link #reload} did: whether partners and agreements were applied, and which other
   * sections changed (those need a restart; nothing is applied then).
   */
  public record Reload(boolean applied, List<String> restartNeeded) {}

  /**
   * Applies a changed configuration while running — partners and agreements only, without dropping
   * other partners: the share stage switches between two values, the broker closes only the
   * connections of partners that are gone or whose identity changed, the audit trail records each
   * agreement change. If any other section changed, nothing is applied and the sections that need a
   * restart are returned.
   */
  public synchronized Reload reload(GatewayConfig next) {
    GatewayConfig now = config;
    List<String> restart = new ArrayList<>();
    compare(restart, "gateway", now.gateway(), next.gateway());
    compare(restart, "dataDir", now.dataDir(), next.dataDir());
    compare(restart, "pkiDir", now.pkiDir(), next.pkiDir());
    compare(restart, "sources", now.sources(), next.sources());
    compare(restart, "links", now.links(), next.links());
    compare(restart, "broker", now.broker(), next.broker());
    compare(restart, "admin", now.admin(), next.admin());
    compare(restart, "publish", now.publish(), next.publish());
    compare(restart, "journal", now.journal(), next.journal());
    compare(restart, "audit", now.audit(), next.audit());
    if (!restart.isEmpty()) {
      log.warn(
          "Configuration change not applied: {} changed, which needs a restart (partners and"
              + " agreements can change while running)",
          String.join(", ", restart));
      audit.note("config-not-applied", "restart needed for: " + String.join(", ", restart));
      return new Reload(false, restart);
    }
    if (now.partners().equals(next.partners()) && now.agreements().equals(next.agreements())) {
      return new Reload(false, List.of());
    }
    try {
      pipeline.updateAgreements(
          next.partners(),
          next.agreements(),
          next.agreements().stream().anyMatch(AgreementConfig::sign)
              ? Optional.of(SigningKey.loadOrCreate(Connectors.mqttCa(next)))
              : Optional.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Reload(false, List.of());
    }
    if (broker != null) {
      broker.updatePartners(next.partners());
    }
    commands.update(next.partners(), next.agreements());
    audit.agreements(next.agreements());
    config = next;
    log.info(
        "Configuration reloaded: {} partners, {} agreements",
        next.partners().size(),
        next.agreements().size());
    return new Reload(true, List.of());
  }

  private static void compare(List<String> changed, String section, Object a, Object b) {
    if (!java.util.Objects.equals(a, b)) {
      changed.add(section);
    }
  }

  /**
   * Watches the configuration file and {@link #reload reloads} it when it changes (checked every
   * {@code interval}). An invalid file changes nothing: every problem is logged and recorded, and
   * the gateway goes on with what it has.
   */
  public synchronized void watch(
      java.nio.file.Path file, ConfigLoader loader, java.time.Duration interval) {
    if (watcher != null) {
      throw new IllegalStateException("already watching");
    }
    watcher =
        new Thread(
            () -> {
              Object seen = fileStamp(file);
              while (!Thread.currentThread().isInterrupted()) {
                try {
                  Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                  return;
                }
                Object stamp = fileStamp(file);
                if (java.util.Objects.equals(stamp, seen)) {
                  continue;
                }
                seen = stamp;
                try {
                  reload(loader.load(file));
                } catch (ConfigException e) {
                  log.error(
                      "Configuration change in {} refused; the gateway goes on with the previous"
                          + " configuration. {}",
                      file,
                      e.getMessage());
                  audit.note("config-refused", String.join("; ", e.problems()));
                } catch (RuntimeException e) {
                  log.error("Reloading {} failed; the previous configuration stays", file, e);
                }
              }
            },
            "ketenlink-config-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private static Object fileStamp(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.getLastModifiedTime(file).toMillis()
          + ":"
          + java.nio.file.Files.size(file)
          + ":"
          + java.util.Arrays.hashCode(java.nio.file.Files.readAllBytes(file));
    } catch (java.io.IOException e) {
      return "unreadable";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** A snapshot for {@code /api/status}. */
  public GatewayStatus status() {
    List<SourceStatus> s = sources.stream().map(Source::status).toList();
    List<LinkStatus> l = links.stream().map(Link::status).toList();
    boolean ready =
        !s.isEmpty()
            && s.stream().allMatch(x -> x.state() == ConnectionState.CONNECTED)
            && l.stream().allMatch(x -> x.state() == ConnectionState.CONNECTED);
    return new GatewayStatus(
        config.gateway().id(),
        run,
        Version.current(),
        startedAt,
        ready,
        s,
        l,
        new GatewayStatus.PipelineStatus(
            pipeline == null ? 0 : pipeline.queued(),
            pipeline == null ? 0 : pipeline.capacity(),
            metrics.droppedByReason()),
        outlets.stream()
            .map(o -> new GatewayStatus.JournalStatus(o.linkId(), o.journal().stats()))
            .toList(),
        Optional.ofNullable(broker).map(EmbeddedBroker::url));
  }

  /**
   * Each stream's topic and the sequence number it was last given in this run: what a partner
   * should have received once the journal has drained (less what was dropped and counted).
   */
  Map<String, Long> lastSequences() {
    return pipeline == null ? Map.of() : pipeline.lastSequences();
  }

  /** The embedded broker's URL, when one runs. */
  public Optional<String> brokerUrl() {
    return Optional.ofNullable(broker).map(EmbeddedBroker::url);
  }

  /** The embedded broker's port, when one runs. */
  public Optional<Integer> brokerPort() {
    return Optional.ofNullable(broker).map(EmbeddedBroker::port);
  }

  /** The admin server's URL, when it runs. */
  public Optional<String> adminUrl() {
    return Optional.ofNullable(admin).map(AdminServer::url);
  }

  /** The Prometheus text exposition of every metric. */
  public String scrape() {
    return registry.scrape();
  }

  /** The topic of this gateway's retained status. */
  public String statusTopic() {
    return topics.gatewayStatus();
  }

  /** The filter that matches every topic this gateway publishes to. */
  public String topicFilter() {
    return topics.all();
  }

  // ---------------------------------------------------------------------------------------------

  /** Stops sources first, then says goodbye on every link, then the broker. */
  @Override
  public void close() {
    Thread w;
    synchronized (this) {
      w = watcher;
    }
    if (w != null) {
      w.interrupt();
    }
    if (admin != null) {
      admin.close();
    }
    if (orderPoller != null) {
      closeQuietly(orderPoller::close, "order poller");
    }
    if (commands != null) {
      closeQuietly(commands::close, "order commands");
    }
    for (Source s : sources) {
      closeQuietly(s::close, "source " + s.id());
    }
    if (pipeline != null) {
      pipeline.close();
    }
    for (Pipeline.Outlet o : outlets) {
      closeQuietly(o.forwarder()::close, "forwarder " + o.linkId());
    }
    for (Link l : links) {
      if (l.status().state() == ConnectionState.CONNECTED) {
        try {
          l.publish(statusMessage("offline")).get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          log.debug("Could not publish the offline status on link {}: {}", l.id(), e.toString());
        }
      }
      closeQuietly(l::close, "link " + l.id());
    }
    // Records the broker did not acknowledge stay in the journal for the next start.
    for (Pipeline.Outlet o : outlets) {
      closeQuietly(o.journal()::close, "journal " + o.linkId());
    }
    if (broker != null) {
      closeQuietly(broker::close, "embedded broker");
    }
    if (audit != null) {
      closeQuietly(audit::close, "audit trail");
    }
    registry.close();
  }

  private static void closeQuietly(Runnable close, String what) {
    try {
      close.run();
    } catch (RuntimeException e) {
      log.warn("Closing {} failed: {}", what, e.toString());
    }
  }

  /** What the admin server shows; quick and non-blocking, called on its event loop. */
  private final class Endpoints implements AdminEndpoints {
    @Override
    public Health health() {
      return new Health(true, Map.of("gateway", config.gateway().id(), "run", run));
    }

    @Override
    public Health readiness() {
      GatewayStatus s = status();
      Map<String, Object> details = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      s.sources().forEach(x -> details.put("source." + x.id(), x.state().name()));
      // Overload is never silent: what the servers or the gateway could not carry is listed.
      for (var x : s.sources()) {
        if (x.samplesDropped() > 0) {
          problems.add(
              ("source %s: the OPC UA server reported %d values lost (its queue for a monitored"
                      + " item overflowed, or notifications it could not resend); raise the"
                      + " signals' queueSize or lower their samplingInterval")
                  .formatted(x.id(), x.samplesDropped()));
        }
      }
      long droppedByGateway =
          s.pipeline().dropped().values().stream().mapToLong(Long::longValue).sum();
      if (droppedByGateway > 0) {
        details.put("pipeline.dropped", s.pipeline().dropped());
        problems.add(
            ("the gateway dropped %d values it could not take %s; see"
                    + " ketenlink_pipeline_dropped_total and docs/operations.md")
                .formatted(droppedByGateway, s.pipeline().dropped()));
      }
      for (int i = 0; i < s.links().size(); i++) {
        LinkStatus link = s.links().get(i);
        JournalStats j = s.journals().get(i).stats();
        details.put("link." + link.id(), link.state().name());
        Map<String, Object> journal = new LinkedHashMap<>();
        journal.put("backlogRecords", j.backlogRecords());
        journal.put("backlogBytes", j.backlogBytes());
        journal.put("oldestAgeSeconds", j.oldestAgeMillis() / 1000);
        journal.put("dropped", j.droppedByBudget() + j.droppedByAge());
        details.put("journal." + link.id(), journal);
        if (link.state() != ConnectionState.CONNECTED && j.backlogRecords() > 0) {
          problems.add(
              ("link %s is %s; its journal holds a growing backlog of %d values (%d bytes, oldest"
                      + " %d s), delivered in order when the link is back")
                  .formatted(
                      link.id(),
                      link.state(),
                      j.backlogRecords(),
                      j.backlogBytes(),
                      j.oldestAgeMillis() / 1000));
        }
        if (j.droppedByBudget() + j.droppedByAge() > 0) {
          problems.add(
              "journal of link %s dropped %d undelivered values (budget %d, age %d)"
                  .formatted(
                      link.id(),
                      j.droppedByBudget() + j.droppedByAge(),
                      j.droppedByBudget(),
                      j.droppedByAge()));
        }
      }
      details.put("problems", problems);
      return new Health(s.ready(), details);
    }

    @Override
    public String prometheusScrape() {
      return registry.scrape();
    }

    @Override
    public GatewayStatus status() {
      return Gateway.this.status();
    }

    @Override
    public Document audit(Map<String, List<String>> query) {
      String partner = first(query, "partner");
      String type = first(query, "type");
      int limit;
      try {
        limit = Math.max(1, Math.min(AuditTrail.RECENT, Integer.parseInt(first(query, "limit"))));
      } catch (NumberFormatException e) {
        limit = 1000;
      }
      List<AuditTrail.Entry> entries =
          audit.recent(
              e ->
                  (partner.isEmpty() || e.partner().equals(partner))
                      && (type.isEmpty() || e.type().equals(type)),
              limit);
      return "csv".equals(first(query, "format"))
          ? new Document("text/csv; charset=utf-8", bytes(AuditTrail.csv(entries)))
          : new Document("application/json", bytes(AuditTrail.json(entries)));
    }

    private static String first(Map<String, List<String>> query, String key) {
      List<String> v = query.get(key);
      return v == null || v.isEmpty() ? "" : v.get(0);
    }

    private static byte[] bytes(String s) {
      return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
