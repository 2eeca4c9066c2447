package org.ketenlink.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ketenlink.connectors.opcua.OpcUaPki;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.simulator.Simulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ketenlink demo}: the bundled simulator, the embedded broker and a gateway configured with
 * the documented example configuration, all on loopback, with a live console view.
 */
@Command(
    name = "demo",
    description =
        "Run the demo: fieldlab simulator + embedded broker + gateway on 127.0.0.1, with a live"
            + " view of the published data.")
final class DemoCommand implements Callable<Integer> {

  /** The documented example configuration, packaged into the jar at build time. */
  static final String EXAMPLE = "/org/ketenlink/gateway/examples/ketenlink.yaml";

  @Option(
      names = "--time-scale",
      description = "Simulated seconds per real second (default: ${DEFAULT-VALUE})")
  double timeScale = 20;

  @Option(
      names = "--work-dir",
      description = "Folder for the demo's state: PKI, broker data (default: ${DEFAULT-VALUE})")
  Path workDir = Path.of("ketenlink-demo");

  @Option(names = "--no-console", description = "Do not draw the live view")
  boolean noConsole;

  @Option(
      names = "--duration",
      description = "Stop after this many seconds (default: run until Ctrl+C)")
  long durationSeconds;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    Files.createDirectories(workDir);
    Simulator sim =
        Simulator.builder()
            .port(freeOr(4840))
            .pkiDir(workDir.resolve("simulator-pki"))
            .timeScale(timeScale)
            .start();
    Gateway gateway = null;
    try {
      GatewayConfig config = demoConfig(sim.endpointUrl(), freeOr(1883), freeOr(9460));
      // Demo only: the two ends of one loopback demo trust each other's certificates up front.
      try (OpcUaPki pki = Connectors.pki(config)) {
        sim.trustClientCertificate(pki.certificate());
        pki.trustCertificate(sim.serverCertificate());
      }

      ConsoleView view = new ConsoleView(Clock.systemUTC(), System.console() != null);
      gateway = Gateway.start(config, Clock.systemUTC(), view, view::order);
      HeapSettling.settleLater();
      long readyMs = (System.nanoTime() - t0) / 1_000_000;
      int brokerPort = gateway.brokerPort().orElseThrow();
      out.printf(
          """
          Ketenlink demo ready in %d ms (loopback only; the embedded broker runs without TLS here)
            OPC UA simulator  %s  (time scale %s)
            MQTT broker       mqtt://127.0.0.1:%d
            admin / status    %s
            subscribe         mosquitto_sub -h 127.0.0.1 -p %d -t '%s' -v
            configuration     %s
          %n""",
          readyMs,
          sim.endpointUrl(),
          timeScale,
          brokerPort,
          gateway.adminUrl().orElse("(off)"),
          brokerPort,
          gateway.topicFilter(),
          workDir.resolve("ketenlink-demo.yaml"));
      out.flush();

      CountDownLatch stop = new CountDownLatch(1);
      Gateway running = gateway;
      Thread hook =
          new Thread(
              () -> {
                running.close();
                sim.close();
                stop.countDown();
              },
              "ketenlink-demo-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      long deadline =
          durationSeconds > 0
              ? System.nanoTime() + durationSeconds * 1_000_000_000L
              : Long.MAX_VALUE;
      long last = System.nanoTime();
      while (!stop.await(1, TimeUnit.SECONDS) && System.nanoTime() < deadline) {
        if (!noConsole) {
          long now = System.nanoTime();
          view.draw(out, (now - last) / 1e9);
          last = now;
        }
      }
      if (stop.getCount() > 0) {
        Runtime.getRuntime().removeShutdownHook(hook);
        out.printf(
            "Demo stopped after %d s: %d values published.%n", durationSeconds, view.values());
        out.flush();
        gateway.close();
        sim.close();
      }
      return KetenlinkCommand.OK;
    } catch (RuntimeException e) {
      if (gateway != null) {
        gateway.close();
      }
      sim.close();
      throw e;
    }
  }

  /** The example configuration, pointed at this demo's simulator, ports and work folder. */
  private GatewayConfig demoConfig(String endpoint, int brokerPort, int adminPort)
      throws IOException {
    String yaml;
    try (InputStream in = DemoCommand.class.getResourceAsStream(EXAMPLE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the example configuration is missing from the jar (" + EXAMPLE + ")");
      }
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    yaml =
        yaml.replace("opc.tcp://127.0.0.1:4840/ketenlink", endpoint)
            .replace("port: 1883", "port: " + brokerPort)
            .replace("port: 9460", "port: " + adminPort);
    Path file = workDir.resolve("ketenlink-demo.yaml");
    Files.writeString(file, yaml);
    return new ConfigLoader().load(file);
  }

  /** The preferred port if it is free on loopback, else 0 (any free port). */
  static int freeOr(int preferred) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), preferred));
      return preferred;
    } catch (IOException e) {
      return 0;
    }
  }
}
