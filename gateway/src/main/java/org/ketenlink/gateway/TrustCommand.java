package org.ketenlink.gateway;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.ketenlink.connectors.opcua.OpcUaPki;
import org.ketenlink.gateway.config.GatewayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ketenlink trust}: moves a server certificate the gateway refused into its trust list. A
 * running gateway picks it up at its next connection attempt.
 */
@Command(
    name = "trust",
    description =
        "Trust an OPC UA server certificate that the gateway refused (a file in <pkiDir>/rejected/)."
            + " Without a file, lists the refused certificates.")
final class TrustCommand implements Callable<Integer> {

  @Parameters(
      arity = "0..1",
      paramLabel = "CERTIFICATE",
      description = "The refused certificate file")
  Path certificate;

  @Option(
      names = {"-c", "--config"},
      required = true,
      description = "The gateway's configuration file")
  Path config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    java.util.Optional<GatewayConfig> loaded = KetenlinkCommand.load(config, err);
    if (loaded.isEmpty()) {
      return KetenlinkCommand.INVALID_CONFIG;
    }
    try (OpcUaPki pki = Connectors.pki(loaded.get())) {
      if (certificate == null) {
        List<Path> rejected = pki.rejected();
        out.println(
            rejected.isEmpty()
                ? "No refused certificates in " + pki.pkiDir().resolve("rejected")
                : "Refused certificates:");
        rejected.forEach(p -> out.println("  " + p));
        out.flush();
        return KetenlinkCommand.OK;
      }
      if (!Files.isRegularFile(certificate)) {
        err.println("ketenlink trust: no such file: " + certificate);
        err.flush();
        return KetenlinkCommand.FAILED;
      }
      Path trusted = pki.trust(certificate);
      out.println("Trusted: " + trusted);
      out.flush();
      return KetenlinkCommand.OK;
    }
  }
}
