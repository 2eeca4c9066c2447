package org.ketenlink.connectors.mqtt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker for one test: its own config file in a temporary folder, a free loopback
 * port that it keeps across restarts, its log in {@link #log()}. Fails, never skips, when the
 * binary is missing: the MQTT tests are meant to run against a real broker (CI installs it). Shared
 * with the gateway's tests through this module's test jar.
 */
public final class Mosquitto implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Path dir;
  private final int port;
  private final Path config;
  private final Path logFile;
  private Process process;

  private Mosquitto(Path dir, List<String> lines) throws IOException {
    this.dir = dir;
    this.port = freePort();
    this.config = dir.resolve("mosquitto.conf");
    this.logFile = dir.resolve("mosquitto.log");
    List<String> all = new ArrayList<>();
    all.add("listener " + port + " 127.0.0.1");
    all.addAll(lines);
    if (lines.stream().noneMatch(l -> l.startsWith("allow_anonymous"))) {
      all.add("allow_anonymous true");
    }
    if (lines.stream().noneMatch(l -> l.startsWith("persistence "))) {
      all.add("persistence false");
    }
    if (lines.stream().noneMatch(l -> l.startsWith("max_queued_messages"))) {
      // The default (1000) drops messages for a subscriber that falls behind.
      all.add("max_queued_messages 0");
    }
    // Started as root, mosquitto would switch to user "mosquitto", which cannot read the temp dir.
    all.add("user " + System.getProperty("user.name"));
    all.add("log_dest file " + logFile);
    all.add("log_type error");
    all.add("log_type warning");
    all.add("log_type notice");
    all.add("log_type information");
    all.add("connection_messages true");
    Files.write(config, all);
  }

  /** Writes the config; {@link #start()} starts the broker. Lines go after the listener line. */
  public static Mosquitto prepare(Path dir, String... lines) throws IOException {
    return new Mosquitto(dir, List.of(lines));
  }

  public static Mosquitto start(Path dir, String... lines)
      throws IOException, InterruptedException {
    Mosquitto broker = prepare(dir, lines);
    broker.start();
    return broker;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "tcp://127.0.0.1:" + port;
  }

  /** The broker process's id, for reading its CPU time from /proc; -1 when not running. */
  public long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  public Path dir() {
    return dir;
  }

  /** Starts (again) on the same port and returns once it accepts connections. */
  public void start() throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          "Mosquitto is not installed: "
              + BINARY
              + " is missing. The MQTT tests need a real broker; install it with"
              + " 'apt-get install mosquitto mosquitto-clients' (as .ci/run does).");
    }
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    process =
        new ProcessBuilder(BINARY.toString(), "-c", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "mosquitto exited with " + process.exitValue() + ":\n" + output() + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "mosquitto does not accept connections on port " + port + ":\n" + log());
        }
        Thread.sleep(20);
      }
    }
  }

  /** SIGKILL: no clean shutdown, nothing saved. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM: disconnects clients and saves persistent sessions if persistence is on. */
  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public long logLines(String fragment) {
    return log().lines().filter(l -> l.contains(fragment)).count();
  }

  private String output() throws IOException {
    Path out = dir.resolve("stdout.log");
    return Files.exists(out) ? Files.readString(out) : "";
  }

  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
