package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerKeyStoresTest {

  private static BrokerTestPki.Issued ca;
  private static BrokerTestPki.Issued server;

  @TempDir Path dir;

  @BeforeAll
  static void issue() {
    ca = BrokerTestPki.ca("test-ca");
    server = BrokerTestPki.server(ca);
  }

  @Test
  void writes_a_key_store_with_the_chain_and_a_trust_store_with_the_client_ca() throws Exception {
    BrokerTls tls = BrokerTestPki.writeBrokerFiles(dir.resolve("pki"), server, ca);

    BrokerKeyStores.Stores stores = BrokerKeyStores.write(tls, dir, new SecureRandom());

    KeyStore keystore = load(stores.keystore(), stores.password());
    assertThat(keystore.isKeyEntry("broker")).isTrue();
    assertThat(keystore.getCertificate("broker")).isEqualTo(server.certificate());
    assertThat(keystore.getKey("broker", stores.password().toCharArray()))
        .isEqualTo(server.keys().getPrivate());
    KeyStore truststore = load(stores.truststore(), stores.password());
    assertThat(truststore.isCertificateEntry("client-ca-0")).isTrue();
    assertThat(truststore.getCertificate("client-ca-0")).isEqualTo(ca.certificate());
    assertThat(stores.toString()).doesNotContain(stores.password());
  }

  @Test
  void the_stores_are_readable_by_the_owner_only_and_get_a_new_password_each_time()
      throws Exception {
    BrokerTls tls = BrokerTestPki.writeBrokerFiles(dir.resolve("pki"), server, ca);

    BrokerKeyStores.Stores first = BrokerKeyStores.write(tls, dir, new SecureRandom());
    BrokerKeyStores.Stores second = BrokerKeyStores.write(tls, dir, new SecureRandom());

    assertThat(second.password()).isNotEqualTo(first.password()).matches("[A-Za-z0-9_-]{32}");
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(second.keystore())))
          .isEqualTo("rw-------");
    }
    BrokerKeyStores.delete(dir);
    assertThat(second.keystore()).doesNotExist();
    assertThat(second.truststore()).doesNotExist();
  }

  @Test
  void a_key_in_the_traditional_openssl_format_is_refused_with_the_conversion_command()
      throws Exception {
    BrokerTls tls = BrokerTestPki.writeBrokerFiles(dir.resolve("pki"), server, ca);
    Files.writeString(tls.privateKey(), BrokerTestPki.traditionalPem(server.keys().getPrivate()));

    assertThatThrownBy(() -> BrokerKeyStores.write(tls, dir, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(tls.privateKey().toString())
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void a_key_that_does_not_belong_to_the_certificate_is_refused() throws Exception {
    BrokerTls tls = BrokerTestPki.writeBrokerFiles(dir.resolve("pki"), server, ca);
    BrokerTestPki.Issued otherServer = BrokerTestPki.server(ca);
    Files.writeString(tls.privateKey(), BrokerTestPki.pkcs8Pem(otherServer.keys().getPrivate()));

    assertThatThrownBy(() -> BrokerKeyStores.write(tls, dir, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not belong to the broker certificate");
  }

  @Test
  void a_missing_ca_file_is_named_in_the_error() throws Exception {
    BrokerTls written = BrokerTestPki.writeBrokerFiles(dir.resolve("pki"), server, ca);
    BrokerTls tls =
        new BrokerTls(written.certificate(), written.privateKey(), dir.resolve("nope.pem"));

    assertThatThrownBy(() -> BrokerKeyStores.write(tls, dir, new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client CA")
        .hasMessageContaining("nope.pem");
  }

  @Test
  void a_certificate_file_with_a_chain_keeps_the_whole_chain() throws Exception {
    BrokerTls tls = BrokerTestPki.writeBrokerFiles(dir.resolve("pki"), server, ca);
    Files.writeString(
        tls.certificate(),
        BrokerTestPki.pem(server.certificate()) + BrokerTestPki.pem(ca.certificate()));

    BrokerKeyStores.Stores stores = BrokerKeyStores.write(tls, dir, new SecureRandom());

    KeyStore keystore = load(stores.keystore(), stores.password());
    assertThat(keystore.getCertificateChain("broker"))
        .extracting(c -> ((X509Certificate) c).getSubjectX500Principal())
        .containsExactly(
            server.certificate().getSubjectX500Principal(),
            ca.certificate().getSubjectX500Principal());
  }

  private static KeyStore load(Path file, String password) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }
}
