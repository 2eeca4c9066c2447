package org.ketenlink.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.ketenlink.connectors.mqtt.Mosquitto;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/**
 * The end-to-end benchmark harness: the simulator's load mode (this JVM) → the gateway, started by
 * the launcher {@code bin/ketenlink} in its own process as on a line PC → a broker (the gateway's
 * embedded HiveMQ, or a Mosquitto process) → a Paho MQTT 5 subscriber (this JVM) that takes every
 * message apart: latency from each value's OPC UA source time to its arrival, and every stream's
 * sequence numbers, so a value lost anywhere on the way is counted. Used by {@link
 * EndToEndBenchmark} (full size, documented in docs/benchmarks.md) and {@code EndToEndSmokeIT}
 * (small, in the test run, so the harness cannot rot).
 */
final class EndToEnd {

  enum Broker {
    EMBEDDED,
    MOSQUITTO
  }

  /**
   * One run.
   *
   * @param machines load machines, one OPC UA source each (one subscription, 100 ms publishing)
   * @param variables values per machine, all changing every {@code intervalMs}
   * @param batch one message per machine per publishing cycle instead of one per value
   * @param journalSync the journal's sync policy; empty for the gateway's default
   * @param jvmOptions the gateway's JVM options; empty for the launcher's defaults
   */
  record Settings(
      int machines,
      int variables,
      int intervalMs,
      int warmupSeconds,
      int seconds,
      Broker broker,
      boolean batch,
      int subscriberQos,
      String journalSync,
      String jvmOptions) {

    double offered() {
      return machines * (double) variables * 1000 / intervalMs;
    }

    Settings with(int machines, int variables, int intervalMs, Broker broker, boolean batch) {
      return new Settings(
          machines,
          variables,
          intervalMs,
          warmupSeconds,
          seconds,
          broker,
          batch,
          subscriberQos,
          journalSync,
          jvmOptions);
    }

    static Settings fromProperties() {
      return new Settings(
          prop("bench.machines", 10),
          prop("bench.variables", 100),
          prop("bench.intervalMs", 100),
          prop("bench.warmupSeconds", 10),
          prop("bench.seconds", 30),
          Broker.valueOf(System.getProperty("bench.broker", "embedded").toUpperCase(Locale.ROOT)),
          Boolean.parseBoolean(System.getProperty("bench.batch", "false")),
          prop("bench.subscriberQos", 0),
          System.getProperty("bench.journalSync", ""),
          System.getProperty("bench.jvmOptions", ""));
    }

    private static int prop(String name, int dflt) {
      return Integer.parseInt(System.getProperty(name, Integer.toString(dflt)));
    }
  }

  /**
   * What one run measured.
   *
   * @param delivered values per second the subscriber received in the measured window
   * @param messages messages per second (equal to {@code delivered} without batching)
   * @param lost values missing from their stream's sequence (gaps), over the whole run
   * @param startupMillis from starting the gateway process to the first value at the subscriber
   * @param startupCpuMillis the gateway's CPU time in that interval (both cores count)
   * @param startupMachineCpu all processes together in that interval, % of one core
   * @param gatewayCpu the gateway process's CPU, % of one core (with the embedded broker: both)
   * @param gatewayRssMb the gateway's largest resident memory in the measured window
   * @param gatewayPeakRssMb the gateway's largest resident memory since it started (VmHWM)
   * @param brokerCpu Mosquitto's CPU, % of one core; -1 for the embedded broker
   * @param machineCpu all processes together, % of one core (200 % = both cores busy)
   * @param sourceDropped values the OPC UA servers reported lost (queue overflow), from /metrics
   * @param pipelineDropped values the gateway could not take, from /metrics
   * @param backlog journal records not yet acknowledged by the broker at the end
   */
  record Result(
      Settings settings,
      double delivered,
      double messages,
      long p50,
      long p99,
      long max,
      long lost,
      long duplicates,
      long startupMillis,
      long startupCpuMillis,
      double startupMachineCpu,
      double gatewayCpu,
      long gatewayRssMb,
      long gatewayPeakRssMb,
      double brokerCpu,
      double machineCpu,
      double sourceDropped,
      double pipelineDropped,
      double backlog) {

    /** Every value delivered, nothing dropped, at the offered rate, within a second. */
    boolean keptUp() {
      return lost == 0
          && sourceDropped + pipelineDropped == 0
          && delivered >= settings.offered() * 0.97
          && p99 < 1_000;
    }

    String line() {
      Settings s = settings;
      return String.format(
          Locale.ROOT,
          "E2E signals=%d interval=%dms broker=%s mode=%s offered=%.0f/s delivered=%.0f/s"
              + " messages=%.0f/s p50=%dms p99=%dms max=%dms lost=%d duplicates=%d startup=%dms"
              + " startupCpu=%dms startupMachineCpu=%.0f%% gatewayCpu=%.1f%% gatewayRss=%dMB gatewayPeakRss=%dMB brokerCpu=%s machineCpu=%.0f%%"
              + " sourceDropped=%.0f pipelineDropped=%.0f backlog=%.0f subscriberQos=%d"
              + " journalSync=%s jvm=%s",
          s.machines() * s.variables(),
          s.intervalMs(),
          s.broker().name().toLowerCase(Locale.ROOT),
          s.batch() ? "batch" : "value",
          s.offered(),
          delivered,
          messages,
          p50,
          p99,
          max,
          lost,
          duplicates,
          startupMillis,
          startupCpuMillis,
          startupMachineCpu,
          gatewayCpu,
          gatewayRssMb,
          gatewayPeakRssMb,
          brokerCpu < 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", brokerCpu),
          machineCpu,
          sourceDropped,
          pipelineDropped,
          backlog,
          s.subscriberQos(),
          s.journalSync().isEmpty() ? "default" : s.journalSync(),
          s.jvmOptions().isEmpty() ? "launcher defaults" : s.jvmOptions());
    }
  }

  private EndToEnd() {}

  /** Runs {@code s} in {@code dir}; needs the packaged jar ({@code ./mvnw package}). */
  static Result run(Settings s, Path dir) throws Exception {
    Path launcher = Path.of("..", "bin", "ketenlink").toAbsolutePath().normalize();
    if (!Files.exists(Path.of("target", "ketenlink.jar"))) {
      throw new IllegalStateException("build the jar first: ./mvnw -B -q -DskipTests package");
    }
    Files.createDirectories(dir);
    try (Simulator sim =
            Simulator.builder()
                .port(0)
                .pkiDir(dir.resolve("simulator-pki"))
                .load(s.machines(), s.variables(), Duration.ofMillis(s.intervalMs()))
                .start();
        Mosquitto mosquitto =
            s.broker() == Broker.MOSQUITTO
                ? Mosquitto.start(
                    Files.createDirectories(dir.resolve("mosquitto")), "max_inflight_messages 1000")
                : null) {
      int brokerPort = mosquitto != null ? mosquitto.port() : freePort();
      int adminPort = freePort();
      Path configFile = dir.resolve("bench.yaml");
      Files.writeString(configFile, config(s, sim.endpointUrl(), brokerPort, adminPort));
      GatewayConfig config = new ConfigLoader().load(configFile);
      GatewayFixture.trustEachOther(sim, config);

      Subscriber sub = new Subscriber(s.subscriberQos());
      if (mosquitto != null) {
        sub.connect(brokerPort, Duration.ofSeconds(10));
      }
      ProcessBuilder pb =
          new ProcessBuilder("sh", launcher.toString(), "run", "-c", configFile.toString())
              .redirectErrorStream(true);
      if (!s.jvmOptions().isEmpty()) {
        pb.environment().put("KETENLINK_JAVA_OPTS", s.jvmOptions());
      }
      // The configuration differs from run to run only in its ports: one archive per broker.
      pb.environment()
          .put("KETENLINK_CDS_KEY", "bench-" + s.broker().name().toLowerCase(Locale.ROOT));
      long machineAtLaunch = machineTicks();
      long started = System.nanoTime();
      Process gateway = pb.start();
      try {
        echoProblems(gateway, dir.resolve("gateway.log"));
        if (mosquitto == null) {
          // The embedded broker listens once the gateway has started it: connect as soon as it
          // does. The first value seen can then be later than the first published, never earlier.
          sub.connect(brokerPort, Duration.ofSeconds(60));
        }
        sub.awaitFirst(Duration.ofSeconds(60));
        long startup = (sub.firstNanos - started) / 1_000_000;
        long startupCpu = cpuTicks(gateway.pid()) * 10; // up to now: a few ms after the first value
        double startupMachineCpu =
            (machineTicks() - machineAtLaunch) * 1000.0 / Math.max(1, startup);
        if (Boolean.getBoolean("bench.threads")) {
          System.out.println("E2E start-up: CPU per thread up to the first value");
          printThreads(Map.of(), threadTicks(gateway.pid()), startup / 1000.0);
        }

        Thread.sleep(s.warmupSeconds() * 1000L);
        long pid = gateway.pid();
        long brokerPid = mosquitto != null ? mosquitto.pid() : -1;
        Map<String, Long> threads0 = threadTicks(pid);
        long cpu0 = cpuTicks(pid);
        long broker0 = brokerPid > 0 ? cpuTicks(brokerPid) : 0;
        long machine0 = machineTicks();
        long values0 = sub.values;
        long messages0 = sub.messages;
        long t0 = System.nanoTime();
        sub.measuring = true;
        long peakRss = 0;
        for (int i = 0; i < s.seconds(); i++) {
          Thread.sleep(1000);
          peakRss = Math.max(peakRss, statusKb(pid, "VmRSS:"));
        }
        sub.measuring = false;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long values1 = sub.values;
        long messages1 = sub.messages;
        double cpu = (cpuTicks(pid) - cpu0) / elapsed; // ticks are 1/100 s: ticks/s = % of a core
        if (Boolean.getBoolean("bench.threads")) {
          printThreads(threads0, threadTicks(pid), elapsed);
        }
        double brokerCpu = brokerPid > 0 ? (cpuTicks(brokerPid) - broker0) / elapsed : -1;
        double machineCpu = (machineTicks() - machine0) / elapsed;
        long hwm = statusKb(pid, "VmHWM:");
        Map<String, Double> metrics = metrics(adminPort);
        long[] lat = sub.latencies();
        Result r =
            new Result(
                s,
                (values1 - values0) / elapsed,
                (messages1 - messages0) / elapsed,
                lat.length == 0 ? -1 : lat[lat.length / 2],
                lat.length == 0 ? -1 : lat[(int) (lat.length * 0.99)],
                lat.length == 0 ? -1 : lat[lat.length - 1],
                sub.lost,
                sub.duplicates,
                startup,
                startupCpu,
                startupMachineCpu,
                cpu,
                peakRss / 1024,
                hwm / 1024,
                brokerCpu,
                machineCpu,
                metrics.getOrDefault("ketenlink_source_values_dropped_total", 0.0),
                metrics.getOrDefault("ketenlink_pipeline_dropped_total", 0.0),
                metrics.getOrDefault("ketenlink_journal_backlog_records", 0.0));
        sub.close();
        return r;
      } finally {
        gateway.destroy();
        if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
          gateway.destroyForcibly();
        }
      }
    }
  }

  private static String config(Settings s, String endpoint, int brokerPort, int adminPort) {
    int queue = Math.max(2, (int) Math.ceil(100.0 / s.intervalMs()) + 1);
    StringBuilder b = new StringBuilder();
    b.append("gateway: {id: bench-gw, enterprise: bench, site: lab, area: a1}\n");
    b.append("dataDir: data\nsources:\n");
    for (int m = 1; m <= s.machines(); m++) {
      String machine = String.format("Machine%03d", m);
      b.append("  - id: ").append(machine).append("\n    endpoint: \"").append(endpoint);
      b.append("\"\n    line: load\n    publishingInterval: 100ms\n");
      b.append("    signalDefaults: {samplingInterval: 0ms, queueSize: ").append(queue);
      b.append("}\n    signals:\n");
      for (int v = 1; v <= s.variables(); v++) {
        b.append(
            "      - {name: Var%05d, nodeId: \"nsu=urn:ketenlink:simulator:fieldlab;s=Load/%s/Var%05d\"}\n"
                .formatted(v, machine, v));
      }
    }
    if (s.broker() == Broker.EMBEDDED) {
      b.append("links: [{id: main, broker: embedded}]\n");
      b.append("broker: {port: ").append(brokerPort).append("}\n");
    } else {
      b.append("links: [{id: main, broker: \"mqtt://127.0.0.1:").append(brokerPort);
      b.append("\", maxInFlight: 1000}]\n");
    }
    b.append("admin: {port: ").append(adminPort).append("}\n");
    b.append("publish: {qos: 1, batch: ").append(s.batch()).append("}\n");
    if (!s.journalSync().isEmpty()) {
      b.append("journal: {sync: ").append(s.journalSync()).append("}\n");
    }
    return b.toString();
  }

  /** The subscriber: counts values, sequence gaps and the latency of every value. */
  private static final class Subscriber implements MqttCallback {
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SIGNAL = "\"signal\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SOURCE_TIME =
        "\"sourceTime\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VALUES = "\"values\":[".getBytes(StandardCharsets.US_ASCII);

    private final int qos;
    private MqttAsyncClient client;
    private final Map<String, long[]> next = new HashMap<>();
    private final Times times = new Times();
    private long[] latencies = new long[1 << 20];
    private int measured;
    volatile boolean measuring;
    volatile long values;
    volatile long messages;
    long lost;
    long duplicates;
    volatile long firstNanos;
    private final Object first = new Object();

    Subscriber(int qos) {
      this.qos = qos;
    }

    void connect(int port, Duration timeout) throws Exception {
      long end = System.nanoTime() + timeout.toNanos();
      while (true) {
        client =
            new MqttAsyncClient("tcp://127.0.0.1:" + port, "bench-sub", new MemoryPersistence());
        client.setCallback(this);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setReceiveMaximum(65_535);
        o.setConnectionTimeout(2);
        try {
          client.connect(o).waitForCompletion(5_000);
          client.subscribe("ketenlink/v1/bench/#", qos).waitForCompletion(10_000);
          return;
        } catch (MqttException e) {
          client.close(true);
          if (System.nanoTime() > end) {
            throw e;
          }
          Thread.sleep(20);
        }
      }
    }

    void awaitFirst(Duration timeout) throws InterruptedException {
      synchronized (first) {
        long end = System.nanoTime() + timeout.toNanos();
        while (firstNanos == 0 && System.nanoTime() < end) {
          first.wait(100);
        }
      }
      if (firstNanos == 0) {
        throw new IllegalStateException("no value reached the subscriber within " + timeout);
      }
    }

    synchronized long[] latencies() {
      long[] l = Arrays.copyOf(latencies, measured);
      Arrays.sort(l);
      return l;
    }

    void close() throws MqttException {
      client.disconnect().waitForCompletion(5_000);
      client.close(true);
    }

    @Override
    public synchronized void messageArrived(String topic, MqttMessage m) {
      long now = System.currentTimeMillis();
      if (firstNanos == 0 && !topic.contains("/_gateway/")) {
        firstNanos = System.nanoTime();
        synchronized (first) {
          first.notifyAll();
        }
      }
      byte[] p = m.getPayload();
      if (topic.contains("/_gateway/")) {
        return;
      }
      messages++;
      int v = indexOf(p, VALUES, 0);
      if (v < 0) {
        value(topic, p, 0, now);
        return;
      }
      // A batch: every entry starts with its seq, then its signal.
      int at = v;
      while ((at = indexOf(p, SEQ, at)) >= 0) {
        int sig = indexOf(p, SIGNAL, at);
        int end = indexOf(p, (byte) '"', sig + SIGNAL.length);
        String stream = topic + '/' + new String(p, sig + SIGNAL.length, end - sig - SIGNAL.length);
        at = value(stream, p, at, now);
      }
    }

    /** One value at {@code from}: its seq checked against its stream, its latency recorded. */
    private int value(String stream, byte[] p, int from, long now) {
      int s = indexOf(p, SEQ, from) + SEQ.length;
      long seq = digits(p, s);
      long[] expected = next.get(stream);
      if (expected == null) {
        next.put(stream, new long[] {seq + 1});
      } else if (seq == expected[0]) {
        expected[0]++;
      } else if (seq > expected[0]) {
        lost += seq - expected[0];
        expected[0] = seq + 1;
      } else {
        duplicates++;
      }
      values++;
      int t = indexOf(p, SOURCE_TIME, s) + SOURCE_TIME.length;
      if (measuring) {
        if (measured == latencies.length) {
          latencies = Arrays.copyOf(latencies, measured * 2);
        }
        latencies[measured++] = now - times.millis(p, t);
      }
      return t;
    }

    @Override
    public void disconnected(MqttDisconnectResponse r) {}

    @Override
    public void mqttErrorOccurred(MqttException e) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String uri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss.SSSZ} to epoch milliseconds without allocating: the values of one
   * cycle share their second, so only a new second is parsed in full.
   */
  static final class Times {
    private final byte[] second = new byte[19];
    private long secondMillis = Long.MIN_VALUE;

    long millis(byte[] p, int at) {
      if (secondMillis == Long.MIN_VALUE || !Arrays.equals(p, at, at + 19, second, 0, 19)) {
        System.arraycopy(p, at, second, 0, 19);
        secondMillis =
            java.time.LocalDateTime.parse(new String(second, StandardCharsets.US_ASCII))
                    .toEpochSecond(java.time.ZoneOffset.UTC)
                * 1000;
      }
      return secondMillis + digits(p, at + 20);
    }
  }

  private static int indexOf(byte[] a, byte[] pattern, int from) {
    outer:
    for (int i = Math.max(0, from); i <= a.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (a[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static int indexOf(byte[] a, byte b, int from) {
    for (int i = from; i < a.length; i++) {
      if (a[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static long digits(byte[] a, int at) {
    long n = 0;
    for (int i = at; i < a.length && a[i] >= '0' && a[i] <= '9'; i++) {
      n = n * 10 + (a[i] - '0');
    }
    return n;
  }

  /** Prometheus text: the sum of every series of each metric name. */
  private static Map<String, Double> metrics(int adminPort) {
    Map<String, Double> sums = new HashMap<>();
    try {
      String text =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : text.split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        int brace = line.indexOf('{');
        int space = line.lastIndexOf(' ');
        String name = line.substring(0, brace > 0 ? brace : line.indexOf(' '));
        sums.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      System.out.println("E2E could not read the gateway's metrics: " + e);
    }
    return sums;
  }

  /** Shows the gateway's warnings and errors, writes all its output to {@code log}. */
  private static void echoProblems(Process gateway, Path log) {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
    Thread reader =
        new Thread(
            () -> {
              try (var file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
                file.write("# launched " + java.time.Instant.now());
                file.newLine();
                String line;
                while ((line = out.readLine()) != null) {
                  file.write(line);
                  file.newLine();
                  if (line.contains("ERROR") || line.contains("WARN")) {
                    System.out.println("[gateway] " + line);
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "bench-gateway-output");
    reader.setDaemon(true);
    reader.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static long cpuTicks(long pid) throws IOException {
    return cpuTicksOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** User plus system ticks from a /proc stat line. */
  private static long cpuTicksOf(String stat) {
    List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
    return Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
  }

  /**
   * CPU ticks per thread of {@code pid}, threads of one pool (names differing in digits) summed.
   */
  private static Map<String, Long> threadTicks(long pid) {
    Map<String, Long> ticks = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          ticks.merge(name.replaceAll("[0-9]+", "N"), cpuTicksOf(stat), Long::sum);
        } catch (IOException gone) {
          // the thread ended
        }
      }
    } catch (IOException e) {
      System.out.println("E2E could not list the gateway's threads: " + e);
    }
    return ticks;
  }

  private static void printThreads(Map<String, Long> before, Map<String, Long> after, double s) {
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                System.out.printf(
                    Locale.ROOT,
                    "E2E thread %-40s %5.1f %% of one core%n",
                    e.getKey(),
                    e.getValue() / s));
  }

  /** Busy ticks of all CPUs together (everything but idle and iowait). */
  private static long machineTicks() throws IOException {
    String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long busy = 0;
    for (int i = 1; i < f.length; i++) {
      if (i != 4 && i != 5) {
        busy += Long.parseLong(f[i]);
      }
    }
    return busy;
  }

  private static long statusKb(long pid, String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }

  /** The rows of docs/benchmarks.md's end-to-end table. */
  static String table(List<Result> results) {
    List<String> rows = new ArrayList<>();
    rows.add(
        "| signals × interval | broker | mode | offered/s | delivered/s | messages/s | p50 | p99 |"
            + " max | lost | start-up | gateway CPU | gateway RSS (peak) | broker CPU | machine CPU |"
            + " source / pipeline dropped |");
    rows.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      Settings s = r.settings();
      rows.add(
          String.format(
              Locale.ROOT,
              "| %d × %d ms | %s | %s | %.0f | %.0f | %.0f | %d | %d | %d | %d | %d ms | %.1f %% |"
                  + " %d MB (%d MB) | %s | %.0f %% | %.0f / %.0f |",
              s.machines() * s.variables(),
              s.intervalMs(),
              s.broker().name().toLowerCase(Locale.ROOT),
              s.batch() ? "batch" : "value",
              s.offered(),
              r.delivered(),
              r.messages(),
              r.p50(),
              r.p99(),
              r.max(),
              r.lost(),
              r.startupMillis(),
              r.gatewayCpu(),
              r.gatewayRssMb(),
              r.gatewayPeakRssMb(),
              r.brokerCpu() < 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", r.brokerCpu()),
              r.machineCpu(),
              r.sourceDropped(),
              r.pipelineDropped()));
    }
    return String.join("\n", rows);
  }
}
