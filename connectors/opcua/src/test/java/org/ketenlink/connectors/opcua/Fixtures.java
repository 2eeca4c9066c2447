package org.ketenlink.connectors.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodRequest;
import org.ketenlink.simulator.Simulator;

/** Shared wiring for the integration tests: PKIs, mutual trust, a plain Milo client, waiting. */
final class Fixtures {

  static final String NS = "urn:ketenlink:simulator:fieldlab";
  static final String GATEWAY_URI = "urn:ketenlink:test:gateway";

  private Fixtures() {}

  static OpcUaPki gatewayPki(Path dir) throws IOException {
    return OpcUaPki.open(dir, GATEWAY_URI, "Ketenlink test gateway");
  }

  static Simulator.Builder simulator(Path pkiDir) {
    return Simulator.builder().port(0).pkiDir(pkiDir).timeScale(60);
  }

  /** The simulator trusts the gateway and the gateway trusts the simulator. */
  static void trustEachOther(Simulator sim, OpcUaPki pki, Path scratch) throws IOException {
    sim.trustClientCertificate(pki.certificate());
    pki.trust(write(sim.serverCertificate(), scratch.resolve("simulator.der")));
  }

  static Path write(X509Certificate cert, Path file) throws IOException {
    try {
      Files.write(file, cert.getEncoded());
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IOException(e);
    }
    return file;
  }

  /** Writes a certificate in PEM form. */
  static Path writePem(X509Certificate cert, Path file) throws IOException {
    try {
      String pem =
          "-----BEGIN CERTIFICATE-----\n"
              + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                  .encodeToString(cert.getEncoded())
              + "\n-----END CERTIFICATE-----\n";
      return Files.writeString(file, pem);
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IOException(e);
    }
  }

  /** A user certificate and its PKCS#8 key as PEM files. */
  static Identity.X509 x509User(Path dir, String name) throws Exception {
    java.security.KeyPair kp =
        org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator.generateRsaKeyPair(
            2048);
    X509Certificate cert =
        new org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder(kp)
            .setCommonName(name)
            .setApplicationUri("urn:ketenlink:test:user:" + name)
            .build();
    Path certFile = writePem(cert, dir.resolve(name + ".pem"));
    Path keyFile = dir.resolve(name + "-key.pem");
    Pem.writePrivateKey(keyFile, kp.getPrivate());
    return new Identity.X509(certFile, keyFile);
  }

  static String nsu(String path) {
    return "nsu=" + NS + ";s=" + path;
  }

  static NodeAddress byPath(String path) {
    return new NodeAddress.ByPath(NS, List.of(path.split("/")));
  }

  /** Fast settings for tests: 100 ms publishing, short timeouts. */
  static OpcUaSourceSettings settings(String id, String url, List<SignalSettings> signals) {
    return OpcUaSourceSettings.of(id, url, signals)
        .withPublishingInterval(Duration.ofMillis(100))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  static SignalSettings signal(String id, NodeAddress address) {
    return SignalSettings.of(id, address).withSamplingInterval(Duration.ofMillis(100));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A plain Milo client using the gateway's identity, for calling simulator methods. */
  static OpcUaClient client(Simulator sim, OpcUaPki pki) throws Exception {
    OpcUaClient c =
        OpcUaClient.create(
            sim.endpointUrl(),
            endpoints ->
                endpoints.stream()
                    .filter(
                        e -> e.getSecurityPolicyUri().equals(SecurityPolicy.BASIC256SHA256.uri()))
                    .filter(
                        e ->
                            e.getSecurityMode()
                                == Connector.messageSecurityMode(SecurityMode.SIGN_AND_ENCRYPT))
                    .findFirst(),
            transport -> transport.setConnectTimeout(uint(5_000)),
            cfg ->
                cfg.setApplicationUri(pki.applicationUri())
                    .setKeyPair(pki.keyPair())
                    .setCertificate(pki.certificate())
                    .setCertificateChain(new X509Certificate[] {pki.certificate()})
                    .setCertificateValidator(pki.newServerCertificateValidator())
                    .setIdentityProvider(new AnonymousProvider()));
    return c.connect();
  }

  /** Calls {@code method} on the object at {@code objectPath}; returns the call's status. */
  static StatusCode call(OpcUaClient client, String objectPath, String method, Object... args)
      throws Exception {
    int ns = client.getNamespaceTable().getIndex(NS).intValue();
    Variant[] in = Arrays.stream(args).map(Variant::new).toArray(Variant[]::new);
    CallMethodRequest request =
        new CallMethodRequest(
            new NodeId(ns, objectPath), new NodeId(ns, objectPath + "/" + method), in);
    return client.call(List.of(request)).getResults()[0].getStatusCode();
  }

  static StatusCode storeOrder(OpcUaClient client, String machine, String orderId)
      throws Exception {
    return call(
        client,
        "line1/" + machine + "/Orders",
        "StoreOrder",
        orderId,
        "ACME",
        "Test article",
        uint(10),
        new DateTime(Instant.now().plus(Duration.ofDays(1))));
  }

  /** Waits until {@code condition} holds, polling; fails after {@code timeout}. */
  static void await(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
