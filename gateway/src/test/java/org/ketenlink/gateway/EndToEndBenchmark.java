package org.ketenlink.gateway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;

/**
 * End-to-end benchmark: simulator load mode → gateway (its own process, as on a line PC) → embedded
 * broker → a subscriber that measures latency from each value's OPC UA source timestamp. Not part
 * of the test run (the name matches neither *Test nor *IT). Needs the packaged jar:
 *
 * <pre>
 * ./mvnw -B -q -DskipTests package
 * ./mvnw -B -pl gateway test -Dtest=EndToEndBenchmark -Dbench.machines=10 -Dbench.variables=100 \
 *     -Dbench.intervalMs=100 -Dbench.seconds=30
 * </pre>
 *
 * <p>{@code -Dbench.journalSync=none|group|always} sets the journal's sync policy (default: the
 * gateway's default, group commit every 200 ms).
 */
class EndToEndBenchmark {

  private static final Pattern SOURCE_TIME = Pattern.compile("\"sourceTime\":\"([^\"]+)\"");

  private static int prop(String name, int dflt) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(dflt)));
  }

  @Test
  void measureEndToEnd() throws Exception {
    int machines = prop("bench.machines", 10);
    int variables = prop("bench.variables", 100);
    int intervalMs = prop("bench.intervalMs", 100);
    int seconds = prop("bench.seconds", 30);
    int warmup = prop("bench.warmupSeconds", 5);
    String heap = System.getProperty("bench.heap", "-Xmx256m");
    int subscriberQos = prop("bench.subscriberQos", 1);
    Path jar = Path.of("target", "ketenlink.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException("build the jar first: ./mvnw -B -q -DskipTests package");
    }
    Path dir = Files.createTempDirectory("ketenlink-bench");
    try (Simulator sim =
        Simulator.builder()
            .port(0)
            .pkiDir(dir.resolve("simulator-pki"))
            .load(machines, variables, Duration.ofMillis(intervalMs))
            .start()) {
      Path configFile = dir.resolve("bench.yaml");
      String sync = System.getProperty("bench.journalSync", "");
      Files.writeString(
          configFile,
          config(sim.endpointUrl(), machines, variables, intervalMs)
              + (sync.isEmpty() ? "" : "journal: {sync: " + sync + "}\n"));
      GatewayConfig config = new ConfigLoader().load(configFile);
      GatewayFixture.trustEachOther(sim, config);

      // Extra JVM options for the gateway, e.g. a flight recording to see where its time goes:
      // -Dbench.jvmArgs="-XX:StartFlightRecording=filename=/tmp/gateway.jfr,settings=profile"
      List<String> command = new java.util.ArrayList<>(List.of("java", heap, "-XX:+UseSerialGC"));
      for (String a : System.getProperty("bench.jvmArgs", "").trim().split("\\s+")) {
        if (!a.isEmpty()) {
          command.add(a);
        }
      }
      command.addAll(List.of("-jar", jar.toString(), "run", "-c", configFile.toString()));
      Process gateway = new ProcessBuilder(command).redirectErrorStream(true).start();
      try {
        int brokerPort = brokerPort(gateway);
        AtomicLong received = new AtomicLong();
        long[] latencies = new long[4_000_000];
        AtomicLong measured = new AtomicLong();
        long[] window = new long[] {Long.MAX_VALUE, Long.MAX_VALUE};
        MqttAsyncClient sub =
            new MqttAsyncClient(
                "tcp://127.0.0.1:" + brokerPort, "bench-sub", new MemoryPersistence());
        sub.setCallback(
            new MqttCallback() {
              @Override
              public void messageArrived(String topic, MqttMessage m) {
                long now = System.currentTimeMillis();
                received.incrementAndGet();
                if (now < window[0] || now > window[1]) {
                  return;
                }
                Matcher t = SOURCE_TIME.matcher(new String(m.getPayload(), StandardCharsets.UTF_8));
                if (t.find()) {
                  long i = measured.getAndIncrement();
                  if (i < latencies.length) {
                    latencies[(int) i] = now - Instant.parse(t.group(1)).toEpochMilli();
                  }
                }
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
            });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setReceiveMaximum(65_535);
        sub.connect(o).waitForCompletion(10_000);
        sub.subscribe("ketenlink/v1/bench/#", subscriberQos).waitForCompletion(10_000);

        Thread.sleep(warmup * 1000L);
        long pid = gateway.pid();
        long cpu0 = cpuTicks(pid);
        long r0 = received.get();
        long t0 = System.nanoTime();
        window[0] = System.currentTimeMillis();
        window[1] = window[0] + seconds * 1000L;
        long peakRss = 0;
        for (int s = 0; s < seconds; s++) {
          Thread.sleep(1000);
          peakRss = Math.max(peakRss, rssKb(pid));
        }
        long r1 = received.get();
        long cpu1 = cpuTicks(pid);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        int n = (int) Math.min(measured.get(), latencies.length);
        long[] lat = Arrays.copyOf(latencies, n);
        Arrays.sort(lat);
        double offered = machines * (double) variables * 1000 / intervalMs;
        double rate = (r1 - r0) / elapsed;
        double cpuPercent = (cpu1 - cpu0) / 100.0 / elapsed * 100;
        System.out.printf(
            Locale.ROOT,
            "E2E-BENCHMARK signals=%d interval=%dms offered=%.0f/s delivered=%.0f/s (%.1f%%)"
                + " latency p50=%dms p99=%dms max=%dms gatewayCpu=%.1f%% of one core"
                + " gatewayPeakRss=%dMB heap=%s subscriberQos=%d journalSync=%s seconds=%d%n",
            machines * variables,
            intervalMs,
            offered,
            rate,
            rate / offered * 100,
            n == 0 ? -1 : lat[n / 2],
            n == 0 ? -1 : lat[(int) (n * 0.99)],
            n == 0 ? -1 : lat[n - 1],
            cpuPercent,
            peakRss / 1024,
            heap,
            subscriberQos,
            sync.isEmpty() ? "default" : sync,
            seconds);
        System.out.println("E2E-BENCHMARK gateway VmHWM=" + hwmKb(pid) / 1024 + "MB");
        sub.disconnect().waitForCompletion(5_000);
        sub.close(true);
      } finally {
        gateway.destroy();
        if (!gateway.waitFor(20, TimeUnit.SECONDS)) {
          gateway.destroyForcibly();
        }
      }
    }
  }

  private static String config(String endpoint, int machines, int variables, int intervalMs) {
    int queue = Math.max(2, (int) Math.ceil(100.0 / intervalMs) + 1);
    StringBuilder b = new StringBuilder();
    b.append("gateway: {id: bench-gw, enterprise: bench, site: lab, area: a1}\n");
    b.append("dataDir: data\nsources:\n");
    for (int m = 1; m <= machines; m++) {
      String machine = String.format("Machine%03d", m);
      b.append("  - id: ")
          .append(machine)
          .append("\n    endpoint: \"")
          .append(endpoint)
          .append("\"\n");
      b.append("    line: load\n    publishingInterval: 100ms\n");
      b.append("    signalDefaults: {samplingInterval: 0ms, queueSize: ")
          .append(queue)
          .append("}\n");
      b.append("    signals:\n");
      for (int v = 1; v <= variables; v++) {
        String var = String.format("Var%05d", v);
        b.append("      - {name: ")
            .append(var)
            .append(", nodeId: \"nsu=urn:ketenlink:simulator:fieldlab;s=Load/")
            .append(machine)
            .append('/')
            .append(var)
            .append("\"}\n");
      }
    }
    b.append("links: [{id: main, broker: embedded, maxInFlight: 1000, queueCapacity: 200000}]\n");
    b.append("broker: {port: 0}\nadmin: {port: 0}\npublish: {qos: 1}\n");
    return b.toString();
  }

  private static int brokerPort(Process gateway) throws Exception {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                String line;
                Pattern p = Pattern.compile("broker\\s+mqtt://127\\.0\\.0\\.1:(\\d+)");
                while ((line = out.readLine()) != null) {
                  Matcher m = p.matcher(line);
                  if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                  }
                  if (line.contains("ERROR") || line.contains("WARN")) {
                    System.out.println("[gateway] " + line);
                  }
                }
              } catch (Exception e) {
                port.completeExceptionally(e);
              }
            },
            "bench-gateway-output");
    reader.setDaemon(true);
    reader.start();
    return port.get(60, TimeUnit.SECONDS);
  }

  private static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
    return Long.parseLong(f.get(11)) + Long.parseLong(f.get(12));
  }

  private static long rssKb(long pid) throws Exception {
    return statusKb(pid, "VmRSS:");
  }

  private static long hwmKb(long pid) throws Exception {
    return statusKb(pid, "VmHWM:");
  }

  private static long statusKb(long pid, String key) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
