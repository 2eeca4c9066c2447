package org.ketenlink.gateway;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.ketenlink.gateway.config.GatewayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ketenlink audit}: exports the audit trail as CSV or JSON. */
@Command(
    name = "audit",
    description =
        "Export the audit trail (<dataDir>/audit): what was shared with whom, agreement changes,"
            + " refused connections, subscriptions and publishes.")
final class AuditCommand implements Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      required = true,
      description = "The gateway's configuration file")
  Path config;

  @Option(names = "--format", description = "csv (default) or json")
  String format = "csv";

  @Option(names = "--partner", description = "Only this partner")
  String partner;

  @Option(names = "--type", description = "Only this type: shared, refused, agreement-added, ...")
  String type;

  @Option(names = "--from", description = "From this time (ISO-8601, e.g. 2026-11-01T00:00:00Z)")
  String from;

  @Option(names = "--to", description = "Until before this time")
  String to;

  @Option(names = "--out", description = "Write to this file instead of standard output")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Optional<GatewayConfig> loaded = KetenlinkCommand.load(config, err);
    if (loaded.isEmpty()) {
      return KetenlinkCommand.INVALID_CONFIG;
    }
    if (!format.equals("csv") && !format.equals("json")) {
      err.println("ketenlink audit: --format must be csv or json, not '" + format + "'");
      err.flush();
      return KetenlinkCommand.FAILED;
    }
    Instant start;
    Instant end;
    try {
      start = from == null ? Instant.MIN : Instant.parse(from);
      end = to == null ? Instant.MAX : Instant.parse(to);
    } catch (DateTimeParseException e) {
      err.println(
          "ketenlink audit: --from/--to must look like 2026-11-01T00:00:00Z: " + e.getMessage());
      err.flush();
      return KetenlinkCommand.FAILED;
    }
    List<AuditTrail.Entry> entries =
        AuditTrail.read(
            loaded.get().dataDir().resolve("audit"),
            e ->
                (partner == null || e.partner().equals(partner))
                    && (type == null || e.type().equals(type))
                    && !e.time().isBefore(start)
                    && e.time().isBefore(end));
    String text = format.equals("csv") ? AuditTrail.csv(entries) : AuditTrail.json(entries) + "\n";
    KetenlinkCommand.emit(spec, out, text, entries.size() + " audit entries");
    return KetenlinkCommand.OK;
  }
}
