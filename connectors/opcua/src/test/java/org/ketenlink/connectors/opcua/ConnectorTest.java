package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;

import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectorTest {

  private static final String URL = "opc.tcp://10.0.0.7:48400/ketenlink";

  @TempDir Path dir;

  private static EndpointDescription endpoint(
      String url, SecurityPolicy policy, MessageSecurityMode mode, UserTokenType... tokens) {
    UserTokenPolicy[] policies = new UserTokenPolicy[tokens.length];
    for (int i = 0; i < tokens.length; i++) {
      policies[i] = new UserTokenPolicy("p" + i, tokens[i], null, null, null);
    }
    return new EndpointDescription(
        url, null, ByteString.NULL_VALUE, mode, policy.uri(), policies, null, ubyte(0));
  }

  private static Connector.Target target(SecurityPolicy policy, SecurityMode mode, Identity id) {
    return new Connector.Target(
        "cnc1",
        URL,
        policy,
        mode,
        id,
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofMinutes(2));
  }

  private static final List<EndpointDescription> OFFERED =
      List.of(
          endpoint(
              "opc.tcp://plc-7:4840/ketenlink",
              SecurityPolicy.BASIC256SHA256,
              MessageSecurityMode.Sign,
              UserTokenType.Anonymous),
          endpoint(
              "opc.tcp://plc-7:4840/ketenlink",
              SecurityPolicy.BASIC256SHA256,
              MessageSecurityMode.SignAndEncrypt,
              UserTokenType.Anonymous,
              UserTokenType.UserName));

  @Test
  void selectsExactlyTheConfiguredPolicyAndMode() throws Exception {
    EndpointDescription e =
        Connector.select(
            OFFERED,
            target(
                SecurityPolicy.BASIC256SHA256,
                SecurityMode.SIGN_AND_ENCRYPT,
                Identity.anonymous()));

    assertThat(e.getSecurityMode()).isEqualTo(MessageSecurityMode.SignAndEncrypt);
  }

  @Test
  void aPolicyNotOfferedIsExplainedWithWhatTheServerOffers() {
    assertThatThrownBy(
            () ->
                Connector.select(
                    OFFERED,
                    target(
                        SecurityPolicy.AES256_SHA256_RSAPSS,
                        SecurityMode.SIGN_AND_ENCRYPT,
                        Identity.anonymous())))
        .isInstanceOf(Connector.NotOfferedException.class)
        .hasMessage(
            "security policy Aes256_Sha256_RsaPss/SignAndEncrypt not offered; server offers"
                + " [Basic256Sha256/Sign, Basic256Sha256/SignAndEncrypt]");
  }

  @Test
  void aUserTokenTypeNotOfferedIsExplained() {
    assertThatThrownBy(
            () ->
                Connector.select(
                    OFFERED,
                    target(
                        SecurityPolicy.BASIC256SHA256,
                        SecurityMode.SIGN,
                        new Identity.UserPassword("operator", "x"))))
        .isInstanceOf(Connector.NotOfferedException.class)
        .hasMessage(
            "user token UserName not offered by Basic256Sha256/Sign; the endpoint offers [Anonymous]");
  }

  @Test
  void anAdvertisedHostAndPortTheGatewayCannotReachAreReplacedByTheConfiguredOnes() {
    EndpointDescription advertised = OFFERED.get(1);

    EndpointDescription reachable = Connector.reachable(advertised, URL);

    assertThat(reachable.getEndpointUrl()).isEqualTo("opc.tcp://10.0.0.7:48400/ketenlink");
    assertThat(reachable.getSecurityPolicyUri()).isEqualTo(advertised.getSecurityPolicyUri());
    assertThat(Connector.reachable(reachable, URL)).isSameAs(reachable);
  }

  @Test
  void connectionErrorsAreDescribedForPeople() throws Exception {
    try (OpcUaPki pki = OpcUaPki.open(dir, "urn:ketenlink:test", "Ketenlink test")) {
      Connector.Target anonymous =
          target(
              SecurityPolicy.BASIC256SHA256, SecurityMode.SIGN_AND_ENCRYPT, Identity.anonymous());
      Connector.Target user =
          target(
              SecurityPolicy.BASIC256SHA256,
              SecurityMode.SIGN_AND_ENCRYPT,
              new Identity.UserPassword("operator", "secret"));

      assertThat(
              Connector.describe(
                  new UaException(
                      StatusCodes.Bad_ConnectionRejected,
                      new ConnectException("Connection refused")),
                  anonymous,
                  pki))
          .isEqualTo("connection refused (10.0.0.7:48400): is the server running?");
      assertThat(Connector.describe(new UaException(StatusCodes.Bad_UserAccessDenied), user, pki))
          .isEqualTo("Bad_UserAccessDenied: wrong user name or password for user 'operator'")
          .doesNotContain("secret");
      assertThat(
              Connector.describe(
                  new UaException(StatusCodes.Bad_SecurityChecksFailed), anonymous, pki))
          .startsWith("Bad_SecurityChecksFailed: the server refused the secure channel")
          .contains(pki.certificateFile().toString());
    }
  }
}
