package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HiveMqConfigXmlTest {

  private static final BrokerKeyStores.Stores STORES =
      new BrokerKeyStores.Stores(
          Path.of("/var/lib/ketenlink/broker/conf/broker-keystore.p12"),
          Path.of("/var/lib/ketenlink/broker/conf/client-ca-truststore.p12"),
          "c2VjcmV0LXBhc3N3b3Jk");

  @Test
  void a_plain_loopback_configuration_matches_hivemqs_schema() {
    String xml = HiveMqConfigXml.render("127.0.0.1", 1883, Optional.empty(), 500);

    HiveMqConfigXml.validate(xml);
    assertThat(xml)
        .contains("<tcp-listener>")
        .contains("<bind-address>127.0.0.1</bind-address>")
        .contains("<max-queue-size>500</max-queue-size>")
        .contains("<server-receive-maximum>100</server-receive-maximum>")
        .contains("<anonymous-usage-statistics><enabled>false</enabled>");
  }

  @Test
  void a_tls_configuration_requires_client_certificates_and_matches_hivemqs_schema() {
    String xml = HiveMqConfigXml.render("0.0.0.0", 8883, Optional.of(STORES), 10_000);

    HiveMqConfigXml.validate(xml);
    assertThat(xml)
        .contains("<tls-tcp-listener>")
        .doesNotContain("<tcp-listener>")
        .contains("<client-authentication-mode>REQUIRED</client-authentication-mode>")
        .contains("<path>/var/lib/ketenlink/broker/conf/broker-keystore.p12</path>");
  }

  @Test
  void paths_cannot_inject_markup_or_hivemq_environment_placeholders() {
    BrokerKeyStores.Stores hostile =
        new BrokerKeyStores.Stores(
            Path.of("/data/${ENV:HOME}/</path><x>&/ks.p12"), Path.of("/data/ts.p12"), "pw");

    String xml = HiveMqConfigXml.render("127.0.0.1", 1883, Optional.of(hostile), 1);

    HiveMqConfigXml.validate(xml);
    assertThat(xml)
        .doesNotContain("${")
        .contains("<path>/data/&#36;{ENV:HOME}/&lt;/path&gt;&lt;x&gt;&amp;/ks.p12</path>");
  }

  @Test
  void a_configuration_hivemq_would_not_understand_is_refused() {
    String misspelt =
        HiveMqConfigXml.render("127.0.0.1", 1883, Optional.empty(), 1)
            .replace("bind-address", "bind-adress");

    assertThatThrownBy(() -> HiveMqConfigXml.validate(misspelt))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("config.xsd");
  }
}
