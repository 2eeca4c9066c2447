package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpcUaSourceSettingsTest {

  private static final String URL = "opc.tcp://127.0.0.1:4840/ketenlink";

  private static SignalSettings speed() {
    return SignalSettings.of("speed", NodeAddress.id("nsu=urn:x;s=line1/cnc1/Speed"));
  }

  @Test
  void theDefaultsAreValidAndSecure() {
    OpcUaSourceSettings s = OpcUaSourceSettings.of("cnc1", URL, List.of(speed()));

    assertThat(s.problems()).isEmpty();
    assertThat(s.securityPolicy()).isEqualTo(SecurityPolicy.BASIC256SHA256);
    assertThat(s.securityMode()).isEqualTo(SecurityMode.SIGN_AND_ENCRYPT);
    assertThat(s.identity()).isEqualTo(new Identity.Anonymous());
    assertThat(s.nodeRetryInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.security()).isEqualTo("Basic256Sha256/SignAndEncrypt");
  }

  @Test
  void everyProblemIsListedWithItsPath() {
    OpcUaSourceSettings s =
        new OpcUaSourceSettings(
            "cnc 1",
            "http://plc:4840",
            SecurityPolicy.NONE,
            SecurityMode.SIGN,
            new Identity.UserPassword("", null),
            Duration.ZERO,
            Duration.ofSeconds(-1),
            null,
            Duration.ofSeconds(30),
            Duration.ofSeconds(30),
            Arrays.asList(
                speed().withSamplingInterval(Duration.ofMillis(-1)),
                speed(),
                new SignalSettings("bad", NodeAddress.id("ns=x;q=1"), Duration.ZERO, 0, null),
                new SignalSettings(
                    "path",
                    new NodeAddress.ByPath(" ", Arrays.asList("a", null)),
                    Duration.ZERO,
                    1,
                    Deadband.percent(150)),
                null));

    assertThat(s.problems())
        .containsExactly(
            "id: must be 1-64 characters of A-Z a-z 0-9 . _ -, got 'cnc 1'",
            "endpointUrl: must start with opc.tcp://, got 'http://plc:4840'",
            "securityMode: must be NONE when securityPolicy is NONE, got SIGN",
            "identity.user: must not be empty",
            "identity.password: must be set",
            "publishingInterval: must be > 0, got 0ms",
            "connectTimeout: must be > 0, got -1000ms",
            "requestTimeout: must be set",
            "signals.speed: samplingInterval must be >= 0, got -1ms",
            "signals.speed: duplicate signal id",
            "signals.bad: nodeId 'ns=x;q=1' is not a node id (use ns=<index>;s=<name>,"
                + " nsu=<namespace URI>;s=<name>, i=<number>, g=<guid> or b=<base64>)",
            "signals.bad: queueSize must be 1-65535, got 0",
            "signals.bad: deadband must be set (Deadband.NONE for none)",
            "signals.path: namespaceUri must be set for a browse path",
            "signals.path: browseNames must not contain empty names, got [a, null]",
            "signals.path: a percent deadband must be 0-100, got 150.0",
            "signals[4]: must not be null");
  }

  @Test
  void aSecurityModeOfNoneNeedsThePolicyNone() {
    OpcUaSourceSettings s =
        OpcUaSourceSettings.of("cnc1", URL, List.of())
            .withSecurity(SecurityPolicy.BASIC256SHA256, SecurityMode.NONE);

    assertThat(s.problems())
        .containsExactly("securityMode: NONE needs securityPolicy NONE, got BASIC256SHA256");
  }

  @Test
  void securityNoneIsAcceptedWhenConfiguredExplicitly() {
    OpcUaSourceSettings s =
        OpcUaSourceSettings.of("cnc1", URL, List.of())
            .withSecurity(SecurityPolicy.NONE, SecurityMode.NONE);

    assertThat(s.problems()).isEmpty();
  }

  @Test
  void missingX509FilesAreProblems() {
    OpcUaSourceSettings s =
        OpcUaSourceSettings.of("cnc1", URL, List.of())
            .withIdentity(new Identity.X509(Path.of("/nonexistent/user.pem"), null));

    assertThat(s.problems())
        .containsExactly(
            "identity.certificatePem: cannot read /nonexistent/user.pem",
            "identity.privateKeyPem: must be set");
  }

  @Test
  void validatedThrowsWithEveryProblem() {
    OpcUaSourceSettings s = OpcUaSourceSettings.of("cnc1", "opc.tcp://", List.of());

    assertThatThrownBy(s::validated)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid OPC UA source settings for 'cnc1'")
        .hasMessageContaining("endpointUrl: ");
  }

  @Test
  void namedPoliciesAndModesAreFoundByEitherSpelling() {
    assertThat(SecurityPolicy.byName("Basic256Sha256")).contains(SecurityPolicy.BASIC256SHA256);
    assertThat(SecurityPolicy.byName("aes256_sha256_rsapss"))
        .contains(SecurityPolicy.AES256_SHA256_RSAPSS);
    assertThat(SecurityMode.byName("SignAndEncrypt")).contains(SecurityMode.SIGN_AND_ENCRYPT);
    assertThat(SecurityMode.byName("SIGN_AND_ENCRYPT")).contains(SecurityMode.SIGN_AND_ENCRYPT);
    assertThat(SecurityMode.byName("encrypt")).isEmpty();
  }

  @Test
  void aPasswordNeverShowsInToString() {
    assertThat(new Identity.UserPassword("operator", "s3cret-horse").toString())
        .doesNotContain("s3cret")
        .contains("operator");
  }
}
