package org.ketenlink.gateway;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.ketenlink.gateway.pki.SiteCa;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces {@link BrokerAccess} inside the embedded HiveMQ: an in-process extension whose
 * authenticator decides, per connection, who the client is and gives it its topic permissions
 * (everything else denied). Runs on HiveMQ's threads; never blocks.
 */
final class BrokerAuthenticator
    implements SimpleAuthenticator, SubscriptionAuthorizer, PublishAuthorizer {

  private static final Logger log = LoggerFactory.getLogger(BrokerAuthenticator.class);

  private volatile BrokerAccess access;

  /** Connected partners' client ids and certificate fingerprints, to close revoked ones. */
  private final Map<String, X509Certificate> partnerClients = new ConcurrentHashMap<>();

  /** What each connected client may do, decided when it connected. */
  private final Map<String, Role> roles = new ConcurrentHashMap<>();

  /**
   * A client's rights: the gateway everything, a local client reading, a partner reading its own
   * prefix and writing its command topic.
   */
  record Role(String partner, boolean gateway, boolean local) {
    static final Role GATEWAY = new Role("", true, false);
    static final Role LOCAL = new Role("", false, true);

    static Role partner(String id) {
      return new Role(id, false, false);
    }

    boolean maySubscribe(String filter) {
      if (gateway || local) {
        return true;
      }
      String f = withoutSharePrefix(filter);
      String prefix = Topics.partnerPrefix(partner);
      return f.equals(prefix) || f.startsWith(prefix + "/");
    }

    boolean mayPublish(String topic) {
      return gateway
          || topic.startsWith(Topics.partnerPrefix(partner) + "/" + Topics.COMMANDS + "/");
    }

    private static String withoutSharePrefix(String filter) {
      if (!filter.startsWith("$share/")) {
        return filter;
      }
      int group = filter.indexOf('/', "$share/".length());
      return group < 0 ? filter : filter.substring(group + 1);
    }
  }

  private BrokerAuthenticator(BrokerAccess access) {
    this.access = access;
  }

  static BrokerAuthenticator of(BrokerAccess access) {
    return new BrokerAuthenticator(access);
  }

  /**
   * Changed partners take effect now: new connections are judged by them, and connected clients
   * whose certificate no longer belongs to the partner they connected as are closed. Other partners
   * stay connected.
   */
  void updatePartners(java.util.List<BrokerAccess.PartnerIdentity> partners) {
    BrokerAccess a = access;
    access =
        new BrokerAccess(a.gatewayUser(), a.gatewaySecret(), partners, a.revocations(), a.log());
    closeIf(
        (clientId, cert) ->
            !access
                .partnerOf(cert)
                .map(p -> p.id().equals(roles.getOrDefault(clientId, Role.LOCAL).partner()))
                .orElse(false),
        "no longer a partner under the changed configuration; closed");
  }

  /** The embedded extension that installs this authenticator for every connection. */
  EmbeddedExtension extension() {
    BrokerAuthenticator authenticator = this;
    return EmbeddedExtension.builder()
        .withId("ketenlink-access")
        .withName("Ketenlink partner access")
        .withVersion(Version.current())
        .withAuthor("Ketenlink")
        .withPriority(1000)
        .withExtensionMain(
            new ExtensionMain() {
              @Override
              public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
                Services.securityRegistry().setAuthenticatorProvider(input -> authenticator);
                Services.securityRegistry().setAuthorizerProvider(input -> authenticator);
                Services.extensionExecutorService()
                    .scheduleWithFixedDelay(
                        authenticator::closeRevoked, 2, 2, java.util.concurrent.TimeUnit.SECONDS);
              }

              @Override
              public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
            })
        .build();
  }

  @Override
  public void onConnect(SimpleAuthInput input, SimpleAuthOutput output) {
    ConnectionInformation connection = input.getConnectionInformation();
    String clientId = input.getClientInformation().getClientId();
    ModifiableDefaultPermissions permissions = output.getDefaultPermissions();
    permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);

    Optional<String> user = input.getConnectPacket().getUserName();
    if (user.isPresent()) {
      if (user.get().equals(access.gatewayUser())
          && secretMatches(input.getConnectPacket().getPassword())) {
        permissions.add(permission("#", TopicPermission.MqttActivity.ALL));
        roles.put(clientId, Role.GATEWAY);
        output.authenticateSuccessfully();
      } else {
        log.warn("MQTT client {}: refused, wrong user name or password", clientId);
        access.log().refused(clientId, "", "connect", "wrong user name or password");
        output.failAuthentication(
            ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong user name or password");
      }
      return;
    }

    boolean overTls = connection.getClientTlsInformation().isPresent();
    if (!overTls) {
      // Only the loopback-only plain listener is reachable without TLS: the line PC itself.
      boolean internal =
          connection
              .getListener()
              .map(Listener::getName)
              .filter(
                  n ->
                      n.equals(HiveMqConfigXml.INTERNAL_LISTENER_NAME)
                          || n.equals(HiveMqConfigXml.LISTENER_NAME))
              .isPresent();
      if (!internal) {
        access.log().refused(clientId, "", "connect", "no TLS");
        output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "not authorized");
        return;
      }
      permissions.add(permission("#", TopicPermission.MqttActivity.SUBSCRIBE));
      roles.put(clientId, Role.LOCAL);
      output.authenticateSuccessfully();
      return;
    }

    Optional<X509Certificate> certificate =
        connection.getClientTlsInformation().flatMap(ClientTlsInformation::getClientCertificate);
    if (certificate.isEmpty()) {
      access.log().refused(clientId, "", "connect", "no client certificate");
      output.failAuthentication(
          ConnackReasonCode.NOT_AUTHORIZED, "a client certificate is required");
      return;
    }
    String fingerprint = SiteCa.fingerprint(certificate.get());
    if (access.revocations().isRevoked(fingerprint)) {
      log.warn(
          "MQTT client {}: refused, certificate {} (SHA-256 {}) is revoked",
          clientId,
          certificate.get().getSubjectX500Principal().getName(),
          fingerprint);
      access
          .log()
          .refused(
              clientId,
              access.partnerOf(certificate.get()).map(BrokerAccess.PartnerIdentity::id).orElse(""),
              "connect",
              "certificate SHA-256 " + fingerprint + " is revoked");
      output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "this certificate is revoked");
      return;
    }
    Optional<BrokerAccess.PartnerIdentity> partner = access.partnerOf(certificate.get());
    if (partner.isEmpty()) {
      log.warn(
          "MQTT client {}: refused, certificate {} (SHA-256 {}) is not a partner of this gateway",
          clientId,
          certificate.get().getSubjectX500Principal().getName(),
          fingerprint);
      access
          .log()
          .refused(
              clientId,
              "",
              "connect",
              "certificate "
                  + certificate.get().getSubjectX500Principal().getName()
                  + " (SHA-256 "
                  + fingerprint
                  + ") is not a partner's");
      output.failAuthentication(
          ConnackReasonCode.NOT_AUTHORIZED, "this certificate is not a partner of this gateway");
      return;
    }
    String prefix = Topics.partnerPrefix(partner.get().id());
    permissions.add(permission(prefix + "/#", TopicPermission.MqttActivity.SUBSCRIBE));
    permissions.add(
        permission(prefix + "/" + Topics.COMMANDS + "/#", TopicPermission.MqttActivity.PUBLISH));
    partnerClients.put(clientId, certificate.get());
    roles.put(clientId, Role.partner(partner.get().id()));
    log.info("MQTT client {}: partner {} connected", clientId, partner.get().id());
    output.authenticateSuccessfully();
  }

  @Override
  public void authorizeSubscribe(
      SubscriptionAuthorizerInput input, SubscriptionAuthorizerOutput output) {
    String filter = input.getSubscription().getTopicFilter();
    if (allowed(
        input.getClientInformation().getClientId(), "subscribe", filter, Role::maySubscribe)) {
      output.authorizeSuccessfully();
    } else {
      output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, "not authorized for " + filter);
    }
  }

  @Override
  public void authorizePublish(PublishAuthorizerInput input, PublishAuthorizerOutput output) {
    String topic = input.getPublishPacket().getTopic();
    if (allowed(input.getClientInformation().getClientId(), "publish", topic, Role::mayPublish)) {
      output.authorizeSuccessfully();
    } else {
      output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, "not authorized for " + topic);
    }
  }

  /** Whether the client's role allows {@code action} on {@code topic}; records a refusal. */
  private boolean allowed(
      String clientId,
      String action,
      String topic,
      java.util.function.BiPredicate<Role, String> rule) {
    Role role = roles.get(clientId);
    if (role != null && rule.test(role, topic)) {
      return true;
    }
    access.log().refused(clientId, role == null ? "" : role.partner(), action, topic);
    return false;
  }

  /** Closes the connections of partners whose certificate was revoked since they connected. */
  private void closeRevoked() {
    closeIf(
        (clientId, cert) -> access.revocations().isRevoked(SiteCa.fingerprint(cert)),
        "certificate revoked; closed");
  }

  private void closeIf(
      java.util.function.BiPredicate<String, X509Certificate> condition, String why) {
    try {
      partnerClients.forEach(
          (clientId, cert) -> {
            if (condition.test(clientId, cert)) {
              partnerClients.remove(clientId);
              access
                  .log()
                  .refused(
                      clientId,
                      roles.getOrDefault(clientId, Role.LOCAL).partner(),
                      "connection",
                      why);
              log.warn("MQTT client {}: {}", clientId, why);
              roles.remove(clientId);
              Services.clientService().disconnectClient(clientId);
            }
          });
    } catch (RuntimeException e) {
      log.warn("Checking connected partners failed: {}", e.toString());
    }
  }

  private boolean secretMatches(Optional<ByteBuffer> password) {
    if (password.isEmpty()) {
      return false;
    }
    ByteBuffer b = password.get().asReadOnlyBuffer();
    byte[] given = new byte[b.remaining()];
    b.get(given);
    return MessageDigest.isEqual(given, access.gatewaySecret().getBytes(StandardCharsets.UTF_8));
  }

  private static TopicPermission permission(String filter, TopicPermission.MqttActivity activity) {
    return Builders.topicPermission()
        .topicFilter(filter)
        .activity(activity)
        .type(TopicPermission.PermissionType.ALLOW)
        .build();
  }
}
