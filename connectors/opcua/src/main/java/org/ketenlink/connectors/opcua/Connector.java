package org.ketenlink.connectors.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.sdk.client.DiscoveryClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClientConfig;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.IdentityProvider;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.identity.X509IdentityProvider;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.eclipse.milo.opcua.stack.core.util.EndpointUtil;
import org.jspecify.annotations.Nullable;

/**
 * The connect path shared by {@link OpcUaSource} and {@link OpcUaBrowser}: discovery, endpoint
 * selection, client configuration, user tokens and human-readable connection errors.
 */
final class Connector {

  private static final String PRODUCT_URI = "urn:ketenlink";

  private Connector() {}

  /** One server as the connect path needs it. */
  record Target(
      String name,
      String url,
      SecurityPolicy policy,
      SecurityMode mode,
      Identity identity,
      Duration connectTimeout,
      Duration requestTimeout,
      Duration sessionTimeout) {

    static Target of(OpcUaSourceSettings s) {
      return new Target(
          s.id(),
          s.endpointUrl(),
          s.securityPolicy(),
          s.securityMode(),
          s.identity(),
          s.connectTimeout(),
          s.requestTimeout(),
          s.sessionTimeout());
    }

    String security() {
      return policy.opcUaName() + "/" + mode.opcUaName();
    }
  }

  /** The endpoint is reachable but does not offer what is configured; the message says why. */
  static final class NotOfferedException extends Exception {
    private static final long serialVersionUID = 1L;

    NotOfferedException(String message) {
      super(message);
    }
  }

  /** An X.509 user token's certificate and key, loaded once. */
  record X509User(X509Certificate certificate, PrivateKey key) {
    static X509User load(Identity.X509 identity) throws IOException {
      return new X509User(
          Pem.readCertificate(identity.certificatePem()),
          Pem.readPrivateKey(identity.privateKeyPem()));
    }
  }

  /** GetEndpoints over an unsecured channel, as OPC UA discovery works. Blocks, bounded. */
  static List<EndpointDescription> getEndpoints(Target t) throws UaException {
    CompletableFuture<List<EndpointDescription>> f =
        DiscoveryClient.getEndpoints(
            t.url(), b -> b.setConnectTimeout(uint(t.connectTimeout().toMillis())));
    long wait = t.connectTimeout().plus(t.requestTimeout()).toMillis();
    try {
      return f.get(wait, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new UaException(
          StatusCodes.Bad_Timeout,
          "no answer to GetEndpoints within " + Durations.format(Duration.ofMillis(wait)));
    } catch (ExecutionException e) {
      throw UaException.extract(e)
          .orElse(new UaException(StatusCodes.Bad_UnexpectedError, e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UaException(StatusCodes.Bad_Shutdown, "interrupted");
    }
  }

  /**
   * The endpoint with exactly the configured security policy and mode, offering the configured user
   * token type.
   */
  static EndpointDescription select(List<EndpointDescription> endpoints, Target t)
      throws NotOfferedException {
    MessageSecurityMode mode = messageSecurityMode(t.mode());
    List<EndpointDescription> matching =
        endpoints.stream()
            .filter(e -> t.policy().uri().equals(e.getSecurityPolicyUri()))
            .filter(e -> e.getSecurityMode() == mode)
            .toList();
    if (matching.isEmpty()) {
      throw new NotOfferedException(
          "security policy " + t.security() + " not offered; server offers " + offered(endpoints));
    }
    UserTokenType wanted = tokenType(t.identity());
    String host = EndpointUtil.getHost(t.url());
    Optional<EndpointDescription> best =
        matching.stream()
            .filter(e -> offersToken(e, wanted))
            .sorted(
                (a, b) ->
                    Boolean.compare(
                        !Objects.equals(EndpointUtil.getHost(a.getEndpointUrl()), host),
                        !Objects.equals(EndpointUtil.getHost(b.getEndpointUrl()), host)))
            .findFirst();
    if (best.isEmpty()) {
      throw new NotOfferedException(
          "user token "
              + wanted
              + " not offered by "
              + t.security()
              + "; the endpoint offers "
              + tokens(matching.get(0)));
    }
    return best.get();
  }

  /**
   * The endpoint as the gateway can reach it: servers often advertise a host name (or port) only
   * valid inside their own network, while the configured URL has just answered GetEndpoints.
   */
  static EndpointDescription reachable(EndpointDescription endpoint, String configuredUrl) {
    String host = EndpointUtil.getHost(configuredUrl);
    int port = EndpointUtil.getPort(configuredUrl);
    String advertised = endpoint.getEndpointUrl();
    if (Objects.equals(EndpointUtil.getHost(advertised), host)
        && EndpointUtil.getPort(advertised) == port) {
      return endpoint;
    }
    return EndpointUtil.updateUrl(endpoint, host, port);
  }

  static OpcUaClient newClient(
      Target t,
      EndpointDescription endpoint,
      OpcUaPki pki,
      CertificateValidator validator,
      IdentityProvider identity)
      throws UaException {
    ensureCryptoProvider(t.policy());
    X509Certificate cert = pki.certificate();
    OpcUaClientConfig config =
        OpcUaClientConfig.builder()
            .setEndpoint(endpoint)
            .setApplicationName(LocalizedText.english(pki.applicationName()))
            .setApplicationUri(pki.applicationUri())
            .setProductUri(PRODUCT_URI)
            .setSessionName(() -> "ketenlink " + t.name())
            .setKeyPair(pki.keyPair())
            .setCertificate(cert)
            .setCertificateChain(new X509Certificate[] {cert})
            .setCertificateValidator(validator)
            .setIdentityProvider(identity)
            .setRequestTimeout(uint(t.requestTimeout().toMillis()))
            .setSessionTimeout(uint(t.sessionTimeout().toMillis()))
            .build();
    return OpcUaClient.create(
        config, transport -> transport.setConnectTimeout(uint(t.connectTimeout().toMillis())));
  }

  /** The user token provider; never the insecure default certificate validator. */
  static IdentityProvider identityProvider(
      Identity identity, CertificateValidator validator, @Nullable X509User x509) {
    if (identity instanceof Identity.UserPassword up) {
      return new UsernameProvider(up.user(), up.password(), validator);
    }
    if (identity instanceof Identity.X509) {
      Objects.requireNonNull(x509, "X.509 user certificate not loaded");
      return new X509IdentityProvider(x509.certificate(), x509.key());
    }
    return new AnonymousProvider();
  }

  /**
   * What went wrong, for people: {@code connection refused (127.0.0.1:4840)}, {@code
   * Bad_UserAccessDenied: wrong user name or password for user 'operator'}, ...
   */
  static String describe(Throwable failure, Target t, OpcUaPki pki) {
    String hostPort = EndpointUtil.getHost(t.url()) + ":" + EndpointUtil.getPort(t.url());
    for (Throwable c = failure; c != null; c = c.getCause()) {
      if (c instanceof ConnectException) {
        return "connection refused (" + hostPort + "): is the server running?";
      }
      if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
        return "unknown host '" + EndpointUtil.getHost(t.url()) + "'";
      }
      if (c instanceof NoRouteToHostException) {
        return "no route to host (" + hostPort + ")";
      }
    }
    Optional<UaException> ua = UaException.extract(failure);
    if (ua.isEmpty()) {
      return failure.getClass().getSimpleName()
          + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    }
    long code = ua.get().getStatusCode().value();
    String name = StatusNames.name(code);
    if (code == StatusCodes.Bad_UserAccessDenied
        || code == StatusCodes.Bad_IdentityTokenRejected
        || code == StatusCodes.Bad_IdentityTokenInvalid) {
      Identity id = t.identity();
      if (id instanceof Identity.UserPassword up) {
        return name + ": wrong user name or password for user '" + up.user() + "'";
      }
      if (id instanceof Identity.X509 x) {
        return name + ": the server refused the X.509 user certificate " + x.certificatePem();
      }
      return name + ": the server refused anonymous access; configure a user";
    }
    if (code == StatusCodes.Bad_SecurityChecksFailed
        || code == StatusCodes.Bad_CertificateUntrusted) {
      return name
          + ": the server refused the secure channel, most likely because it does not trust the"
          + " gateway's certificate "
          + pki.certificateFile()
          + " (add it to the server's trusted certificates)";
    }
    if (code == StatusCodes.Bad_Timeout || code == StatusCodes.Bad_RequestTimeout) {
      return name + ": no answer from " + t.url() + " in time";
    }
    String message = ua.get().getMessage();
    String description = StatusNames.description(code);
    if (message != null && !message.isBlank() && !message.contains(name)) {
      return name + ": " + message;
    }
    return description.isEmpty() ? name : name + ": " + lowerFirst(description);
  }

  static MessageSecurityMode messageSecurityMode(SecurityMode mode) {
    return switch (mode) {
      case NONE -> MessageSecurityMode.None;
      case SIGN -> MessageSecurityMode.Sign;
      case SIGN_AND_ENCRYPT -> MessageSecurityMode.SignAndEncrypt;
    };
  }

  private static UserTokenType tokenType(Identity identity) {
    if (identity instanceof Identity.UserPassword) {
      return UserTokenType.UserName;
    }
    if (identity instanceof Identity.X509) {
      return UserTokenType.Certificate;
    }
    return UserTokenType.Anonymous;
  }

  private static boolean offersToken(EndpointDescription e, UserTokenType type) {
    UserTokenPolicy[] policies = e.getUserIdentityTokens();
    return policies != null && Arrays.stream(policies).anyMatch(p -> p.getTokenType() == type);
  }

  private static String tokens(EndpointDescription e) {
    UserTokenPolicy[] policies = e.getUserIdentityTokens();
    if (policies == null) {
      return "[]";
    }
    return Arrays.stream(policies)
        .map(p -> String.valueOf(p.getTokenType()))
        .distinct()
        .toList()
        .toString();
  }

  private static String offered(List<EndpointDescription> endpoints) {
    Set<String> offered = new LinkedHashSet<>();
    for (EndpointDescription e : endpoints) {
      offered.add(
          SecurityPolicy.nameOfUri(e.getSecurityPolicyUri()) + "/" + e.getSecurityMode().name());
    }
    return offered.toString();
  }

  /**
   * Aes256_Sha256_RsaPss signs with "SHA256withRSA/PSS", an algorithm name only BouncyCastle
   * provides; Milo depends on BouncyCastle but does not register it.
   */
  static void ensureCryptoProvider(SecurityPolicy policy) {
    if (policy == SecurityPolicy.AES256_SHA256_RSAPSS) {
      synchronized (Connector.class) {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
          Security.addProvider(new BouncyCastleProvider());
        }
      }
    }
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
  }
}
