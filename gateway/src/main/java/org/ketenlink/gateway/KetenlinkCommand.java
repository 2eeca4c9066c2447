package org.ketenlink.gateway;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.ketenlink.gateway.config.ConfigException;
import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code ketenlink} command line. Exit codes: 0 ok, 1 failure, 2 invalid configuration. */
@Command(
    name = "ketenlink",
    mixinStandardHelpOptions = true,
    versionProvider = KetenlinkCommand.VersionProvider.class,
    description = "Ketenlink: share machine data from OPC UA with chain partners over MQTT.",
    subcommands = {
      KetenlinkCommand.Run.class,
      DemoCommand.class,
      KetenlinkCommand.Check.class,
      BrowseCommand.class,
      TrustCommand.class,
      CaCommand.class,
      PartnerCommand.class,
      AclCommand.class,
      AuditCommand.class,
      KetenlinkCommand.VersionCommand.class
    })
public final class KetenlinkCommand implements Runnable {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int INVALID_CONFIG = 2;

  @Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new KetenlinkCommand());
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Writes a generated document to {@code file} (saying so) or, without one, to standard output.
   */
  static void emit(CommandLine.Model.CommandSpec spec, Path file, String text, String what)
      throws java.io.IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (file != null) {
      java.nio.file.Files.writeString(file, text);
      out.println("Wrote " + what + " to " + file.toAbsolutePath());
    } else {
      out.print(text);
    }
    out.flush();
  }

  /** Loads a configuration; on failure prints every problem to {@code err} and returns empty. */
  static Optional<GatewayConfig> load(Path file, PrintWriter err) {
    try {
      return Optional.of(new ConfigLoader().load(file));
    } catch (ConfigException e) {
      err.println(e.getMessage());
      err.flush();
      return Optional.empty();
    }
  }

  @Command(name = "run", description = "Run the gateway with a configuration file.")
  static final class Run implements Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        required = true,
        description = "Configuration file (YAML)")
    Path config;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      Optional<GatewayConfig> loaded = load(config, err);
      if (loaded.isEmpty()) {
        return INVALID_CONFIG;
      }
      GatewayConfig c = loaded.get();
      Gateway gateway;
      try {
        gateway = Gateway.start(c);
      } catch (RuntimeException e) {
        err.println("ketenlink: cannot start: " + e.getMessage());
        err.flush();
        return FAILED;
      }
      gateway.watch(config, new ConfigLoader(), java.time.Duration.ofSeconds(2));
      HeapSettling.settleLater();
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    gateway.close();
                    stopped.countDown();
                  },
                  "ketenlink-shutdown"));
      PrintWriter out = spec.commandLine().getOut();
      out.println("Ketenlink gateway " + c.gateway().id() + " running.");
      gateway.brokerUrl().ifPresent(u -> out.println("  broker  " + u));
      gateway.adminUrl().ifPresent(u -> out.println("  admin   " + u));
      out.println("  topics  " + gateway.topicFilter());
      out.flush();
      stopped.await();
      return OK;
    }
  }

  @Command(name = "check", description = "Check a configuration file and list every problem.")
  static final class Check implements Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        required = true,
        description = "Configuration file (YAML)")
    Path config;

    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Optional<GatewayConfig> loaded = load(config, spec.commandLine().getErr());
      if (loaded.isPresent()) {
        GatewayConfig c = loaded.get();
        int signals = c.sources().stream().mapToInt(s -> s.signals().size()).sum();
        spec.commandLine()
            .getOut()
            .printf(
                "%s is valid: gateway %s, %d sources, %d signals, %d links%n",
                config, c.gateway().id(), c.sources().size(), signals, c.links().size());
        spec.commandLine().getOut().flush();
        return OK;
      }
      return INVALID_CONFIG;
    }
  }

  @Command(name = "version", description = "Print the version.")
  static final class VersionCommand implements Runnable {
    @Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().getOut().println("ketenlink " + Version.current());
      spec.commandLine().getOut().flush();
    }
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ketenlink " + Version.current()};
    }
  }
}
