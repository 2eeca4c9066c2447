package org.ketenlink.simulator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code ketenlink-simulator.jar} command line. */
@Command(
    name = "ketenlink-simulator",
    mixinStandardHelpOptions = true,
    versionProvider = SimulatorCommand.Version.class,
    description = {
      "Runs the Ketenlink fieldlab machine simulator: an OPC UA server with a CNC mill, an"
          + " injection moulding machine and a packaging line, their orders, faults and an"
          + " optional load generator."
    },
    sortOptions = false)
public final class SimulatorCommand implements Callable<Integer> {

  @Option(names = "--port", description = "TCP port (default: ${DEFAULT-VALUE}; 0 = any free port)")
  int port = 4840;

  @Option(
      names = "--bind",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for all interfaces)")
  String bind = "127.0.0.1";

  @Option(
      names = "--hostname",
      description = "Host name advertised in endpoint URLs (default: the bind address)")
  String hostname;

  @Option(names = "--scenario", description = "Scenario YAML file (default: built-in fieldlab)")
  Path scenario;

  @Option(names = "--seed", description = "Random seed (default: ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(
      names = "--time-scale",
      description = "Simulated seconds per real second (default: ${DEFAULT-VALUE})")
  double timeScale = 1;

  @Option(names = "--load-machines", description = "Load mode: extra generated machines")
  int loadMachines;

  @Option(names = "--load-variables", description = "Load mode: variables per generated machine")
  int loadVariables;

  @Option(
      names = "--load-interval-ms",
      description = "Load mode: every variable changes every R ms (default: ${DEFAULT-VALUE})")
  long loadIntervalMs = 100;

  @Option(
      names = "--allow-insecure",
      description = "Also offer security policy None (for tools without security)")
  boolean allowInsecure;

  @Option(names = "--no-anonymous", description = "Refuse the anonymous user token")
  boolean noAnonymous;

  @Option(
      names = "--user",
      paramLabel = "NAME:PASSWORD",
      description = "Accept this user name and password (repeatable; password >= 8 characters)")
  List<String> users = new ArrayList<>();

  @Option(
      names = "--pki-dir",
      description =
          "PKI folder: certificate, trusted and rejected certificates (default: ${DEFAULT-VALUE})")
  Path pkiDir = Path.of("simulator-pki");

  public static void main(String[] args) {
    // The jar carries its logging configuration under its own name so that it never competes
    // with the gateway's logback.xml when both are on one class path; an explicit setting wins.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty(
          "logback.configurationFile",
          SimulatorCommand.class.getResource("logback-simulator.xml").toString());
    }
    System.exit(new CommandLine(new SimulatorCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Simulator.Builder builder =
        Simulator.builder()
            .port(port)
            .bindAddress(bind)
            .hostname(hostname != null ? hostname : bind.equals("0.0.0.0") ? "localhost" : bind)
            .seed(seed)
            .timeScale(timeScale)
            .allowInsecure(allowInsecure)
            .allowAnonymous(!noAnonymous)
            .pkiDir(pkiDir);
    if (scenario != null) {
      try {
        builder.scenario(Scenario.load(scenario));
      } catch (Scenario.InvalidScenarioException e) {
        System.err.println(e.getMessage());
        return 2;
      }
    }
    for (String user : users) {
      int colon = user.indexOf(':');
      if (colon <= 0) {
        System.err.println("--user " + user + ": expected NAME:PASSWORD");
        return 2;
      }
      builder.user(user.substring(0, colon), user.substring(colon + 1));
    }
    if (loadMachines > 0 || loadVariables > 0) {
      builder.load(loadMachines, loadVariables, Duration.ofMillis(loadIntervalMs));
    }
    Simulator sim;
    try {
      sim = builder.start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("ketenlink-simulator: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  sim.close();
                  stopped.countDown();
                },
                "ketenlink-sim-shutdown"));
    printBanner(sim);
    stopped.await();
    return 0;
  }

  private void printBanner(Simulator sim) {
    Scenario s = sim.scenario();
    StringBuilder b = new StringBuilder();
    b.append("Ketenlink fieldlab simulator ready in ")
        .append(sim.startupTime().toMillis())
        .append(" ms\n");
    for (String url : sim.endpointUrls()) {
      b.append("  endpoint   ").append(url).append('\n');
    }
    b.append("  security   ").append(String.join(", ", sim.securityPolicies())).append('\n');
    b.append("  namespace  ").append(sim.namespaceUri()).append('\n');
    b.append("  scenario   ")
        .append(s.name())
        .append(" (")
        .append(s.machines().size())
        .append(" machines, ")
        .append(s.orders().size())
        .append(" orders, ")
        .append(s.faults().size())
        .append(" timed faults), seed ")
        .append(sim.seed())
        .append(", time scale ")
        .append(sim.timeScale())
        .append('\n');
    if (loadMachines > 0 && loadVariables > 0) {
      b.append("  load       ")
          .append(loadMachines)
          .append(" x ")
          .append(loadVariables)
          .append(" variables every ")
          .append(loadIntervalMs)
          .append(" ms = ")
          .append(Math.round(loadMachines * (double) loadVariables * 1000 / loadIntervalMs))
          .append(" changes/s\n");
    }
    b.append("  pki        ")
        .append(sim.pkiDir().toAbsolutePath())
        .append(" (trust a client: move its certificate from rejected/ to trusted/certs/)\n");
    if (allowInsecure) {
      b.append("  WARNING    security policy None is offered (--allow-insecure)\n");
    }
    b.append("Press Ctrl+C to stop.");
    System.out.println(b);
  }

  /** Reads the version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SimulatorCommand.class.getPackage().getImplementationVersion();
      return new String[] {"ketenlink-simulator " + (v == null ? "(development build)" : v)};
    }
  }
}
