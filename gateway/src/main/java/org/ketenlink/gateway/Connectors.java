package org.ketenlink.gateway;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.ketenlink.connectors.api.Link;
import org.ketenlink.connectors.api.Message;
import org.ketenlink.connectors.api.Source;
import org.ketenlink.connectors.mqtt.MqttLink;
import org.ketenlink.connectors.mqtt.MqttLinkSettings;
import org.ketenlink.connectors.mqtt.TlsSettings;
import org.ketenlink.connectors.opcua.Deadband;
import org.ketenlink.connectors.opcua.Identity;
import org.ketenlink.connectors.opcua.NodeAddress;
import org.ketenlink.connectors.opcua.OpcUaPki;
import org.ketenlink.connectors.opcua.OpcUaSource;
import org.ketenlink.connectors.opcua.OpcUaSourceSettings;
import org.ketenlink.connectors.opcua.SecurityMode;
import org.ketenlink.connectors.opcua.SecurityPolicy;
import org.ketenlink.connectors.opcua.SignalSettings;
import org.ketenlink.gateway.config.GatewayConfig;
import org.ketenlink.gateway.config.GatewayConfig.LinkConfig;
import org.ketenlink.gateway.config.GatewayConfig.SignalConfig;
import org.ketenlink.gateway.config.GatewayConfig.SourceConfig;
import org.ketenlink.gateway.config.GatewayConfig.UserIdentity;
import org.ketenlink.gateway.pki.Revocations;
import org.ketenlink.gateway.pki.SiteCa;

/** Turns validated configuration into connector settings; the only place that knows both. */
final class Connectors {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  static final Duration SESSION_TIMEOUT = Duration.ofMinutes(2);

  private Connectors() {}

  static String applicationUri(GatewayConfig config) {
    return "urn:ketenlink:gateway:" + config.gateway().id();
  }

  static OpcUaPki pki(GatewayConfig config) {
    try {
      return OpcUaPki.open(
          config.pkiDir(), applicationUri(config), "Ketenlink gateway " + config.gateway().id());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "cannot open the PKI folder " + config.pkiDir() + ": " + e.getMessage(), e);
    }
  }

  static Source source(SourceConfig sc, OpcUaPki pki) {
    OpcUaSourceSettings settings =
        new OpcUaSourceSettings(
            sc.id(),
            sc.endpoint(),
            policy(sc.securityPolicy()),
            mode(sc.securityMode()),
            identity(sc.identity()),
            sc.publishingInterval(),
            CONNECT_TIMEOUT,
            REQUEST_TIMEOUT,
            SESSION_TIMEOUT,
            sc.nodeRetryInterval(),
            sc.signals().stream().map(Connectors::signal).toList());
    if (sc.orders().isPresent()) {
      GatewayConfig.OrdersConfig oc = sc.orders().get();
      settings =
          oc.model() == GatewayConfig.OrderModelName.JOB_MANAGEMENT
              ? settings.withJobManagement(address(oc.node()))
              : settings.withOrders(address(oc.node()));
    }
    return new OpcUaSource(settings, pki);
  }

  private static SignalSettings signal(SignalConfig s) {
    NodeAddress address = address(s.address());
    Deadband deadband =
        switch (s.deadband().type()) {
          case NONE -> Deadband.NONE;
          case ABSOLUTE -> Deadband.absolute(s.deadband().value());
          case PERCENT -> Deadband.percent(s.deadband().value());
        };
    return new SignalSettings(s.name(), address, s.samplingInterval(), s.queueSize(), deadband);
  }

  private static NodeAddress address(GatewayConfig.NodeAddress a) {
    return a instanceof GatewayConfig.NodeAddress.ByPath p
        ? new NodeAddress.ByPath(p.namespaceUri(), p.browseNames(), p.elementNamespaces())
        : new NodeAddress.ById(((GatewayConfig.NodeAddress.ById) a).nodeId());
  }

  private static SecurityPolicy policy(GatewayConfig.SecurityPolicy p) {
    return switch (p) {
      case NONE -> SecurityPolicy.NONE;
      case BASIC256SHA256 -> SecurityPolicy.BASIC256SHA256;
      case AES128_SHA256_RSAOAEP -> SecurityPolicy.AES128_SHA256_RSAOAEP;
      case AES256_SHA256_RSAPSS -> SecurityPolicy.AES256_SHA256_RSAPSS;
    };
  }

  private static SecurityMode mode(GatewayConfig.SecurityMode m) {
    return switch (m) {
      case NONE -> SecurityMode.NONE;
      case SIGN -> SecurityMode.SIGN;
      case SIGN_AND_ENCRYPT -> SecurityMode.SIGN_AND_ENCRYPT;
    };
  }

  private static Identity identity(UserIdentity u) {
    if (u instanceof UserIdentity.UserPassword up) {
      return new Identity.UserPassword(up.username(), up.password());
    }
    if (u instanceof UserIdentity.X509 x) {
      return new Identity.X509(x.certificate(), x.privateKey());
    }
    return new Identity.Anonymous();
  }

  static BrokerSettings brokerSettings(GatewayConfig config, BrokerAccess.AccessLog accessLog) {
    GatewayConfig.BrokerConfig b = config.broker();
    return new BrokerSettings(
            b.bind(),
            b.port(),
            config.dataDir(),
            b.tls().map(t -> new BrokerTls(t.certificate(), t.privateKey(), t.clientCa())),
            100_000)
        .withAccess(
            BrokerAccess.forPartners(
                config.partners(),
                new Revocations(mqttCa(config).resolve(SiteCa.REVOKED)),
                accessLog));
  }

  /** The site's MQTT certificate authority: {@code <pkiDir>/mqtt}. */
  static Path mqttCa(GatewayConfig config) {
    return config.pkiDir().resolve("mqtt");
  }

  static Link link(
      GatewayConfig config, LinkConfig lc, EmbeddedBroker broker, Message birth, Message will) {
    String serverUri;
    Optional<TlsSettings> tls = Optional.empty();
    if (lc.embedded()) {
      serverUri = broker.localServerUri();
    } else {
      URI uri = URI.create(lc.broker());
      boolean secure = "mqtts".equals(uri.getScheme());
      int port = uri.getPort() > 0 ? uri.getPort() : secure ? 8883 : 1883;
      serverUri = (secure ? "ssl://" : "tcp://") + uri.getHost() + ":" + port;
      tls =
          lc.tls()
              .map(
                  t -> {
                    TlsSettings s = TlsSettings.trusting(t.caCertificate());
                    if (t.clientCertificate().isPresent()) {
                      s =
                          s.withClientCertificate(
                              t.clientCertificate().get(), t.clientKey().orElseThrow());
                    }
                    return s.withHostnameVerification(t.verifyHostname());
                  });
    }
    MqttLinkSettings.Builder b =
        MqttLinkSettings.builder(lc.id(), serverUri)
            .clientId(lc.clientId())
            .maxInFlight(lc.maxInFlight())
            .queueCapacity(lc.queueCapacity())
            .keepAlive(lc.keepAlive())
            .birth(birth)
            .will(will);
    if (lc.embedded()) {
      broker.access().ifPresent(a -> b.credentials(a.gatewayUser(), a.gatewaySecret()));
    } else if (lc.username().isPresent()) {
      b.credentials(lc.username().get(), lc.password().orElse(""));
    }
    tls.ifPresent(b::tls);
    return new MqttLink(b.build());
  }
}
