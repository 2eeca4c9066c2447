package org.ketenlink.connectors.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.UaSession;
import org.eclipse.milo.opcua.sdk.client.subscriptions.MonitoredItemServiceOperationResult;
import org.eclipse.milo.opcua.sdk.client.subscriptions.MonitoredItemSynchronizationException;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DataChangeTrigger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.DeadbandType;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MonitoringMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathResult;
import org.eclipse.milo.opcua.stack.core.types.structured.DataChangeFilter;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.OrderControl;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.SampleSink;
import org.ketenlink.connectors.api.SignalInfo;
import org.ketenlink.connectors.api.Source;
import org.ketenlink.connectors.api.SourceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OPC UA server as a {@link Source}: connects with the configured security and user, monitors
 * the configured signals in one subscription, and recovers by itself.
 *
 * <p>The configured signals are the desired state. Every recovery re-runs the same reconciliation
 * against it: after a lost connection or dropped session (Milo reconnects; if the server still has
 * the subscription it is transferred, otherwise it is re-created), after a server restart (the
 * subscription is re-created and every node id and browse path resolved again by namespace URI),
 * and every {@code nodeRetryInterval} for signals whose node does not exist (yet). A server that is
 * not reachable at start, or refuses the gateway, is retried with back-off (1 s doubling to 16 s).
 *
 * <p>Threading: each source owns one thread, {@code ketenlink-opcua-<id>}, which does all
 * connecting, resolving and reconciling. Milo's callback threads only convert values and call
 * {@link SampleSink#onSample} (in order per signal), or hand events to that thread; they never
 * block. {@link SampleSink#onSignalInfo} is called on the source's own thread. {@link #status()} is
 * thread-safe.
 */
public final class OpcUaSource implements Source {

  private static final Logger log = LoggerFactory.getLogger(OpcUaSource.class);
  private static final SampleSink NO_SINK = sample -> {};
  private static final long FIRST_BACKOFF_MS = 1_000;
  private static final long MAX_BACKOFF_MS = 16_000;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final OpcUaSourceSettings settings;
  private final String id;
  private final OpcUaPki pki;
  private final Clock clock;
  private final Connector.Target target;
  private final Connector.X509User x509User;
  private final ScheduledThreadPoolExecutor executor;
  private final List<Signal> signals;
  private final OpcUaOrders orders;
  private volatile Thread ownThread;

  // Status: written on the own thread (state also by Milo's session callbacks), read anywhere.
  private final AtomicLong samplesReceived = new AtomicLong();
  private final AtomicLong samplesDropped = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong subscriptionRecoveries = new AtomicLong();
  private final AtomicInteger connectAttempts = new AtomicInteger();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean sinkFailureLogged = new AtomicBoolean();
  private volatile ConnectionState state = ConnectionState.CONNECTING;
  private volatile Instant since;
  private volatile String endpointInUse;
  private volatile String lastError;
  private volatile List<String> problems = List.of();
  private volatile int signalsActive;
  private volatile boolean sessionActive;
  private volatile SampleSink sink = NO_SINK;
  private volatile OpcUaClient client;
  private volatile ServerCertificateCheck.Refusal lastRefusal;

  // Own thread only.
  private OpcUaSubscription subscription;
  private boolean subscriptionCreated;
  private boolean everActive;
  private boolean resyncAll;
  private int failedAttempts;
  private ScheduledFuture<?> pending;
  private String lastLogged;
  private String lastAdvertisedUrl;

  /**
   * A source for {@code settings}, sharing {@code pki} with the gateway's other sources. Nothing
   * happens until {@link #start}.
   *
   * @throws IllegalArgumentException listing every invalid setting, or if the X.509 user
   *     certificate or key cannot be read
   */
  public OpcUaSource(OpcUaSourceSettings settings, OpcUaPki pki) {
    this(settings, pki, Clock.systemUTC());
  }

  OpcUaSource(OpcUaSourceSettings settings, OpcUaPki pki, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings").validated();
    this.pki = Objects.requireNonNull(pki, "pki");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.id = settings.id();
    this.target = Connector.Target.of(settings);
    if (settings.identity() instanceof Identity.X509 x509) {
      try {
        this.x509User = Connector.X509User.load(x509);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "source " + id + ": identity: cannot load the X.509 user token: " + e.getMessage(), e);
      }
    } else {
      this.x509User = null;
    }
    List<Signal> list = new ArrayList<>();
    for (SignalSettings s : settings.signals()) {
      list.add(new Signal(s));
    }
    this.signals = List.copyOf(list);
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "ketenlink-opcua-" + id);
              t.setDaemon(true);
              ownThread = t;
              return t;
            });
    this.executor.setRemoveOnCancelPolicy(true);
    this.orders =
        settings
            .orders()
            .map(
                o ->
                    new OpcUaOrders(
                        id, o, settings.orderModel(), () -> sessionActive ? client : null))
            .orElse(null);
    this.since = clock.instant();
    this.endpointInUse = settings.endpointUrl();
  }

  @Override
  public String id() {
    return id;
  }

  /**
   * Starts connecting in the background; returns at once.
   *
   * @throws IllegalStateException if already started or closed
   */
  @Override
  public void start(SampleSink sink) {
    Objects.requireNonNull(sink, "sink");
    if (closed.get()) {
      throw new IllegalStateException("source " + id + " is closed");
    }
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("source " + id + " is already started");
    }
    this.sink = sink;
    execute(this::connect);
  }

  /**
   * The machine's orders, read and changed through the configured orders object in the Ketenlink
   * order model (see {@link OpcUaSourceSettings#orders()}); requests fail as unavailable while
   * there is no session.
   */
  @Override
  public Optional<OrderControl> orders() {
    return Optional.ofNullable(orders);
  }

  @Override
  public SourceStatus status() {
    ConnectionState s = state;
    return new SourceStatus(
        id,
        s,
        endpointInUse,
        settings.security(),
        signals.size(),
        s == ConnectionState.CONNECTED ? signalsActive : 0,
        samplesReceived.get(),
        samplesDropped.get(),
        reconnects.get(),
        subscriptionRecoveries.get(),
        s == ConnectionState.STOPPED ? List.of() : problems,
        Optional.ofNullable(lastError),
        since);
  }

  /**
   * Deletes the subscription, closes the session and stops the source's thread. Idempotent; waits a
   * few seconds at most.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    executor.shutdownNow();
    if (orders != null) {
      orders.close();
    }
    if (Thread.currentThread() != ownThread) {
      try {
        if (!executor.awaitTermination(
            settings.requestTimeout().plus(CLOSE_WAIT).toMillis(), TimeUnit.MILLISECONDS)) {
          log.warn("{}: the source thread did not stop in time; closing anyway", id);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    OpcUaClient c = client;
    OpcUaSubscription sub = subscription;
    if (c != null) {
      if (sub != null
          && sessionActive
          && sub.getSyncState() != OpcUaSubscription.SyncState.INITIAL) {
        await(sub.deleteAsync().toCompletableFuture());
      }
      await(c.disconnectAsync());
    }
    sessionActive = false;
    setState(ConnectionState.STOPPED);
    log.info("{}: closed", id);
  }

  /** How many connection attempts this source made (for tests). */
  int connectAttempts() {
    return connectAttempts.get();
  }

  // ---------------------------------------------------------------------------------------------
  // Connecting (own thread)

  private void connect() {
    pending = null;
    if (closed.get()) {
      return;
    }
    connectAttempts.incrementAndGet();
    lastRefusal = null;
    OpcUaClient c = null;
    try {
      List<EndpointDescription> endpoints = Connector.getEndpoints(target);
      EndpointDescription advertised = Connector.select(endpoints, target);
      EndpointDescription endpoint = Connector.reachable(advertised, target.url());
      if (endpoint != advertised && !advertised.getEndpointUrl().equals(lastAdvertisedUrl)) {
        log.info(
            "{}: the server advertises {}; connecting to {} instead",
            id,
            advertised.getEndpointUrl(),
            endpoint.getEndpointUrl());
      }
      lastAdvertisedUrl = advertised.getEndpointUrl();
      endpointInUse = endpoint.getEndpointUrl();
      ServerCertificateCheck check = new ServerCertificateCheck(pki, this::certificateRefused);
      c =
          Connector.newClient(
              target,
              endpoint,
              pki,
              check,
              Connector.identityProvider(settings.identity(), check, x509User));
      // Set before connecting: the session callbacks compare against it.
      client = c;
      c.addSessionActivityListener(new SessionEvents(c));
      c.connectAsync()
          .get(
              settings.connectTimeout().plus(settings.requestTimeout().multipliedBy(2)).toMillis(),
              TimeUnit.MILLISECONDS);
      if (failedAttempts > 0) {
        log.info(
            "{}: connected to {} ({}) after {} failed attempts",
            id,
            endpointInUse,
            settings.security(),
            failedAttempts);
      } else {
        log.info("{}: connected to {} ({})", id, endpointInUse, settings.security());
      }
      failedAttempts = 0;
      lastLogged = null;
      lastError = null;
      lastRefusal = null;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      client = null;
      sessionActive = false;
      setState(ConnectionState.CONNECTING);
      if (c != null) {
        // A failed client keeps retrying in the background unless told to stop.
        c.disconnectAsync();
      }
      if (closed.get()) {
        return;
      }
      ServerCertificateCheck.Refusal refusal = lastRefusal;
      String error;
      if (refusal != null) {
        error = refusal.message();
      } else if (e instanceof Connector.NotOfferedException) {
        error = e.getMessage();
      } else if (e instanceof TimeoutException) {
        error =
            "no session within "
                + Durations.format(
                    settings.connectTimeout().plus(settings.requestTimeout().multipliedBy(2)));
      } else {
        error = Connector.describe(e instanceof ExecutionException ? e.getCause() : e, target, pki);
      }
      reportError(error, e);
      long delay = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(10, failedAttempts++));
      schedule(this::connect, delay);
    }
  }

  /** Milo transport thread: remember, and explain it on the own thread. */
  private void certificateRefused(ServerCertificateCheck.Refusal refusal) {
    lastRefusal = refusal;
    execute(
        () -> {
          // Stale once a later attempt (or Milo's own retry within it) got through.
          if (lastRefusal == refusal && !sessionActive) {
            reportError(refusal.message(), null);
          }
        });
  }

  private void sessionActivated(OpcUaClient c) {
    if (client != c || closed.get()) {
      return;
    }
    if (everActive) {
      reconnects.incrementAndGet();
      log.info("{}: session re-established", id);
    }
    everActive = true;
    lastError = null;
    lastLogged = null;
    reconcile(true);
  }

  private void sessionDeactivated(OpcUaClient c) {
    if (client != c || closed.get()) {
      return;
    }
    reportError("connection lost; reconnecting", null);
    publishStatus();
  }

  // ---------------------------------------------------------------------------------------------
  // Reconciling the desired signals with the server (own thread)

  private void reconcile(boolean full) {
    OpcUaClient c = client;
    if (closed.get() || c == null || !sessionActive) {
      return;
    }
    cancelPending();
    // A full pass (after a recovery) stays owed until one completes.
    resyncAll |= full;
    try {
      resyncAll |= ensureSubscription(c);
      resolve(c, resyncAll);
      reportSignalInfo(c, resyncAll);
      synchronize();
      resyncAll = false;
    } catch (UaException | RuntimeException e) {
      if (closed.get()) {
        return;
      }
      publishStatus();
      if (sessionActive) {
        String error =
            "synchronising monitored items failed: " + Connector.describe(e, target, pki);
        reportError(error, e);
        schedule(() -> reconcile(false), Math.min(5_000, settings.nodeRetryInterval().toMillis()));
      }
      return;
    }
    publishStatus();
    if (signals.stream().anyMatch(s -> s.problem != null || s.infoPending)) {
      schedule(() -> reconcile(false), settings.nodeRetryInterval().toMillis());
    }
  }

  private boolean ensureSubscription(OpcUaClient c) throws UaException {
    if (subscription == null || subscription.getClient() != c) {
      subscription = new OpcUaSubscription(c, (double) settings.publishingInterval().toMillis());
      subscription.setSubscriptionListener(new SubscriptionEvents(subscription));
    }
    if (subscription.getSyncState() != OpcUaSubscription.SyncState.INITIAL) {
      return false;
    }
    subscription.create();
    if (subscriptionCreated) {
      subscriptionRecoveries.incrementAndGet();
      log.info("{}: re-created the subscription; re-synchronising {} signals", id, signals.size());
    }
    subscriptionCreated = true;
    return true;
  }

  /**
   * Resolves node ids and browse paths to the node ids of the current server (namespace indexes can
   * change when a server restarts) and binds each signal's monitored item to its node.
   */
  private void resolve(OpcUaClient c, boolean all) throws UaException {
    NamespaceTable namespaces = c.getNamespaceTable();
    List<Signal> paths = new ArrayList<>();
    List<BrowsePath> browsePaths = new ArrayList<>();
    for (Signal s : signals) {
      if (!all && !s.needsResolution()) {
        continue;
      }
      NodeAddress address = s.settings.address();
      if (address instanceof NodeAddress.ById byId) {
        Optional<NodeId> node = NodeIdText.resolve(byId.nodeId(), namespaces);
        if (node.isPresent()) {
          bind(s, node.get());
        } else {
          unbind(
              s,
              "namespace '"
                  + NodeIdText.namespaceUri(byId.nodeId()).orElse("?")
                  + "' is not on the server");
        }
      } else if (address instanceof NodeAddress.ByPath byPath) {
        Optional<BrowsePath> path = NodeMetadata.path(byPath, namespaces);
        if (path.isEmpty()) {
          unbind(
              s,
              "namespace '"
                  + NodeMetadata.missingNamespace(byPath, namespaces).orElse("?")
                  + "' is not on the server");
          continue;
        }
        paths.add(s);
        browsePaths.add(path.get());
      }
    }
    if (browsePaths.isEmpty()) {
      return;
    }
    List<BrowsePathResult> results = Batches.translate(c, browsePaths);
    for (int i = 0; i < paths.size(); i++) {
      Signal s = paths.get(i);
      BrowsePathResult r = results.get(i);
      NodeId node = NodeMetadata.target(r, namespaces);
      if (node != null) {
        bind(s, node);
      } else {
        StatusCode status = r == null ? new StatusCode(StatusCodes.Bad_NoMatch) : r.getStatusCode();
        unbind(
            s,
            StatusNames.name(status.isGood() ? new StatusCode(StatusCodes.Bad_NoMatch) : status)
                + " (no node at "
                + s.settings.address()
                + ")");
      }
    }
  }

  private void bind(Signal s, NodeId node) {
    if (s.item != null && s.item.getReadValueId().getNodeId().equals(node)) {
      return;
    }
    if (s.item != null) {
      subscription.removeMonitoredItem(s.item);
    }
    SignalSettings cfg = s.settings;
    OpcUaMonitoredItem item =
        new OpcUaMonitoredItem(
            new ReadValueId(node, AttributeId.Value.uid(), null, QualifiedName.NULL_VALUE),
            MonitoringMode.Reporting);
    item.setSamplingInterval((double) cfg.samplingInterval().toMillis());
    item.setQueueSize(uint(cfg.queueSize()));
    item.setDiscardOldest(true);
    item.setFilter(filter(cfg.deadband()));
    item.setUserObject(cfg.id());
    subscription.addMonitoredItem(item);
    s.item = item;
    s.node = node;
    s.problem = null;
    s.infoPending = true;
  }

  private void unbind(Signal s, String problem) {
    if (s.item != null) {
      subscription.removeMonitoredItem(s.item);
    }
    s.item = null;
    s.node = null;
    s.problem = problem;
    s.infoPending = false;
  }

  private static DataChangeFilter filter(Deadband deadband) {
    return switch (deadband.kind()) {
      case NONE -> null;
      case ABSOLUTE ->
          new DataChangeFilter(
              DataChangeTrigger.StatusValue,
              uint(DeadbandType.Absolute.getValue()),
              deadband.value());
      case PERCENT ->
          new DataChangeFilter(
              DataChangeTrigger.StatusValue,
              uint(DeadbandType.Percent.getValue()),
              deadband.value());
    };
  }

  /**
   * Tells the sink what the server declares about each newly bound signal, before its monitored
   * item is created, so that units arrive before the first sample.
   */
  private void reportSignalInfo(OpcUaClient c, boolean all) throws UaException {
    List<Signal> wanted = new ArrayList<>();
    for (Signal s : signals) {
      if (s.node != null && (all || s.infoPending)) {
        wanted.add(s);
      }
    }
    if (wanted.isEmpty()) {
      return;
    }
    Map<NodeId, NodeMetadata.Info> infos =
        new NodeMetadata(c).read(wanted.stream().map(s -> s.node).distinct().toList());
    SampleSink out = sink;
    for (Signal s : wanted) {
      NodeMetadata.Info info = infos.get(s.node);
      if (info == null) {
        // The node does not exist (yet); reported once it does.
        s.infoPending = true;
        continue;
      }
      s.infoPending = false;
      try {
        out.onSignalInfo(
            new SignalInfo(
                id,
                s.settings.id(),
                s.node.toParseableString(),
                info.dataType(),
                info.unit(),
                info.range()));
      } catch (RuntimeException e) {
        sinkFailed(e);
      }
    }
  }

  private void synchronize() throws UaException {
    try {
      subscription.synchronizeMonitoredItems();
    } catch (MonitoredItemSynchronizationException e) {
      for (List<MonitoredItemServiceOperationResult> results :
          List.of(e.getCreateResults(), e.getModifyResults(), e.getDeleteResults())) {
        for (MonitoredItemServiceOperationResult r : results) {
          if (!r.serviceResult().isGood()) {
            throw new UaException(r.serviceResult(), "the server refused the monitored items");
          }
        }
      }
    }
    for (Signal s : signals) {
      if (s.item == null) {
        continue;
      }
      if (s.item.getSyncState() == OpcUaMonitoredItem.SyncState.INITIAL) {
        long code =
            s.item.getCreateResult().map(StatusCode::value).orElse(StatusCodes.Bad_UnexpectedError);
        s.problem = StatusNames.name(code) + hint(code, s.settings);
      } else {
        s.problem = null;
      }
    }
  }

  private static String hint(long code, SignalSettings s) {
    if ((code == StatusCodes.Bad_MonitoredItemFilterUnsupported
            || code == StatusCodes.Bad_FilterNotAllowed
            || code == StatusCodes.Bad_DeadbandFilterInvalid)
        && s.deadband().kind() == Deadband.Kind.PERCENT) {
      return " (a percent deadband needs a node with an EURange)";
    }
    if (code == StatusCodes.Bad_NodeIdUnknown) {
      return " (no node " + s.address() + ")";
    }
    return "";
  }

  private void publishStatus() {
    List<String> p = new ArrayList<>();
    int active = 0;
    String retry = Durations.format(settings.nodeRetryInterval());
    for (Signal s : signals) {
      if (s.problem != null) {
        p.add(s.settings.id() + ": " + s.problem + ", retrying every " + retry);
        if (!s.problem.equals(s.loggedProblem)) {
          log.warn("{}: signal {}: {}; retrying every {}", id, s.settings.id(), s.problem, retry);
          s.loggedProblem = s.problem;
        }
      } else if (s.item != null && s.item.getSyncState() != OpcUaMonitoredItem.SyncState.INITIAL) {
        active++;
        if (s.loggedProblem != null) {
          log.info("{}: signal {} is monitored now", id, s.settings.id());
          s.loggedProblem = null;
        }
      }
    }
    problems = List.copyOf(p);
    signalsActive = active;
  }

  // ---------------------------------------------------------------------------------------------
  // Subscription events

  /** Milo delivery thread: convert and hand over, nothing else. */
  private void deliver(
      OpcUaSubscription sub, List<OpcUaMonitoredItem> items, List<DataValue> values) {
    if (closed.get()) {
      return;
    }
    Instant received = clock.instant();
    EncodingContext context = sub.getClient().getStaticEncodingContext();
    SampleSink out = sink;
    int[] order = sourceTimeOrder(values);
    for (int k = 0; k < items.size(); k++) {
      int i = order == null ? k : order[k];
      if (!(items.get(i).getUserObject().orElse(null) instanceof String signalId)) {
        continue;
      }
      DataValue dv = values.get(i);
      if (dv.statusCode() != null && dv.statusCode().isOverflowSet()) {
        // The server's queue for this item overflowed: at least one value was discarded.
        samplesDropped.incrementAndGet();
      }
      try {
        Sample sample = Values.toSample(id, signalId, dv, received, context);
        out.onSample(sample);
        samplesReceived.incrementAndGet();
      } catch (RuntimeException e) {
        sinkFailed(e);
      }
    }
    if (!items.isEmpty()) {
      try {
        out.onCycleEnd(id);
      } catch (RuntimeException e) {
        sinkFailed(e);
      }
    }
  }

  /**
   * The order in which to hand over one publish's values: by source time, each signal's values
   * staying in the order they came. A server groups a notification by monitored item, so the
   * machine's state change and the counter change just before it may come the other way round;
   * whoever derives something from several signals (state timeline, production periods) needs them
   * as they happened. {@code null} when they already are (no allocation).
   */
  static int[] sourceTimeOrder(List<DataValue> values) {
    int n = values.size();
    long previous = Long.MIN_VALUE;
    boolean ordered = true;
    for (int i = 0; i < n && ordered; i++) {
      long t = sourceMillis(values.get(i));
      ordered = t >= previous;
      previous = t;
    }
    if (ordered || n > (1 << 20)) {
      return null;
    }
    // Millisecond source time in the high bits, position in the low 20: a stable sort of longs.
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      keys[i] = (sourceMillis(values.get(i)) << 20) | i;
    }
    java.util.Arrays.sort(keys);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = (int) (keys[i] & ((1 << 20) - 1));
    }
    return order;
  }

  /** The value's source (else server) time in ms since the epoch; 0 when it has neither. */
  private static long sourceMillis(DataValue dv) {
    DateTime t = dv.sourceTime();
    if (t == null || t.isNull()) {
      t = dv.serverTime();
    }
    return t == null || t.isNull() ? 0 : Math.max(0, t.getJavaTime());
  }

  private void subscriptionLost(OpcUaSubscription sub, String why) {
    if (sub != subscription || closed.get()) {
      return;
    }
    log.info("{}: {}; re-creating the subscription", id, why);
    reconcile(true);
  }

  private void subscriptionSilent(OpcUaSubscription sub) {
    if (sub != subscription || closed.get() || !sessionActive) {
      return;
    }
    log.warn(
        "{}: no publish response within the subscription's keep-alive time; re-creating it", id);
    try {
      sub.delete();
    } catch (UaException e) {
      log.debug("{}: deleting the silent subscription failed", id, e);
    }
    sub.reset();
    reconcile(true);
  }

  private final class SubscriptionEvents implements OpcUaSubscription.SubscriptionListener {
    private final OpcUaSubscription sub;

    SubscriptionEvents(OpcUaSubscription sub) {
      this.sub = sub;
    }

    @Override
    public void onDataReceived(
        OpcUaSubscription s, List<OpcUaMonitoredItem> items, List<DataValue> values) {
      deliver(s, items, values);
    }

    @Override
    public void onNotificationDataLost(OpcUaSubscription s) {
      samplesDropped.incrementAndGet();
      execute(
          () ->
              log.warn(
                  "{}: the server could not resend lost notifications; samples were lost", id));
    }

    @Override
    public void onTransferFailed(OpcUaSubscription s, StatusCode status) {
      execute(
          () ->
              subscriptionLost(
                  sub,
                  "the server no longer has the subscription (" + StatusNames.name(status) + ")"));
    }

    @Override
    public void onStatusChanged(OpcUaSubscription s, StatusCode status) {
      if (status.value() == StatusCodes.Bad_Timeout) {
        execute(() -> subscriptionLost(sub, "the subscription timed out on the server"));
      }
    }

    @Override
    public void onWatchdogTimerElapsed(OpcUaSubscription s) {
      execute(() -> subscriptionSilent(sub));
    }
  }

  /** Milo executor threads: record, and hand the work to the own thread. */
  private final class SessionEvents implements SessionActivityListener {
    private final OpcUaClient c;

    SessionEvents(OpcUaClient c) {
      this.c = c;
    }

    @Override
    public void onSessionActive(UaSession session) {
      if (client != c || closed.get()) {
        return;
      }
      sessionActive = true;
      setState(ConnectionState.CONNECTED);
      execute(() -> sessionActivated(c));
    }

    @Override
    public void onSessionInactive(UaSession session) {
      if (client != c || closed.get()) {
        return;
      }
      sessionActive = false;
      setState(ConnectionState.DISCONNECTED);
      execute(() -> sessionDeactivated(c));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Plumbing

  private synchronized void setState(ConnectionState s) {
    if (state == s || state == ConnectionState.STOPPED) {
      return;
    }
    state = s;
    since = clock.instant();
  }

  /** The connection error for the status, logged once as a warning, repeats at debug. */
  private void reportError(String error, Throwable cause) {
    lastError = error;
    if (!error.equals(lastLogged)) {
      lastLogged = error;
      log.warn("{} ({}): {}", id, settings.endpointUrl(), error);
      if (cause != null) {
        log.debug("{}: cause", id, cause);
      }
    } else {
      log.debug("{} ({}): {} (again)", id, settings.endpointUrl(), error);
    }
  }

  private void sinkFailed(RuntimeException e) {
    if (sinkFailureLogged.compareAndSet(false, true)) {
      log.warn("{}: the sample sink failed; further failures are logged at debug", id, e);
    } else {
      log.debug("{}: the sample sink failed", id, e);
    }
  }

  private void execute(Runnable task) {
    if (closed.get()) {
      return;
    }
    try {
      executor.execute(() -> runSafely(task));
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void schedule(Runnable task, long delayMs) {
    if (closed.get()) {
      return;
    }
    cancelPending();
    try {
      pending = executor.schedule(() -> runSafely(task), delayMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void cancelPending() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  private void runSafely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      // A bug in one step must not end the source's thread.
      log.error("{}: unexpected failure", id, e);
    }
  }

  private void await(CompletableFuture<?> f) {
    try {
      f.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.debug("{}: closing step did not finish cleanly", id, e);
    }
  }

  /** One configured signal and its binding to the current server. Own thread only. */
  private static final class Signal {
    final SignalSettings settings;
    OpcUaMonitoredItem item;
    NodeId node;
    String problem;
    String loggedProblem;
    boolean infoPending;

    Signal(SignalSettings settings) {
      this.settings = settings;
    }

    boolean needsResolution() {
      return item == null || item.getSyncState() == OpcUaMonitoredItem.SyncState.INITIAL;
    }
  }
}
