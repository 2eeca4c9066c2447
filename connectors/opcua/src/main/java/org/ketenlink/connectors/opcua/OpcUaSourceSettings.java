package org.ketenlink.connectors.opcua;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything one OPC UA source needs: the server, security, user and signals. Immutable; {@link
 * #problems()} lists every invalid setting at once, and {@link OpcUaSource} refuses settings that
 * have any. All defaults live here.
 *
 * @param id the source id, e.g. {@code cnc1} (1-64 of {@code A-Z a-z 0-9 . _ -})
 * @param endpointUrl the server's discovery URL, e.g. {@code opc.tcp://10.0.0.7:4840/ketenlink}.
 *     Its host and port are also used for the session when the server advertises another host name
 * @param securityPolicy the security policy to use; an endpoint with exactly this policy and mode
 *     must be offered
 * @param securityMode the message security mode to use
 * @param identity the user token
 * @param publishingInterval how often the server sends collected changes
 * @param connectTimeout how long to wait for a TCP connection
 * @param requestTimeout how long to wait for any service response
 * @param sessionTimeout how long the server keeps a session without contact
 * @param nodeRetryInterval how often signals whose node cannot be found (yet) are tried again
 * @param signals the signals to monitor; ids unique within the source
 * @param orders the object holding the machine's production orders and order methods (see {@link
 *     org.ketenlink.connectors.api.OrderControl}); empty if orders are not read or changed
 */
public record OpcUaSourceSettings(
    String id,
    String endpointUrl,
    SecurityPolicy securityPolicy,
    SecurityMode securityMode,
    Identity identity,
    Duration publishingInterval,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration sessionTimeout,
    Duration nodeRetryInterval,
    List<SignalSettings> signals,
    Optional<NodeAddress> orders,
    OrderModel orderModel) {

  /** How a machine's orders are modelled on its server. */
  public enum OrderModel {
    /**
     * The Ketenlink order model: an object with one child object per order and the order methods
     * (the bundled simulator's; {@link org.ketenlink.connectors.api.OrderControl}).
     */
    KETENLINK,
    /**
     * OPC 40001-3 Machinery Job Management: the orders address is the machine's JobManagement
     * object, with JobOrderControl (JobOrderList, Pause, Abort, Update) and JobOrderResults.
     */
    JOB_MANAGEMENT
  }

  /** Secure by default: Basic256Sha256 with SignAndEncrypt. */
  public static final SecurityPolicy DEFAULT_SECURITY_POLICY = SecurityPolicy.BASIC256SHA256;

  public static final SecurityMode DEFAULT_SECURITY_MODE = SecurityMode.SIGN_AND_ENCRYPT;
  public static final Duration DEFAULT_PUBLISHING_INTERVAL = Duration.ofSeconds(1);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofMinutes(2);
  public static final Duration DEFAULT_NODE_RETRY_INTERVAL = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SAMPLING_INTERVAL = Duration.ofSeconds(1);
  public static final int DEFAULT_QUEUE_SIZE = 1;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int MAX_QUEUE_SIZE = 65_535;

  public OpcUaSourceSettings {
    // Not List.copyOf: null entries must reach validation as listed problems, not as an NPE.
    signals = signals == null ? null : Collections.unmodifiableList(new ArrayList<>(signals));
    orders = orders == null ? Optional.empty() : orders;
    orderModel = orderModel == null ? OrderModel.KETENLINK : orderModel;
  }

  /** Settings without an orders object. */
  public OpcUaSourceSettings(
      String id,
      String endpointUrl,
      SecurityPolicy securityPolicy,
      SecurityMode securityMode,
      Identity identity,
      Duration publishingInterval,
      Duration connectTimeout,
      Duration requestTimeout,
      Duration sessionTimeout,
      Duration nodeRetryInterval,
      List<SignalSettings> signals) {
    this(
        id,
        endpointUrl,
        securityPolicy,
        securityMode,
        identity,
        publishingInterval,
        connectTimeout,
        requestTimeout,
        sessionTimeout,
        nodeRetryInterval,
        signals,
        Optional.empty(),
        OrderModel.KETENLINK);
  }

  /** These settings with the machine's orders object (the Ketenlink order model). */
  public OpcUaSourceSettings withOrders(NodeAddress ordersObject) {
    return withOrders(ordersObject, OrderModel.KETENLINK);
  }

  /** These settings with the machine's OPC 40001-3 JobManagement object for its orders. */
  public OpcUaSourceSettings withJobManagement(NodeAddress jobManagementObject) {
    return withOrders(jobManagementObject, OrderModel.JOB_MANAGEMENT);
  }

  private OpcUaSourceSettings withOrders(NodeAddress node, OrderModel model) {
    return new OpcUaSourceSettings(
        id,
        endpointUrl,
        securityPolicy,
        securityMode,
        identity,
        publishingInterval,
        connectTimeout,
        requestTimeout,
        sessionTimeout,
        nodeRetryInterval,
        signals,
        Optional.of(node),
        model);
  }

  /** Settings with every default: Basic256Sha256/SignAndEncrypt, anonymous. */
  public static OpcUaSourceSettings of(
      String id, String endpointUrl, List<SignalSettings> signals) {
    return new OpcUaSourceSettings(
        id,
        endpointUrl,
        DEFAULT_SECURITY_POLICY,
        DEFAULT_SECURITY_MODE,
        Identity.anonymous(),
        DEFAULT_PUBLISHING_INTERVAL,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_SESSION_TIMEOUT,
        DEFAULT_NODE_RETRY_INTERVAL,
        signals);
  }

  public OpcUaSourceSettings withSecurity(SecurityPolicy policy, SecurityMode mode) {
    return new OpcUaSourceSettings(
        id,
        endpointUrl,
        policy,
        mode,
        identity,
        publishingInterval,
        connectTimeout,
        requestTimeout,
        sessionTimeout,
        nodeRetryInterval,
        signals,
        orders,
        orderModel);
  }

  public OpcUaSourceSettings withIdentity(Identity newIdentity) {
    return new OpcUaSourceSettings(
        id,
        endpointUrl,
        securityPolicy,
        securityMode,
        newIdentity,
        publishingInterval,
        connectTimeout,
        requestTimeout,
        sessionTimeout,
        nodeRetryInterval,
        signals,
        orders,
        orderModel);
  }

  public OpcUaSourceSettings withPublishingInterval(Duration interval) {
    return new OpcUaSourceSettings(
        id,
        endpointUrl,
        securityPolicy,
        securityMode,
        identity,
        interval,
        connectTimeout,
        requestTimeout,
        sessionTimeout,
        nodeRetryInterval,
        signals,
        orders,
        orderModel);
  }

  public OpcUaSourceSettings withTimeouts(Duration connect, Duration request, Duration session) {
    return new OpcUaSourceSettings(
        id,
        endpointUrl,
        securityPolicy,
        securityMode,
        identity,
        publishingInterval,
        connect,
        request,
        session,
        nodeRetryInterval,
        signals,
        orders,
        orderModel);
  }

  public OpcUaSourceSettings withNodeRetryInterval(Duration interval) {
    return new OpcUaSourceSettings(
        id,
        endpointUrl,
        securityPolicy,
        securityMode,
        identity,
        publishingInterval,
        connectTimeout,
        requestTimeout,
        sessionTimeout,
        interval,
        signals,
        orders,
        orderModel);
  }

  /** The security in use, e.g. {@code Basic256Sha256/SignAndEncrypt}. */
  public String security() {
    return (securityPolicy == null ? "?" : securityPolicy.opcUaName())
        + "/"
        + (securityMode == null ? "?" : securityMode.opcUaName());
  }

  /**
   * Every invalid setting, each with its path, e.g. {@code signals.speed: samplingInterval must be
   * >= 0}; empty when the settings are valid. A caller prefixes the paths with where the source is
   * configured (e.g. {@code sources.cnc1.}).
   */
  public List<String> problems() {
    List<String> p = new ArrayList<>();
    if (id == null || !ID.matcher(id).matches()) {
      p.add("id: must be 1-64 characters of A-Z a-z 0-9 . _ -, got " + quoted(id));
    }
    endpointProblem().ifPresent(e -> p.add("endpointUrl: " + e));
    if (securityPolicy == null) {
      p.add("securityPolicy: must be set");
    }
    if (securityMode == null) {
      p.add("securityMode: must be set");
    }
    if (securityPolicy != null && securityMode != null) {
      if (securityPolicy == SecurityPolicy.NONE && securityMode != SecurityMode.NONE) {
        p.add("securityMode: must be NONE when securityPolicy is NONE, got " + securityMode);
      }
      if (securityPolicy != SecurityPolicy.NONE && securityMode == SecurityMode.NONE) {
        p.add("securityMode: NONE needs securityPolicy NONE, got " + securityPolicy);
      }
    }
    identityProblems(p);
    positive(p, "publishingInterval", publishingInterval);
    positive(p, "connectTimeout", connectTimeout);
    positive(p, "requestTimeout", requestTimeout);
    positive(p, "sessionTimeout", sessionTimeout);
    positive(p, "nodeRetryInterval", nodeRetryInterval);
    if (signals == null) {
      p.add("signals: must be set (may be empty)");
    } else {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < signals.size(); i++) {
        SignalSettings s = signals.get(i);
        if (s == null) {
          p.add("signals[" + i + "]: must not be null");
          continue;
        }
        String path;
        if (s.id() == null || s.id().isBlank()) {
          path = "signals[" + i + "]";
          p.add(path + ": id must not be empty");
        } else {
          path = "signals." + s.id();
          if (!seen.add(s.id())) {
            p.add(path + ": duplicate signal id");
          }
        }
        signalProblems(p, path, s);
      }
    }
    orders.ifPresent(o -> addressProblems(p, "orders", o));
    return List.copyOf(p);
  }

  /**
   * Returns these settings if they are valid.
   *
   * @throws IllegalArgumentException listing every problem
   */
  public OpcUaSourceSettings validated() {
    List<String> p = problems();
    if (!p.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid OPC UA source settings"
              + (id == null ? "" : " for '" + id + "'")
              + ":\n  - "
              + String.join("\n  - ", p));
    }
    return this;
  }

  private Optional<String> endpointProblem() {
    if (endpointUrl == null || endpointUrl.isBlank()) {
      return Optional.of("must be set, e.g. opc.tcp://host:4840");
    }
    if (!endpointUrl.startsWith("opc.tcp://")) {
      return Optional.of("must start with opc.tcp://, got " + quoted(endpointUrl));
    }
    try {
      URI uri = new URI(endpointUrl);
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        return Optional.of("has no host, got " + quoted(endpointUrl));
      }
    } catch (URISyntaxException e) {
      return Optional.of("is not a URL (" + e.getReason() + "): " + quoted(endpointUrl));
    }
    return Optional.empty();
  }

  private void identityProblems(List<String> p) {
    if (identity == null) {
      p.add("identity: must be set (Anonymous, UserPassword or X509)");
    } else if (identity instanceof Identity.UserPassword up) {
      if (up.user() == null || up.user().isBlank()) {
        p.add("identity.user: must not be empty");
      }
      if (up.password() == null) {
        p.add("identity.password: must be set");
      }
    } else if (identity instanceof Identity.X509 x) {
      fileProblem(p, "identity.certificatePem", x.certificatePem());
      fileProblem(p, "identity.privateKeyPem", x.privateKeyPem());
    }
  }

  private static void fileProblem(List<String> p, String path, Path file) {
    if (file == null) {
      p.add(path + ": must be set");
    } else if (!Files.isReadable(file)) {
      p.add(path + ": cannot read " + file.toAbsolutePath());
    }
  }

  private static void signalProblems(List<String> p, String path, SignalSettings s) {
    NodeAddress a = s.address();
    if (a == null) {
      p.add(path + ": address must be set (a node id or a browse path)");
    } else {
      addressProblems(p, path, a);
    }
    signalSettingProblems(p, path, s);
  }

  private static void addressProblems(List<String> p, String path, NodeAddress a) {
    if (a instanceof NodeAddress.ById byId) {
      String problem = NodeIdText.problem(byId.nodeId());
      if (problem != null) {
        p.add(path + ": " + problem);
      }
    } else if (a instanceof NodeAddress.ByPath byPath) {
      if (byPath.namespaceUri() == null || byPath.namespaceUri().isBlank()) {
        p.add(path + ": namespaceUri must be set for a browse path");
      }
      if (byPath.browseNames() == null || byPath.browseNames().isEmpty()) {
        p.add(path + ": browseNames must not be empty");
      } else if (byPath.browseNames().stream().anyMatch(n -> n == null || n.isEmpty())) {
        p.add(path + ": browseNames must not contain empty names, got " + byPath.browseNames());
      }
      if (!byPath.elementNamespaces().isEmpty()
          && byPath.browseNames() != null
          && byPath.elementNamespaces().size() != byPath.browseNames().size()) {
        p.add(
            path
                + ": elementNamespaces must give one namespace (or \"\") per browse name, got "
                + byPath.elementNamespaces().size()
                + " for "
                + byPath.browseNames().size());
      }
    }
  }

  private static void signalSettingProblems(List<String> p, String path, SignalSettings s) {
    if (s.samplingInterval() == null) {
      p.add(path + ": samplingInterval must be set");
    } else if (s.samplingInterval().isNegative()) {
      p.add(
          path + ": samplingInterval must be >= 0, got " + Durations.format(s.samplingInterval()));
    }
    if (s.queueSize() < 1 || s.queueSize() > MAX_QUEUE_SIZE) {
      p.add(path + ": queueSize must be 1-" + MAX_QUEUE_SIZE + ", got " + s.queueSize());
    }
    Deadband d = s.deadband();
    if (d == null || d.kind() == null) {
      p.add(path + ": deadband must be set (Deadband.NONE for none)");
    } else if (!(d.value() >= 0) || Double.isInfinite(d.value())) {
      p.add(path + ": deadband value must be >= 0, got " + d.value());
    } else if (d.kind() == Deadband.Kind.PERCENT && d.value() > 100) {
      p.add(path + ": a percent deadband must be 0-100, got " + d.value());
    }
  }

  private static void positive(List<String> p, String name, Duration d) {
    if (d == null) {
      p.add(name + ": must be set");
    } else if (d.isNegative() || d.isZero()) {
      p.add(name + ": must be > 0, got " + Durations.format(d));
    } else if (d.toMillis() > Integer.MAX_VALUE) {
      p.add(name + ": must be at most " + Integer.MAX_VALUE + " ms, got " + Durations.format(d));
    }
  }

  private static String quoted(String s) {
    return s == null ? "nothing" : "'" + s + "'";
  }
}
