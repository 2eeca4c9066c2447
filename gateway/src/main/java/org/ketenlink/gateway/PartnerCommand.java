package org.ketenlink.gateway;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.PartnerConfig;
import org.ketenlink.gateway.pki.Revocations;
import org.ketenlink.gateway.pki.SigningKey;
import org.ketenlink.gateway.pki.SiteCa;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ketenlink partner issue|revoke|list}: partners' client certificates. */
@Command(
    name = "partner",
    description = "Issue, revoke and list chain partners' client certificates.",
    subcommands = {
      PartnerCommand.Issue.class,
      PartnerCommand.Revoke.class,
      PartnerCommand.List.class
    })
final class PartnerCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** What every partner subcommand needs: the configuration and the site CA. */
  abstract static class WithConfig {
    @Option(
        names = {"-c", "--config"},
        required = true,
        description = "The gateway's configuration file")
    Path config;

    @Spec CommandSpec spec;

    GatewayConfig gateway;
    SiteCa ca;

    /** Loads both; on failure prints why and returns the exit code. */
    Optional<Integer> open() {
      PrintWriter err = spec.commandLine().getErr();
      Optional<GatewayConfig> loaded = KetenlinkCommand.load(config, err);
      if (loaded.isEmpty()) {
        return Optional.of(KetenlinkCommand.INVALID_CONFIG);
      }
      gateway = loaded.get();
      try {
        ca = SiteCa.open(Connectors.mqttCa(gateway), Clock.systemUTC());
      } catch (IllegalStateException e) {
        return fail(e.getMessage() + " (ketenlink ca init -c " + config + ")");
      }
      return Optional.empty();
    }

    Optional<Integer> fail(String message) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("ketenlink partner: " + message);
      err.flush();
      return Optional.of(KetenlinkCommand.FAILED);
    }

    Optional<PartnerConfig> partner(String id) {
      return gateway.partners().stream().filter(p -> p.id().equals(id)).findFirst();
    }
  }

  @Command(
      name = "issue",
      description =
          "Issue a partner's client certificate as a bundle: key, certificate, the CA and a ready"
              + " mosquitto_sub command. The key exists only in the bundle.")
  static final class Issue extends WithConfig implements Callable<Integer> {

    @Parameters(paramLabel = "PARTNER", description = "The partner's id (under partners:)")
    String id;

    @Option(
        names = "--out",
        description = "Where the bundle folder goes (default: <pkiDir>/mqtt/bundles)")
    Path out;

    @Option(names = "--days", description = "Validity in days (default: 365)")
    int days = 365;

    @Option(
        names = "--host",
        description = "The broker host partners connect to (default: this machine's name)")
    String host;

    @Override
    public Integer call() throws IOException {
      Optional<Integer> failed = open();
      if (failed.isPresent()) {
        return failed.get();
      }
      Optional<PartnerConfig> partner = partner(id);
      if (partner.isEmpty()) {
        return fail("'"
                + id
                + "' is not a partner in "
                + config
                + "; add it under partners: first (known: "
                + String.join(", ", gateway.partners().stream().map(PartnerConfig::id).toList())
                + ")")
            .orElseThrow();
      }
      SiteCa.Issued issued = ca.issuePartner(id, partner.get().name(), Duration.ofDays(days));
      String fingerprint = SiteCa.fingerprint(issued.certificate());
      Path bundle =
          (out == null ? ca.dir().resolve("bundles") : out)
              .resolve(id + "-" + fingerprint.substring(0, 8).toLowerCase(java.util.Locale.ROOT));
      Files.createDirectories(bundle);
      SiteCa.writePrivate(bundle.resolve(id + ".key"), SiteCa.keyPem(issued.key()));
      Files.writeString(bundle.resolve(id + ".crt"), SiteCa.pem(issued.certificate()));
      Files.writeString(bundle.resolve("ca.crt"), SiteCa.pem(ca.certificate()));
      SigningKey.loadOrCreate(ca.dir());
      Files.copy(
          ca.dir().resolve(SigningKey.PUBLIC_FILE),
          bundle.resolve("gateway-" + SigningKey.PUBLIC_FILE),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      String command =
          subscribeCommand(id, host == null ? CaCommand.hostName() : host, gateway.broker().port());
      Files.writeString(bundle.resolve("README.txt"), readme(partner.get(), fingerprint, command));
      Files.writeString(
          bundle.resolve("subscribe.sh"),
          "#!/bin/sh\ncd \"$(dirname \"$0\")\"\n" + command + " \"$@\"\n");
      bundle.resolve("subscribe.sh").toFile().setExecutable(true);

      PrintWriter o = spec.commandLine().getOut();
      o.println(
          "Bundle for partner "
              + id
              + " ("
              + partner.get().name()
              + "): "
              + bundle.toAbsolutePath());
      o.println("  " + id + ".key  private key (give it to the partner only; it is not kept here)");
      o.println("  " + id + ".crt  certificate, SHA-256 " + fingerprint);
      o.println("  ca.crt     the site CA, to verify the broker");
      o.println("  gateway-signing.pub  the gateway's Ed25519 key, to verify signed messages");
      o.println("  README.txt, subscribe.sh: " + command);
      if (partner.get().certificateFingerprint().isPresent()) {
        o.println(
            "The configuration pins another certificate for "
                + id
                + "; to accept this one set: certificate: {fingerprint: \"sha256:"
                + fingerprint
                + "\"}");
      }
      o.flush();
      return KetenlinkCommand.OK;
    }

    static String subscribeCommand(String id, String host, int port) {
      return "mosquitto_sub -V mqttv5 -h "
          + host
          + " -p "
          + port
          + " --cafile ca.crt --cert "
          + id
          + ".crt --key "
          + id
          + ".key -i "
          + id
          + "-1 -q 1 -v -t '"
          + Topics.partnerPrefix(id)
          + "/#'";
    }

    private static String readme(PartnerConfig p, String fingerprint, String command) {
      return """
          Ketenlink partner bundle for %s (%s)

          %s.key   your private key: keep it secret; whoever has it is you
          %s.crt   your client certificate (SHA-256 %s)
          ca.crt   the certificate authority of the site's broker
          gateway-signing.pub  the gateway's Ed25519 public key: under an agreement with
                   "sign", every message carries the MQTT user property "signature" (base64
                   Ed25519 over topic + newline + payload); see docs/security.md

          Everything shared with you is published under %s/#.
          Subscribe (run in this folder):

            %s

          You may publish commands only to %s/%s/...
          """
          .formatted(
              p.id(),
              p.name(),
              p.id(),
              p.id(),
              fingerprint,
              Topics.partnerPrefix(p.id()),
              command,
              Topics.partnerPrefix(p.id()),
              Topics.COMMANDS);
    }
  }

  @Command(
      name = "revoke",
      description =
          "Revoke every certificate issued to a partner: new connections are refused and live ones"
              + " closed within seconds, without a restart.")
  static final class Revoke extends WithConfig implements Callable<Integer> {

    @Parameters(paramLabel = "PARTNER", description = "The partner's id")
    String id;

    @Override
    public Integer call() {
      Optional<Integer> failed = open();
      if (failed.isPresent()) {
        return failed.get();
      }
      java.util.List<String> revoked = ca.revoke(id);
      PrintWriter o = spec.commandLine().getOut();
      if (revoked.isEmpty()) {
        o.println("No certificates of " + id + " left to revoke (see: ketenlink partner list)");
      } else {
        o.println("Revoked " + revoked.size() + " certificate(s) of " + id + ":");
        revoked.forEach(f -> o.println("  SHA-256 " + f));
        o.println("Listed in " + ca.dir().resolve(SiteCa.REVOKED).toAbsolutePath());
      }
      o.flush();
      return KetenlinkCommand.OK;
    }
  }

  @Command(name = "list", description = "List the certificates issued to partners.")
  static final class List extends WithConfig implements Callable<Integer> {
    @Override
    public Integer call() {
      Optional<Integer> failed = open();
      if (failed.isPresent()) {
        return failed.get();
      }
      Set<String> revoked = new Revocations(ca.dir().resolve(SiteCa.REVOKED)).current();
      PrintWriter o = spec.commandLine().getOut();
      o.printf("%-20s %-10s %-25s %s%n", "partner", "status", "valid until", "SHA-256");
      for (String[] row : ca.issuedRows()) {
        o.printf(
            "%-20s %-10s %-25s %s%n",
            row[3], revoked.contains(row[1]) ? "revoked" : "valid", row[4], row[1]);
      }
      o.flush();
      return KetenlinkCommand.OK;
    }
  }
}
