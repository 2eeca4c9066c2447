package org.ketenlink.simulator;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Period;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.IdentityProvider;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.security.DefaultClientCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.MemoryTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodResult;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;

/** Milo clients for the simulator's tests, with certificates made at run time. */
final class TestClients {

  static final String CLIENT_URI = "urn:ketenlink:test-client";

  private TestClients() {}

  /** A client identity: key pair and self-signed application certificate. */
  record Identity(KeyPair keyPair, X509Certificate certificate) {
    static Identity create(String commonName) {
      try {
        KeyPair kp = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
        X509Certificate cert =
            new SelfSignedCertificateBuilder(kp)
                .setCommonName(commonName)
                .setOrganization("Ketenlink tests")
                .setApplicationUri(CLIENT_URI)
                .addDnsName("localhost")
                .addIpAddress("127.0.0.1")
                .setValidityPeriod(Period.ofDays(2))
                .build();
        return new Identity(kp, cert);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Connects with the given identity over {@code policy}/{@code mode}, trusting the server. */
  static OpcUaClient connect(
      Simulator sim,
      Identity identity,
      SecurityPolicy policy,
      MessageSecurityMode mode,
      IdentityProvider user)
      throws Exception {
    MemoryTrustListManager trust = new MemoryTrustListManager();
    trust.addTrustedCertificate(sim.serverCertificate());
    OpcUaClient client =
        OpcUaClient.create(
            sim.endpointUrl(),
            endpoints -> select(endpoints, policy, mode),
            transport -> transport.setConnectTimeout(uint(5_000)),
            cfg ->
                cfg.setApplicationName(LocalizedText.english("Ketenlink test client"))
                    .setApplicationUri(CLIENT_URI)
                    .setKeyPair(identity.keyPair())
                    .setCertificate(identity.certificate())
                    .setCertificateChain(new X509Certificate[] {identity.certificate()})
                    .setCertificateValidator(
                        new DefaultClientCertificateValidator(
                            trust, new MemoryCertificateQuarantine()))
                    .setIdentityProvider(user)
                    .setRequestTimeout(uint(10_000)));
    try {
      return client.connect();
    } catch (Exception e) {
      // A refused client keeps retrying in the background unless told to stop.
      client.disconnect();
      throw e;
    }
  }

  /** A trusted client over Basic256Sha256/SignAndEncrypt, anonymous. */
  static OpcUaClient connectTrusted(Simulator sim) throws Exception {
    Identity id = Identity.create("trusted test client");
    sim.trustClientCertificate(id.certificate());
    return connect(
        sim,
        id,
        SecurityPolicy.Basic256Sha256,
        MessageSecurityMode.SignAndEncrypt,
        new AnonymousProvider());
  }

  static Optional<EndpointDescription> select(
      List<EndpointDescription> endpoints, SecurityPolicy policy, MessageSecurityMode mode) {
    return endpoints.stream()
        .filter(e -> e.getSecurityPolicyUri().equals(policy.getUri()))
        .filter(e -> e.getSecurityMode() == mode)
        .findFirst();
  }

  static NodeId node(OpcUaClient client, String path) {
    int ns = client.getNamespaceTable().getIndex(FieldlabNamespace.NAMESPACE_URI).intValue();
    return new NodeId(ns, path);
  }

  static Object read(OpcUaClient client, String path) throws Exception {
    return client.readValue(0, TimestampsToReturn.Both, node(client, path)).value().value();
  }

  /** Calls a method on {@code objectPath}; returns the whole result so tests can check statuses. */
  static CallMethodResult call(OpcUaClient client, String objectPath, String method, Object... args)
      throws Exception {
    Variant[] in = Arrays.stream(args).map(Variant::new).toArray(Variant[]::new);
    CallMethodRequest request =
        new CallMethodRequest(
            node(client, objectPath), node(client, objectPath + "/" + method), in);
    return client.call(List.of(request)).getResults()[0];
  }

  static StatusCode status(CallMethodResult result) {
    return result.getStatusCode();
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

  static NodeId serverNode() {
    return NodeIds.Server;
  }
}
