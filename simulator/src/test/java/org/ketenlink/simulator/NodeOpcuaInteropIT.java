package org.ketenlink.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: a standard OPC UA client from another stack can browse, read, subscribe and call the
 * order methods. The client is node-opcua, driven by {@code src/test/node/interop.mjs}; Milo's own
 * client would not prove interoperability, since it shares the server's encoders and quirks.
 *
 * <p>Needs {@code node} (20 or newer) and {@code npm} on the PATH; the test fails rather than skips
 * without them, so a CI image that lacks Node.js cannot pass silently.
 */
class NodeOpcuaInteropIT {

  private static final Path NODE_DIR =
      Path.of(System.getProperty("basedir", System.getProperty("user.dir")), "src", "test", "node");
  private static final Path SCRIPT = NODE_DIR.resolve("interop.mjs");
  private static final int MIN_NODE_MAJOR = 20;
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration INIT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  @TempDir static Path work;
  static Simulator sim;
  static Path serverCertificate;

  @BeforeAll
  static void start() throws Exception {
    requireNode();
    installNodeModules();
    Scenario scenario =
        Scenario.load(Path.of(NodeOpcuaInteropIT.class.getResource("it-scenario.yaml").toURI()));
    sim =
        Simulator.builder()
            .port(0)
            .scenario(scenario)
            .seed(7)
            .timeScale(60)
            .pkiDir(work.resolve("simulator-pki"))
            .start();
    serverCertificate = work.resolve("simulator.der");
    Files.write(serverCertificate, sim.serverCertificate().getEncoded());
  }

  @AfterAll
  static void stop() {
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void aTrustedNodeOpcuaClientBrowsesReadsSubscribesAndCallsTheOrderMethodsOverSignAndEncrypt(
      @TempDir Path nodePki) throws Exception {
    sim.trustClientCertificate(createNodeClientCertificate(nodePki));

    Result run =
        runScript(RUN_TIMEOUT, "run", "--pki", nodePki.toString(), "--endpoint", sim.endpointUrl());

    JsonNode json = run.json();
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(json.path("ok").asBoolean()).as(run.describe()).isTrue();
    assertThat(json.path("securityPolicy").asText()).isEqualTo("Basic256Sha256");
    assertThat(json.path("securityMode").asText()).isEqualTo("SignAndEncrypt");
    assertThat(json.path("namespaceIndex").asInt()).isPositive();

    assertThat(texts(json.path("machines"))).containsExactly("cnc1", "mould1", "pack1");
    assertThat(texts(json.path("cnc1Children")))
        .contains("Identification", "State", "Monitoring", "Production", "Alarms", "Orders");
    assertThat(texts(json.path("orderMethods")))
        .containsExactlyInAnyOrder(
            "StoreOrder",
            "StartOrder",
            "HoldOrder",
            "AbortOrder",
            "SetPlannedQuantity",
            "SetDueDate");

    assertThat(json.path("manufacturer").asText()).isEqualTo("Brabant Machinefabriek");
    assertThat(json.path("spindleSpeed").isNumber()).as("SpindleSpeed is a Double").isTrue();
    assertThat(json.path("spindleSpeed").asDouble()).isBetween(0.0, 24_000.0);

    List<Long> goodCounts = new ArrayList<>();
    json.path("goodCountValues").forEach(v -> goodCounts.add(v.asLong()));
    assertThat(goodCounts).hasSizeGreaterThanOrEqualTo(3).isSorted();
    assertThat(goodCounts.get(goodCounts.size() - 1)).isGreaterThan(goodCounts.get(0));

    String orderId = json.path("orderId").asText();
    assertThat(json.path("orderState").asText()).isIn("AllowedToStart", "Running");
    assertThat(json.path("unknownOrderStatus").asText()).isEqualTo("BadNotFound");
    // The model itself, not only the address space, must have the order node-opcua stored.
    assertThat(sim.groundTruth().order(orderId))
        .hasValueSatisfying(
            o -> {
              assertThat(o.machineId()).isEqualTo("pack1");
              assertThat(o.customer()).isEqualTo("INTEROP");
              assertThat(o.planned()).isEqualTo(25);
              assertThat(o.state()).isIn("AllowedToStart", "Running");
            });
  }

  @Test
  void anUntrustedNodeOpcuaClientIsRefusedAndItsCertificateLandsInTheRejectedFolder(
      @TempDir Path nodePki) throws Exception {
    X509Certificate certificate = createNodeClientCertificate(nodePki);

    Result run =
        runScript(RUN_TIMEOUT, "run", "--pki", nodePki.toString(), "--endpoint", sim.endpointUrl());

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
    assertThat(run.json().path("step").asText()).as(run.describe()).isEqualTo("connect");
    assertThat(sim.rejectedClientCertificates()).contains(certificate);
  }

  /** Runs the script's init mode: a fresh client certificate that trusts this simulator. */
  private static X509Certificate createNodeClientCertificate(Path nodePki) throws Exception {
    Result init =
        runScript(
            INIT_TIMEOUT,
            "init",
            "--pki",
            nodePki.toString(),
            "--server-cert",
            serverCertificate.toString());
    assertThat(init.exitCode()).as(init.describe()).isZero();
    JsonNode json = init.json();
    X509Certificate certificate;
    try (InputStream in = Files.newInputStream(Path.of(json.path("certificate").asText()))) {
      certificate =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    // Milo refuses a session whose ApplicationUri differs from the certificate's; catch that here
    // with a clear message instead of as a bare Bad_CertificateUriInvalid later.
    assertThat(certificate.getSubjectAlternativeNames())
        .anySatisfy(san -> assertThat(san.get(1)).isEqualTo(json.path("applicationUri").asText()));
    return certificate;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Node.js processes

  private static void requireNode() throws Exception {
    Result version;
    try {
      version = exec(NODE_DIR, Duration.ofSeconds(20), List.of(executable("node"), "--version"));
    } catch (IOException e) {
      throw new AssertionError(
          "Node.js is not on the PATH ("
              + e.getMessage()
              + "). NodeOpcuaInteropIT needs node >= "
              + MIN_NODE_MAJOR
              + " and npm to run the node-opcua interop client; install them, "
              + "e.g. apt-get install -y nodejs npm",
          e);
    }
    Matcher m = Pattern.compile("v(\\d+)\\.").matcher(version.stdout());
    if (version.exitCode() != 0 || !m.find() || Integer.parseInt(m.group(1)) < MIN_NODE_MAJOR) {
      fail("NodeOpcuaInteropIT needs node >= %d, found: %s", MIN_NODE_MAJOR, version.describe());
    }
    if (!Files.isRegularFile(SCRIPT)) {
      fail(
          "interop script not found at %s (working directory %s)",
          SCRIPT, Path.of("").toAbsolutePath());
    }
  }

  /** {@code npm ci} when node_modules is missing or older than the committed lock file. */
  private static void installNodeModules() throws Exception {
    Path installed = NODE_DIR.resolve("node_modules").resolve(".package-lock.json");
    Path lock = NODE_DIR.resolve("package-lock.json");
    if (Files.exists(installed)
        && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
      return;
    }
    Result npm;
    try {
      npm =
          exec(NODE_DIR, NPM_TIMEOUT, List.of(executable("npm"), "ci", "--no-audit", "--no-fund"));
    } catch (IOException e) {
      throw new AssertionError(
          "npm is not on the PATH ("
              + e.getMessage()
              + "); install it with Node.js, e.g. "
              + "apt-get install -y nodejs npm",
          e);
    }
    assertThat(npm.exitCode()).as("npm ci in %s\n%s", NODE_DIR, npm.describe()).isZero();
  }

  private static Result runScript(Duration timeout, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(executable("node"), SCRIPT.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--timeout-ms", Long.toString(timeout.minusSeconds(10).toMillis())));
    return exec(NODE_DIR, timeout, command);
  }

  private static String executable(String name) {
    return WINDOWS && name.equals("npm") ? "npm.cmd" : name;
  }

  /**
   * Runs a command with its output in files (a full pipe would block the child) and kills it and
   * its children if it outlives {@code timeout}.
   */
  private static Result exec(Path dir, Duration timeout, List<String> command) throws Exception {
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    // Plain text in failure messages instead of ANSI colour codes.
    pb.environment().put("NO_COLOR", "1");
    pb.environment().put("FORCE_COLOR", "0");
    pb.environment().put("NO_UPDATE_NOTIFIER", "1");
    long t0 = System.nanoTime();
    Process process = pb.start();
    process.getOutputStream().close();
    boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    Result result =
        new Result(
            String.join(" ", command),
            finished ? process.exitValue() : -1,
            Files.readString(out, UTF_8),
            Files.readString(err, UTF_8),
            took);
    if (!finished) {
      fail("killed after %d s: %s", timeout.toSeconds(), result.describe());
    }
    return result;
  }

  /** A finished process. */
  record Result(String command, int exitCode, String stdout, String stderr, Duration took) {

    /** The script's result: the last line on stdout. */
    JsonNode json() {
      String last = stdout.lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("").trim();
      try {
        return JSON.readTree(last);
      } catch (IOException e) {
        throw new AssertionError("no JSON result line on stdout\n" + describe(), e);
      }
    }

    String describe() {
      return String.format(
          "%s%n  exit %d after %d ms%n  stdout: %s%n  stderr (tail): %s",
          command, exitCode, took.toMillis(), stdout.strip(), tail(stderr, 40));
    }

    private static String tail(String text, int lines) {
      List<String> all = text.lines().toList();
      return String.join("\n    ", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
  }
}
