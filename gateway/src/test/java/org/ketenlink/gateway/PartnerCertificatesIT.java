package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.mqtt.Mosquitto;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.pki.SiteCa;
import org.ketenlink.simulator.Simulator;
import picocli.CommandLine;

/**
 * The certificate tooling end to end, as an engineer uses it: {@code ketenlink ca init}, a TLS
 * broker from its files, {@code ketenlink partner issue} — whose bundle's own {@code mosquitto_sub}
 * line receives the partner's view — and {@code ketenlink partner revoke}, which closes the
 * partner's live connection and refuses the next, without a restart.
 */
class PartnerCertificatesIT {

  @TempDir Path dir;

  @Test
  void aPartnerBundleConnectsUntilItIsRevoked() throws Exception {
    Path caDir = dir.resolve("data/pki/mqtt");
    assertThat(run("ca", "init", "--dir", caDir.toString(), "--host", "127.0.0.1").code).isZero();
    assertThat(run("ca", "init", "--dir", caDir.toString()).err)
        .as("an existing CA is never overwritten")
        .contains("already exists");
    int port = Mosquitto.freePort();
    try (Simulator sim = GatewayFixture.simulator(dir)) {
      String yaml =
          GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
                  .replace(
                      "broker: {port: 0}",
                      "broker: {bind: 127.0.0.1, port: %d, tls: {certificate: %s, privateKey: %s, clientCa: %s}}"
                          .formatted(
                              port,
                              caDir.resolve(SiteCa.BROKER_CERT),
                              caDir.resolve(SiteCa.BROKER_KEY),
                              caDir.resolve(SiteCa.CA_CERT)))
              + """
              partners: [{id: acme, name: ACME Bikes}]
              agreements:
                - {id: acme-speed, partner: acme, purpose: test, share: [line1/cnc1/data/spindleSpeed]}
              """;
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      Path configFile = dir.resolve("ketenlink.yaml");
      GatewayFixture.trustEachOther(sim, config);
      try (Gateway g = Gateway.start(config)) {
        Result issued =
            run("partner", "issue", "acme", "-c", configFile.toString(), "--host", "127.0.0.1");
        assertThat(issued.code).as(issued.err).isZero();
        assertThat(run("partner", "issue", "nobody", "-c", configFile.toString()).err)
            .contains("'nobody' is not a partner");
        Path bundle;
        try (Stream<Path> bundles = Files.list(caDir.resolve("bundles"))) {
          bundle = bundles.findFirst().orElseThrow();
        }
        assertThat(Files.readString(bundle.resolve("README.txt"))).contains("mosquitto_sub");
        assertThat(Files.readString(caDir.resolve(SiteCa.CA_KEY))).contains("PRIVATE KEY");
        assertThat(Files.list(caDir).map(p -> p.getFileName().toString()))
            .as("the partner's key stays in its bundle only")
            .doesNotContain("acme.key");

        // The bundle's own command line, run as the partner would.
        Process sub =
            new ProcessBuilder(
                    "sh", bundle.resolve("subscribe.sh").toString(), "-C", "1", "-W", "30")
                .redirectErrorStream(true)
                .start();
        assertThat(sub.waitFor(40, TimeUnit.SECONDS)).isTrue();
        String line = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sub.exitValue()).as(line).isZero();
        assertThat(line)
            .startsWith("ketenlink/v1/partners/acme/acme/ehv/hall-2/line1/cnc1/data/spindleSpeed {")
            .contains("\"agreement\":\"acme-speed\"");

        try (TestSubscriber live = partner(port, bundle, "acme-live")) {
          assertThat(live.trySubscribe("ketenlink/v1/partners/acme/#")).isEqualTo(1);
          assertThat(run("partner", "revoke", "acme", "-c", configFile.toString()).out)
              .contains("Revoked 1 certificate(s) of acme");
          GatewayFailuresIT.await(
              Duration.ofSeconds(15),
              "the revoked partner's connection to close",
              () -> !live.isConnected());
        }
        assertThatThrownBy(() -> partner(port, bundle, "acme-again"))
            .as("a revoked certificate is refused")
            .hasMessageContaining("Not authorized");
        assertThat(run("partner", "list", "-c", configFile.toString()).out)
            .contains("acme")
            .contains("revoked");
      }
    }
  }

  private static TestSubscriber partner(int port, Path bundle, String clientId) throws Exception {
    X509Certificate cert = SiteCa.readCertificate(bundle.resolve("acme.crt"));
    BrokerTestPki.Issued me =
        new BrokerTestPki.Issued(
            new KeyPair(cert.getPublicKey(), SiteCa.readKey(bundle.resolve("acme.key"))), cert);
    BrokerTestPki.Issued ca =
        new BrokerTestPki.Issued(null, SiteCa.readCertificate(bundle.resolve("ca.crt")));
    return new TestSubscriber(
        "ssl://127.0.0.1:" + port,
        clientId,
        BrokerTestPki.clientSocketFactory(ca, Optional.of(me)));
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = KetenlinkCommand.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
