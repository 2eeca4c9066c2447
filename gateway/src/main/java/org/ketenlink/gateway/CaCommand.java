package org.ketenlink.gateway;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.ketenlink.gateway.pki.SiteCa;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ketenlink ca init}: the site's MQTT certificate authority and the broker's certificate.
 */
@Command(
    name = "ca",
    description = "The site's certificate authority for MQTT over TLS.",
    subcommands = {CaCommand.Init.class})
final class CaCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the CA lives: next to a configuration, or in a folder given directly. */
  static final class Location {
    @Option(
        names = {"-c", "--config"},
        description = "The gateway's configuration file; the CA goes to <pkiDir>/mqtt")
    Path config;

    @Option(names = "--dir", description = "The CA's folder, when there is no configuration yet")
    Path dir;
  }

  @Command(
      name = "init",
      description =
          "Create the certificate authority (ca.crt, ca.key) and the embedded broker's server"
              + " certificate (broker.crt, broker.key). Never overwrites an existing CA.")
  static final class Init implements Callable<Integer> {

    @ArgGroup(multiplicity = "1")
    Location location;

    @Option(names = "--name", description = "The CA's name (default: Ketenlink site CA <host>)")
    String name;

    @Option(
        names = "--host",
        description =
            "A name or address partners use to reach the broker; repeat for several (default:"
                + " this machine's name, localhost, 127.0.0.1)")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--days", description = "Validity of the broker certificate (default: 825)")
    int days = 825;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Optional<Path> dir = caDir(location.config, location.dir, err);
      if (dir.isEmpty()) {
        return KetenlinkCommand.INVALID_CONFIG;
      }
      List<String> names = new ArrayList<>(new LinkedHashSet<>(hosts));
      if (names.isEmpty()) {
        names.add(hostName());
        names.add("localhost");
        names.add("127.0.0.1");
      }
      try {
        SiteCa ca =
            SiteCa.create(
                dir.get(),
                name == null ? "Ketenlink site CA " + names.get(0) : name,
                Duration.ofDays(3650),
                Clock.systemUTC());
        ca.issueBroker(names, Duration.ofDays(days));
        Path d = dir.get().toAbsolutePath();
        out.println("Certificate authority created in " + d);
        out.println("  " + SiteCa.CA_CERT + "  (give this to partners: it is in every bundle)");
        out.println("  " + SiteCa.CA_KEY + "  (private: keep it on this machine, backed up)");
        out.println("  " + SiteCa.BROKER_CERT + ", " + SiteCa.BROKER_KEY + "  for " + names);
        out.println();
        out.println("Put this in the configuration to serve partners over TLS:");
        out.println(
            "broker: {bind: 0.0.0.0, port: 8883, tls: {certificate: %s, privateKey: %s, clientCa: %s}}"
                .formatted(
                    d.resolve(SiteCa.BROKER_CERT),
                    d.resolve(SiteCa.BROKER_KEY),
                    d.resolve(SiteCa.CA_CERT)));
        out.println("Then issue each partner its bundle: ketenlink partner issue <id> -c <config>");
        out.flush();
        return KetenlinkCommand.OK;
      } catch (IllegalStateException | IllegalArgumentException e) {
        err.println("ketenlink ca init: " + e.getMessage());
        err.flush();
        return KetenlinkCommand.FAILED;
      }
    }
  }

  /** The CA folder from {@code --dir}, or {@code <pkiDir>/mqtt} of a valid configuration. */
  static Optional<Path> caDir(Path config, Path dir, PrintWriter err) {
    if (dir != null) {
      return Optional.of(dir);
    }
    return KetenlinkCommand.load(config, err).map(Connectors::mqttCa);
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
