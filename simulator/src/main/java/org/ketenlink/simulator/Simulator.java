package org.ketenlink.simulator;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.ketenlink.simulator.Scenario.FaultSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundled fieldlab machine simulator: an OPC UA server whose address space is a simulated
 * production line with machines, orders, faults and an optional load generator.
 *
 * <p>Use it from the command line ({@link SimulatorCommand}) or as a library in tests:
 *
 * <pre>{@code
 * try (Simulator sim = Simulator.builder().port(0).timeScale(60).seed(7).start()) {
 *   String url = sim.endpointUrl();
 *   sim.faults().breakdown("cnc1", Duration.ofMinutes(5));
 *   GroundTruth truth = sim.groundTruth();
 * }
 * }</pre>
 *
 * <p>Threading: one simulation thread owns the model and every value push; OPC UA service threads
 * hand their work to it. The public methods are thread-safe.
 */
public final class Simulator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Simulator.class);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

  private final Options options;
  private final Scenario scenario;
  private final SimClock clock;
  private final ScheduledExecutorService simThread;
  private final ExecutorService control;
  private final Faults faults = new Faults();
  private volatile Thread simulationThread;
  private final List<SignalDef> loadSignals;
  private final SimulatorServer server;
  private Fieldlab fieldlab;
  private FieldlabNamespace namespace;
  private long loadTick;

  private Simulator(Options options) {
    this.options = options;
    this.scenario = options.scenario;
    Instant start = scenario.start().orElse(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    this.clock = new SimClock(start, options.timeScale);
    this.simThread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = thread(r, "ketenlink-sim");
              simulationThread = t;
              return t;
            });
    this.control = Executors.newSingleThreadExecutor(r -> thread(r, "ketenlink-sim-control"));
    this.loadSignals = loadSignals(options);
    Map<String, String> users = new LinkedHashMap<>(scenario.users());
    users.putAll(options.users);
    this.server =
        new SimulatorServer(
            new ServerSettings(
                options.bindAddress,
                options.hostname,
                options.port,
                options.pkiDir,
                options.allowInsecure,
                options.allowAnonymous,
                users,
                "Ketenlink Fieldlab Simulator"),
            opcUaServer -> new FieldlabNamespace(opcUaServer, this));
  }

  private static Thread thread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Starts configuring a simulator; every setting has a safe default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs the scenario's model alone, without OPC UA and without waiting, and returns what happened
   * after {@code duration} of simulated time. A server run with the same scenario and seed produces
   * exactly these counts at the same simulated time (absent order commands from clients).
   */
  public static GroundTruth simulateOffline(Scenario scenario, long seed, Duration duration) {
    Instant start = scenario.start().orElse(Instant.parse("2026-01-05T06:00:00Z"));
    Fieldlab lab = new Fieldlab(scenario, seed, start, FieldlabListener.NONE);
    lab.advanceTo(start.plus(duration));
    return lab.truth();
  }

  private Simulator startNow() {
    onSimulationThread(
        () -> fieldlab = new Fieldlab(scenario, options.seed, clock.start(), new Listener()));
    server.start();
    long tick = options.tickInterval.toMillis();
    simThread.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    if (!loadSignals.isEmpty()) {
      simThread.scheduleAtFixedRate(
          this::loadTick,
          options.loadInterval.toMillis(),
          options.loadInterval.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void tick() {
    try {
      Instant now = clock.now();
      fieldlab.advanceTo(now);
      faults.expire(now);
      if (namespace != null) {
        namespace.updateSimulatedTime(now);
      }
    } catch (RuntimeException e) {
      // The tick must keep running: a bug in one step must not stop the whole plant.
      log.error("Simulation step failed", e);
    }
  }

  private void loadTick() {
    if (namespace == null) {
      return;
    }
    long t = ++loadTick;
    DateTime now = DateTime.now();
    int n = namespace.loadSize();
    for (int i = 0; i < n; i++) {
      namespace.publishLoad(i, t + (i % 1000) / 1000.0, now, now);
    }
  }

  private static List<SignalDef> loadSignals(Options o) {
    List<SignalDef> defs = new ArrayList<>(o.loadMachines * o.loadVariables);
    for (int m = 1; m <= o.loadMachines; m++) {
      String machine = String.format("Machine%03d", m);
      for (int v = 1; v <= o.loadVariables; v++) {
        defs.add(
            SignalDef.plain(
                machine,
                String.format("Var%05d", v),
                SignalType.DOUBLE,
                "Load-mode value, changes every " + o.loadInterval.toMillis() + " ms"));
      }
    }
    return defs;
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /** The first endpoint URL, e.g. {@code opc.tcp://127.0.0.1:4840/ketenlink}. */
  public String endpointUrl() {
    return server.endpointUrls().get(0);
  }

  /** Every endpoint URL the server advertises. */
  public List<String> endpointUrls() {
    return server.endpointUrls();
  }

  /** The security policies and modes offered, e.g. {@code Basic256Sha256/SignAndEncrypt}. */
  public List<String> securityPolicies() {
    return server.securityPolicies();
  }

  /** The TCP port the server listens on. */
  public int port() {
    return server.port();
  }

  /** The namespace URI of the fieldlab's nodes. */
  public String namespaceUri() {
    return FieldlabNamespace.NAMESPACE_URI;
  }

  /** The scenario being played. */
  public Scenario scenario() {
    return scenario;
  }

  /** The random seed of this run. */
  public long seed() {
    return options.seed;
  }

  /** Simulated seconds per real second. */
  public double timeScale() {
    return options.timeScale;
  }

  /** The current simulated time. */
  public Instant simulatedTime() {
    return clock.now();
  }

  /** The simulated time at which the run started. */
  public Instant simulatedStart() {
    return clock.start();
  }

  /** Real time until {@code simulated} time has passed at this run's time scale. */
  public Duration realDuration(Duration simulated) {
    return clock.realDuration(simulated);
  }

  /** What really happened so far, brought up to the current simulated time. */
  public GroundTruth groundTruth() {
    return call(
        () -> {
          fieldlab.advanceTo(clock.now());
          return fieldlab.truth();
        });
  }

  /** Fault injection. */
  public Faults faults() {
    return faults;
  }

  /** The server's application certificate (clients must trust it for secure endpoints). */
  public X509Certificate serverCertificate() {
    return server.certificate();
  }

  /** Trusts a client application certificate; takes effect for the next connection. */
  public void trustClientCertificate(X509Certificate certificate) {
    server.trustClientCertificate(certificate);
  }

  /** Client certificates the server refused; they wait in {@code pki/rejected}. */
  public List<X509Certificate> rejectedClientCertificates() {
    return server.rejectedClientCertificates();
  }

  /** The server's PKI folder. */
  public Path pkiDir() {
    return server.pkiDir();
  }

  /** How long {@link Builder#start()} took until the server listened. */
  public Duration startupTime() {
    return Duration.ofNanos(startupNanos);
  }

  private long startupNanos;

  /** Stops the server and the simulation. */
  @Override
  public void close() {
    simThread.shutdownNow();
    control.shutdownNow();
    server.stop();
  }

  // ---------------------------------------------------------------------------------------------
  // Package-private plumbing for the namespace

  Fieldlab fieldlab() {
    return fieldlab;
  }

  List<SignalDef> loadSignals() {
    return loadSignals;
  }

  void namespaceReady(FieldlabNamespace ns) {
    this.namespace = ns;
  }

  /** Runs on the simulation thread soon. */
  void execute(Runnable task) {
    simThread.execute(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.error("Simulation task failed", e);
          }
        });
  }

  /** Runs on the simulation thread and waits. */
  void onSimulationThread(Runnable task) {
    call(
        () -> {
          task.run();
          return null;
        });
  }

  /** Advances the model to now, then applies a command to it, on the simulation thread. */
  Outcome command(Function<Fieldlab, Outcome> command) {
    return call(
        () -> {
          fieldlab.advanceTo(clock.now());
          return command.apply(fieldlab);
        });
  }

  private <T> T call(Callable<T> task) {
    if (Thread.currentThread() == simulationThread) {
      // Already on the simulation thread (a timeline fault): waiting for ourselves would hang.
      try {
        return task.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      return simThread.submit(task).get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the simulation", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the simulation thread did not answer within 10 s", e);
    }
  }

  /** Routes model changes to whichever namespace is live (none while the server restarts). */
  private final class Listener implements FieldlabListener {
    @Override
    public void signalAdded(SignalDef def, Object value, long simMillis) {
      if (namespace != null) {
        namespace.signalAdded(def, value, simMillis);
      }
    }

    @Override
    public void signalChanged(SignalDef def, Object value, long simMillis) {
      if (namespace != null) {
        namespace.signalChanged(def, value, simMillis);
      }
    }

    @Override
    public void ordersPublished(
        String machineId, List<GroundTruth.OrderTruth> orders, long simMillis) {
      if (namespace != null) {
        namespace.ordersPublished(machineId, orders, simMillis);
      }
    }

    @Override
    public void faultDue(FaultSpec f) {
      log.info(
          "Scenario fault at +{}: {} {}",
          Durations.format(f.at()),
          f.type().key(),
          f.machine().orElse(""));
      Outcome outcome =
          switch (f.type()) {
            case BAD_SIGNAL, UNCERTAIN_SIGNAL -> {
              Quality q =
                  f.type() == Scenario.FaultType.BAD_SIGNAL ? Quality.BAD : Quality.UNCERTAIN;
              String machine = f.machine().orElseThrow();
              String signal = f.signal().orElseThrow();
              Outcome o = faults.applyQuality(machine, signal, q);
              if (o.ok()) {
                faults.expireAt(
                    clock.now().plus(f.duration()),
                    () -> faults.applyQuality(machine, signal, Quality.GOOD));
              }
              yield o;
            }
            case FREEZE -> {
              String machine = f.machine().orElseThrow();
              Outcome o = faults.applyFreeze(machine, true);
              faults.expireAt(
                  clock.now().plus(f.duration()), () -> faults.applyFreeze(machine, false));
              yield o;
            }
            case DROP_SESSIONS -> faults.dropAllSessionsAsync();
            case RESTART -> faults.restartAsync(f.duration());
            case SLOW -> {
              server.setResponseDelay(f.delay());
              faults.expireAt(
                  clock.now().plus(f.duration()),
                  () -> {
                    server.setResponseDelay(Duration.ZERO);
                    return Outcome.OK;
                  });
              yield Outcome.OK;
            }
            default -> Outcome.OK;
          };
      if (!outcome.ok()) {
        log.warn("Scenario fault {} could not be applied: {}", f.type().key(), outcome.message());
      }
    }
  }

  /** The status a faulty signal reports. */
  public enum Quality {
    GOOD,
    UNCERTAIN,
    BAD
  }

  /**
   * Fault injection, the same faults the Simulation object's methods and the scenario timeline
   * offer. Thread-safe; machine faults take effect at the current simulated time.
   */
  public final class Faults {

    // Simulation-thread confined.
    private final Set<String> frozen = new HashSet<>();
    private final Map<String, Quality> quality = new HashMap<>();
    private final List<Map.Entry<Instant, Supplier<Outcome>>> expiries = new ArrayList<>();

    private Faults() {}

    /** Breaks {@code machineId} down with an alarm, repaired after {@code repair} (simulated). */
    public void breakdown(String machineId, Duration repair) {
      require(applyBreakdown(machineId, repair));
    }

    /** Forces the status of one signal, e.g. {@code ("cnc1", "Monitoring/Power", BAD)}. */
    public void signalQuality(String machineId, String signalPath, Quality q) {
      require(applyQuality(machineId, signalPath, q));
    }

    /** Freezes (or unfreezes) every value of the machine: no more changes are published. */
    public void freeze(String machineId, boolean frozen) {
      require(applyFreeze(machineId, frozen));
    }

    /** Resets the machine's production counters to zero, as after a PLC reset. */
    public void resetCounters(String machineId) {
      require(command(lab -> lab.resetCounters(machineId)));
    }

    /** Closes every client session now. */
    public void dropAllSessions() {
      server.dropAllSessions();
    }

    /**
     * Stops the server, keeps it down for {@code downtime} and starts a fresh instance on the same
     * port, as a PLC reboot does: every subscription becomes invalid. Blocks until it is back.
     */
    public void restartServer(Duration downtime) {
      namespaceGone();
      server.restart(downtime);
    }

    /** Delays every service response by {@code delay}; {@link Duration#ZERO} turns it off. */
    public void responseDelay(Duration delay) {
      server.setResponseDelay(delay);
    }

    private void require(Outcome o) {
      if (!o.ok()) {
        throw new IllegalArgumentException(o.message());
      }
    }

    private void namespaceGone() {
      onSimulationThread(() -> namespace = null);
    }

    // Outcome-returning forms used by the OPC UA methods.

    Outcome applyBreakdown(String machineId, Duration repair) {
      return command(lab -> lab.injectBreakdown(machineId, repair));
    }

    Outcome applyQuality(String machineId, String signalPath, Quality q) {
      return call(
          () -> {
            Optional<Machine> m = fieldlab.machine(machineId);
            if (m.isEmpty()) {
              return Outcome.notFound("no machine '" + machineId + "'");
            }
            if (!m.get().hasSignal(signalPath)) {
              return Outcome.notFound(
                  "machine " + machineId + " has no signal '" + signalPath + "'");
            }
            String key = machineId + "/" + signalPath;
            if (q == Quality.GOOD) {
              quality.remove(key);
            } else {
              quality.put(key, q);
            }
            if (namespace != null) {
              namespace.refresh(machineId);
            }
            return Outcome.OK;
          });
    }

    Outcome applyFreeze(String machineId, boolean freeze) {
      return call(
          () -> {
            if (fieldlab.machine(machineId).isEmpty()) {
              return Outcome.notFound("no machine '" + machineId + "'");
            }
            boolean changed = freeze ? frozen.add(machineId) : frozen.remove(machineId);
            if (changed && !freeze && namespace != null) {
              namespace.refresh(machineId);
            }
            return Outcome.OK;
          });
    }

    Outcome signalQuality(String machineId, String signalPath, String q) {
      Quality parsed;
      try {
        parsed = Quality.valueOf(q.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return Outcome.invalidArgument("Quality must be Good, Uncertain or Bad, got '" + q + "'");
      }
      return applyQuality(machineId, signalPath, parsed);
    }

    Outcome resetCountersOutcome(String machineId) {
      return command(lab -> lab.resetCounters(machineId));
    }

    Outcome dropAllSessionsAsync() {
      control.execute(server::dropAllSessions);
      return Outcome.OK;
    }

    /** Restarts after the current call has been answered. */
    Outcome restartAsync(Duration downtime) {
      control.execute(
          () -> {
            try {
              Thread.sleep(200);
              restartServer(downtime);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
              log.error("Server restart failed", e);
            }
          });
      return Outcome.OK;
    }

    Outcome slow(Duration delay) {
      server.setResponseDelay(delay);
      return Outcome.OK;
    }

    // Simulation thread only.

    boolean frozen(String machineId) {
      return frozen.contains(machineId);
    }

    StatusCode status(String key) {
      Quality q = quality.get(key);
      if (q == null) {
        return StatusCode.GOOD;
      }
      return new StatusCode(
          q == Quality.BAD
              ? StatusCodes.Bad_SensorFailure
              : StatusCodes.Uncertain_SensorNotAccurate);
    }

    void expireAt(Instant when, Supplier<Outcome> revert) {
      expiries.add(Map.entry(when, revert));
    }

    void expire(Instant now) {
      for (Iterator<Map.Entry<Instant, Supplier<Outcome>>> it = expiries.iterator();
          it.hasNext(); ) {
        Map.Entry<Instant, Supplier<Outcome>> e = it.next();
        if (!e.getKey().isAfter(now)) {
          it.remove();
          e.getValue().get();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration

  /** Immutable settings; see {@link Builder}. */
  private static final class Options {
    Scenario scenario = Scenario.defaultScenario();
    int port = 4840;
    String bindAddress = "127.0.0.1";
    String hostname = "127.0.0.1";
    long seed = 1;
    double timeScale = 1;
    boolean allowInsecure;
    boolean allowAnonymous = true;
    Map<String, String> users = new LinkedHashMap<>();
    Path pkiDir = Path.of("simulator-pki");
    int loadMachines;
    int loadVariables;
    Duration loadInterval = Duration.ofMillis(100);
    Duration tickInterval = Duration.ofMillis(100);
  }

  /** Configures and starts a {@link Simulator}. */
  public static final class Builder {
    private final Options o = new Options();
    private final List<String> problems = new ArrayList<>();

    private Builder() {}

    /** The scenario to play; the built-in default fieldlab if not set. */
    public Builder scenario(Scenario scenario) {
      o.scenario = Objects.requireNonNull(scenario, "scenario");
      return this;
    }

    /** TCP port; 0 picks a free one (see {@link Simulator#port()}). Default 4840. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        problems.add("port: " + port + " is not a TCP port (0-65535)");
      }
      o.port = port;
      return this;
    }

    /** Address to listen on; default 127.0.0.1 (loopback only). */
    public Builder bindAddress(String address) {
      o.bindAddress = Objects.requireNonNull(address, "bindAddress");
      return this;
    }

    /** Host name advertised in endpoint URLs; default 127.0.0.1. */
    public Builder hostname(String hostname) {
      o.hostname = Objects.requireNonNull(hostname, "hostname");
      return this;
    }

    /** Random seed; runs with the same seed, scenario and time scale produce the same counts. */
    public Builder seed(long seed) {
      o.seed = seed;
      return this;
    }

    /** Simulated seconds per real second, e.g. 60 runs an hour of production in a minute. */
    public Builder timeScale(double scale) {
      if (!(scale > 0) || scale > 100_000) {
        problems.add("timeScale: " + scale + " must be > 0 and <= 100000");
      }
      o.timeScale = scale;
      return this;
    }

    /** Also offer security policy None (for tools that cannot do security). Default off. */
    public Builder allowInsecure(boolean allow) {
      o.allowInsecure = allow;
      return this;
    }

    /** Offer the anonymous user token. Default on. */
    public Builder allowAnonymous(boolean allow) {
      o.allowAnonymous = allow;
      return this;
    }

    /** Adds a user for UserName tokens (in addition to the scenario's users). */
    public Builder user(String name, String password) {
      if (name == null || name.isBlank()) {
        problems.add("user: name must not be empty");
      }
      if (password == null || password.length() < 8) {
        problems.add("user " + name + ": password must have at least 8 characters");
      }
      o.users.put(name, password);
      return this;
    }

    /** The server's PKI folder (certificate, trusted, rejected). Default ./simulator-pki. */
    public Builder pkiDir(Path dir) {
      o.pkiDir = Objects.requireNonNull(dir, "pkiDir");
      return this;
    }

    /** Load mode: {@code machines} x {@code variables} extra Double variables. */
    public Builder load(int machines, int variables, Duration interval) {
      if (machines < 0 || machines > 1000) {
        problems.add("load machines: " + machines + " must be 0-1000");
      }
      if (variables < 0 || variables > 100_000) {
        problems.add("load variables: " + variables + " must be 0-100000");
      }
      if ((long) machines * variables > 1_000_000) {
        problems.add("load: " + ((long) machines * variables) + " variables is more than 1000000");
      }
      if (interval.toMillis() < 1) {
        problems.add("load interval: must be at least 1 ms");
      }
      o.loadMachines = machines;
      o.loadVariables = variables;
      o.loadInterval = interval;
      return this;
    }

    /** How often the model is advanced and its values published (real time). Default 100 ms. */
    public Builder tickInterval(Duration interval) {
      if (interval.toMillis() < 10) {
        problems.add("tickInterval: must be at least 10 ms");
      }
      o.tickInterval = interval;
      return this;
    }

    /**
     * Starts the server and the simulation.
     *
     * @throws IllegalArgumentException listing every invalid setting
     * @throws IllegalStateException if the server cannot start (e.g. the port is in use)
     */
    public Simulator start() {
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "invalid simulator settings:\n  - " + String.join("\n  - ", problems));
      }
      long t0 = System.nanoTime();
      Simulator sim = new Simulator(o);
      try {
        sim.startNow();
      } catch (RuntimeException e) {
        sim.close();
        throw e;
      }
      sim.startupNanos = System.nanoTime() - t0;
      return sim;
    }
  }
}
