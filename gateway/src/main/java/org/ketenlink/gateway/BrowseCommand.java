package org.ketenlink.gateway;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.ketenlink.connectors.opcua.BrowsedVariable;
import org.ketenlink.connectors.opcua.Identity;
import org.ketenlink.connectors.opcua.OpcUaBrowser;
import org.ketenlink.connectors.opcua.OpcUaPki;
import org.ketenlink.connectors.opcua.SecurityMode;
import org.ketenlink.connectors.opcua.SecurityPolicy;
import org.ketenlink.gateway.config.GatewayConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ketenlink browse}: discovers the variables of an OPC UA server and writes a ready {@code
 * signals:} snippet for the configuration, with restart-proof {@code nsu=} node ids and the
 * server's units.
 */
@Command(
    name = "browse",
    description = "Discover a server's variables and print (or write) a configuration snippet.")
final class BrowseCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "ENDPOINT", description = "opc.tcp://host:port[/path]")
  String endpoint;

  @Option(
      names = "--depth",
      description = "How deep to browse below Objects (default: ${DEFAULT-VALUE})")
  int depth = 6;

  @Option(names = "--out", description = "Write the snippet to this file instead of printing it")
  Path out;

  @Option(
      names = "--security-policy",
      description =
          "Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss or None (default: ${DEFAULT-VALUE})")
  String policy = "Basic256Sha256";

  @Option(
      names = "--security-mode",
      description = "Sign, SignAndEncrypt or None (default: ${DEFAULT-VALUE})")
  String mode = "SignAndEncrypt";

  @Option(names = "--user", description = "User name (password from --password-env)")
  String user;

  @Option(
      names = "--password-env",
      description = "Environment variable holding the password (default: ${DEFAULT-VALUE})")
  String passwordEnv = "KETENLINK_OPCUA_PASSWORD";

  @Option(
      names = {"-c", "--config"},
      description = "Use this gateway configuration's PKI (the identity the server already trusts)")
  Path config;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    java.util.Optional<SecurityPolicy> p = SecurityPolicy.byName(policy);
    java.util.Optional<SecurityMode> m = SecurityMode.byName(mode);
    if (p.isEmpty() || m.isEmpty()) {
      err.println(
          "ketenlink browse: unknown security policy or mode '"
              + policy
              + "/"
              + mode
              + "' (policies: Basic256Sha256, Aes128_Sha256_RsaOaep, Aes256_Sha256_RsaPss, None;"
              + " modes: Sign, SignAndEncrypt, None)");
      err.flush();
      return KetenlinkCommand.FAILED;
    }
    Identity identity = new Identity.Anonymous();
    if (user != null) {
      String password = System.getenv(passwordEnv);
      if (password == null) {
        err.println(
            "ketenlink browse: --user needs the password in environment variable " + passwordEnv);
        err.flush();
        return KetenlinkCommand.FAILED;
      }
      identity = new Identity.UserPassword(user, password);
    }
    OpcUaPki pki;
    if (config != null) {
      java.util.Optional<GatewayConfig> loaded = KetenlinkCommand.load(config, err);
      if (loaded.isEmpty()) {
        return KetenlinkCommand.INVALID_CONFIG;
      }
      pki = Connectors.pki(loaded.get());
    } else {
      pki =
          OpcUaPki.open(
              Path.of("ketenlink-browse-pki"), "urn:ketenlink:browse", "Ketenlink browse");
    }
    List<BrowsedVariable> variables;
    try (pki) {
      variables = OpcUaBrowser.browse(endpoint, p.get(), m.get(), identity, pki, depth);
    } catch (RuntimeException | java.io.IOException e) {
      err.println("ketenlink browse: " + e.getMessage());
      err.flush();
      return KetenlinkCommand.FAILED;
    }
    String snippet = snippet(endpoint, variables);
    if (out != null) {
      Files.writeString(out, snippet);
      spec.commandLine().getOut().printf("Wrote %d signals to %s%n", variables.size(), out);
    } else {
      spec.commandLine().getOut().print(snippet);
    }
    spec.commandLine().getOut().flush();
    return KetenlinkCommand.OK;
  }

  /** A {@code signals:} list with one entry per readable variable, names made unique. */
  static String snippet(String endpoint, List<BrowsedVariable> variables) {
    StringBuilder b = new StringBuilder();
    b.append("# ketenlink browse ")
        .append(endpoint)
        .append(" (")
        .append(Instant.now())
        .append("): ")
        .append(variables.size())
        .append(" variables.\n# Paste under a source and keep the signals you need.\nsignals:\n");
    Set<String> used = new HashSet<>();
    for (BrowsedVariable v : variables) {
      if (!v.readable()) {
        continue;
      }
      String name = uniqueName(v.browsePath(), used);
      b.append("  - {name: ")
          .append(name)
          .append(", nodeId: \"")
          .append(v.nodeId().replace("\"", "\\\""))
          .append('"');
      v.unit().ifPresent(u -> b.append(", unit: ").append(u.code()));
      b.append("}  # ")
          .append(v.dataType())
          .append(", ")
          .append(String.join("/", v.browsePath()))
          .append('\n');
    }
    return b.toString();
  }

  private static String uniqueName(List<String> path, Set<String> used) {
    String base = camel(path.get(path.size() - 1));
    String name = base;
    for (int i = path.size() - 2; i >= 0 && used.contains(name); i--) {
      name = camel(path.get(i)) + Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
    for (int n = 2; used.contains(name); n++) {
      name = base + n;
    }
    used.add(name);
    return name;
  }

  /** A browse name as a topic-safe lowerCamel name. */
  static String camel(String browseName) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : browseName.toCharArray()) {
      if (Character.isLetterOrDigit(c) && c < 128) {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      } else {
        upper = b.length() > 0;
      }
    }
    if (b.length() == 0) {
      return "signal";
    }
    String s = b.toString();
    s = Character.toLowerCase(s.charAt(0)) + s.substring(1);
    if (!Character.isLetterOrDigit(s.charAt(0))) {
      s = "s" + s;
    }
    return s.length() > 64 ? s.substring(0, 64).toLowerCase(Locale.ROOT) : s;
  }
}
