package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.mqtt.Mosquitto;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.pki.SiteCa;
import org.ketenlink.simulator.Simulator;

/**
 * An external broker enforcing the agreements: a real Mosquitto (Debian's package) with mutual TLS
 * and the ACL {@code ketenlink acl --format mosquitto} generates. The gateway publishes through it;
 * each partner receives exactly its own view and nothing else.
 */
class MosquittoAclIT {

  private static final String PARTNERS = "ketenlink/v1/partners/";
  private static final String CNC1 = "acme/ehv/hall-2/line1/cnc1";

  @TempDir Path dir;

  @Test
  void partnersOnMosquittoWithTheGeneratedAclSeeOnlyTheirOwnView() throws Exception {
    Path pki = Files.createDirectories(dir.resolve("pki"));
    SiteCa ca = SiteCa.create(pki, "Test site CA", Duration.ofDays(30), Clock.systemUTC());
    ca.issueBroker(java.util.List.of("127.0.0.1", "localhost"), Duration.ofDays(1));
    SiteCa.Issued gateway = ca.issueClient("ketenlink-it-gw", "Fieldlab", Duration.ofDays(1));
    Path gwCert = Files.writeString(pki.resolve("gw.crt"), SiteCa.pem(gateway.certificate()));
    Path gwKey = pki.resolve("gw.key");
    SiteCa.writePrivate(gwKey, SiteCa.keyPem(gateway.key()));
    SiteCa.Issued acme = ca.issuePartner("acme", "ACME", Duration.ofDays(1));
    SiteCa.Issued velo = ca.issuePartner("velo", "VELO", Duration.ofDays(1));
    SiteCa.Issued stranger = ca.issuePartner("stranger", "Nobody", Duration.ofDays(1));
    SiteCa other =
        SiteCa.create(dir.resolve("other"), "Other CA", Duration.ofDays(1), Clock.systemUTC());
    SiteCa.Issued acmeFromOther = other.issuePartner("acme", "ACME", Duration.ofDays(1));

    Path brokerDir = Files.createDirectories(dir.resolve("mosquitto"));
    Path aclFile = brokerDir.resolve("ketenlink.acl");
    Files.writeString(aclFile, "# replaced below\n");
    try (Simulator sim = GatewayFixture.simulator(dir);
        Mosquitto mosquitto =
            Mosquitto.prepare(
                brokerDir,
                "cafile " + pki.resolve(SiteCa.CA_CERT),
                "certfile " + pki.resolve(SiteCa.BROKER_CERT),
                "keyfile " + pki.resolve(SiteCa.BROKER_KEY),
                "require_certificate true",
                "use_identity_as_username true",
                "allow_anonymous false",
                "acl_file " + aclFile)) {
      String yaml =
          GatewayFixture.config(sim, "{type: anonymous}", GatewayFixture.signals())
                  .replace(
                      "  - {id: main, broker: embedded}",
                      "  - {id: main, broker: \"mqtts://127.0.0.1:%d\", tls: {caCertificate: %s, certificate: %s, privateKey: %s}}"
                          .formatted(mosquitto.port(), pki.resolve(SiteCa.CA_CERT), gwCert, gwKey))
              + """
              partners: [{id: acme}, {id: velo}]
              agreements:
                - {id: acme-speed, partner: acme, purpose: test, share: [line1/cnc1/data/spindleSpeed]}
                - {id: velo-power, partner: velo, purpose: test, share: [line1/cnc1/data/power]}
              """;
      GatewayConfig config = GatewayFixture.load(dir, yaml);
      StringWriter out = new StringWriter();
      var cmd = KetenlinkCommand.commandLine();
      cmd.setOut(new PrintWriter(out));
      assertThat(
              cmd.execute(
                  "acl",
                  "--format",
                  "mosquitto",
                  "-c",
                  dir.resolve("ketenlink.yaml").toString(),
                  "--out",
                  aclFile.toString()))
          .isZero();
      assertThat(Files.readString(aclFile))
          .contains("user ketenlink-it-gw\ntopic write ketenlink/v1/#")
          .contains("user acme\ntopic read ketenlink/v1/partners/acme/#");
      mosquitto.start();
      GatewayFixture.trustEachOther(sim, config);

      try (Gateway g = Gateway.start(config);
          TestSubscriber a = tls(mosquitto, "acme-client", ca, acme);
          TestSubscriber v = tls(mosquitto, "velo-client", ca, velo);
          TestSubscriber s = tls(mosquitto, "stranger-client", ca, stranger)) {
        a.trySubscribe(PARTNERS + "acme/#");
        a.trySubscribe(PARTNERS + "velo/#");
        a.trySubscribe("ketenlink/v1/acme/#");
        v.trySubscribe("ketenlink/#");
        s.trySubscribe("#");
        a.await(
            Duration.ofSeconds(30),
            "acme's view through Mosquitto",
            m -> m.topic().equals(PARTNERS + "acme/" + CNC1 + "/data/spindleSpeed"));
        v.await(
            Duration.ofSeconds(30),
            "velo's view through Mosquitto",
            m -> m.topic().equals(PARTNERS + "velo/" + CNC1 + "/data/power"));
        // A partner's command reaches no other partner; writing elsewhere is refused.
        a.tryPublish(PARTNERS + "velo/_commands/x", "{\"from\":\"acme\"}");
        a.tryPublish("ketenlink/v1/" + CNC1 + "/data/spindleSpeed", "{\"fake\":true}");
        Thread.sleep(2_000);

        assertThat(a.received())
            .isNotEmpty()
            .allMatch(m -> m.topic().startsWith(PARTNERS + "acme/"));
        assertThat(v.received())
            .isNotEmpty()
            .allMatch(m -> m.topic().startsWith(PARTNERS + "velo/"));
        assertThat(v.received())
            .as("acme's command on velo's command topic")
            .noneMatch(m -> m.topic().contains("/_commands/"));
        assertThat(s.received()).as("a certificate with no ACL entry reads nothing").isEmpty();
        assertThat(g.status().journals().get(0).stats().droppedByBudget()).isZero();
      }
      assertThatThrownBy(() -> tls(mosquitto, "acme-other-ca", other, acmeFromOther))
          .as("a certificate from another CA")
          .isInstanceOf(Exception.class);
      assertThatThrownBy(
              () ->
                  new TestSubscriber(
                      "ssl://127.0.0.1:" + mosquitto.port(),
                      "no-cert",
                      BrokerTestPki.clientSocketFactory(
                          issued(ca.certificate()), Optional.empty())))
          .as("no certificate")
          .isInstanceOf(Exception.class);
    }
  }

  private static BrokerTestPki.Issued issued(java.security.cert.X509Certificate caCert) {
    return new BrokerTestPki.Issued(null, caCert);
  }

  private static TestSubscriber tls(Mosquitto m, String clientId, SiteCa ca, SiteCa.Issued me)
      throws Exception {
    BrokerTestPki.Issued client =
        new BrokerTestPki.Issued(
            new KeyPair(me.certificate().getPublicKey(), me.key()), me.certificate());
    return new TestSubscriber(
        "ssl://127.0.0.1:" + m.port(),
        clientId,
        BrokerTestPki.clientSocketFactory(issued(ca.certificate()), Optional.of(client)));
  }
}
