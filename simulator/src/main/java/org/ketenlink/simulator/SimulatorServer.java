package org.ketenlink.simulator;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS;
import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_USERNAME;
import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_X509;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ushort;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfigLimits;
import org.eclipse.milo.opcua.sdk.server.Session;
import org.eclipse.milo.opcua.sdk.server.SessionManager;
import org.eclipse.milo.opcua.sdk.server.identity.AnonymousIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.CompositeValidator;
import org.eclipse.milo.opcua.sdk.server.identity.IdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.UsernameIdentityValidator;
import org.eclipse.milo.opcua.sdk.server.identity.UsernameIdentityValidator.AuthenticationChallenge;
import org.eclipse.milo.opcua.sdk.server.identity.X509IdentityValidator;
import org.eclipse.milo.opcua.sdk.server.nodes.factories.NodeFactory;
import org.eclipse.milo.opcua.sdk.server.servicesets.Service;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.channel.EncodingLimits;
import org.eclipse.milo.opcua.stack.core.security.CertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.DefaultApplicationGroup;
import org.eclipse.milo.opcua.stack.core.security.DefaultCertificateManager;
import org.eclipse.milo.opcua.stack.core.security.DefaultServerCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.FileBasedCertificateQuarantine;
import org.eclipse.milo.opcua.stack.core.security.FileBasedTrustListManager;
import org.eclipse.milo.opcua.stack.core.security.MemoryCertificateStore;
import org.eclipse.milo.opcua.stack.core.security.RsaSha256CertificateFactory;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.security.TrustListManager;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.UaRequestMessageType;
import org.eclipse.milo.opcua.stack.core.types.UaResponseMessageType;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.eclipse.milo.opcua.stack.transport.server.OpcServerTransportFactory;
import org.eclipse.milo.opcua.stack.transport.server.ServiceRequestContext;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's OPC UA server shell: endpoints, security, users and PKI around an address space
 * supplied by a namespace factory, plus the faults a gateway must survive (PLC reboot, dropped
 * sessions, slow responses).
 *
 * <p>Endpoints live under {@code /ketenlink} for Basic256Sha256, Aes128_Sha256_RsaOaep and
 * Aes256_Sha256_RsaPss in Sign and SignAndEncrypt, plus SecurityPolicy None only when {@link
 * ServerSettings#allowInsecure()}. GetEndpoints always works over an unsecured channel, on the
 * endpoint URL itself and on {@code /ketenlink/discovery}, so clients can discover the secure
 * endpoints.
 *
 * <p>PKI under {@link ServerSettings#pkiDir()}: {@code own/simulator.p12} holds the application
 * instance certificate and key, generated on first use and reused afterwards ({@code
 * own/simulator.der} is the certificate alone, for clients to trust); {@code trusted/certs}, {@code
 * trusted/crl}, {@code issuer/certs} and {@code issuer/crl} are the trust list, watched so files
 * dropped in take effect at the next connection; {@code rejected/} receives refused client
 * certificates.
 *
 * <p>Lifecycle: {@link #start}, {@link #stop}, {@link #restart} and {@link #close} are serialised;
 * stop and close are idempotent, and every start reuses the same port and certificate but builds a
 * new {@link OpcUaServer} and a new namespace from the factory. All other methods may be called
 * from any thread at any time.
 *
 * <p>Threads: a running server owns a Netty event loop ({@code ketenlink-sim-io-*}), a worker pool
 * ({@code ketenlink-sim-worker-*}) and a timer pool ({@code ketenlink-sim-timer-*}), all shut down
 * by {@link #stop}. Milo adds its trust-list watcher and shared wheel timer ({@code milo-*}).
 */
final class SimulatorServer implements AutoCloseable {

  static final String APPLICATION_URI = "urn:ketenlink:simulator";
  static final String PRODUCT_URI = "https://ketenlink.org/simulator";

  private static final Logger LOG = LoggerFactory.getLogger(SimulatorServer.class);

  private static final String PATH = "/ketenlink";
  // OPC UA Part 6: an unsecured discovery address is the base address plus "/discovery"; Milo
  // serves only the Discovery service set there and leaves it out of GetEndpoints results.
  private static final String DISCOVERY_PATH = PATH + "/discovery";
  private static final List<SecurityPolicy> SECURE_POLICIES =
      List.of(
          SecurityPolicy.Basic256Sha256,
          SecurityPolicy.Aes128_Sha256_RsaOaep,
          SecurityPolicy.Aes256_Sha256_RsaPss);
  private static final List<MessageSecurityMode> SECURE_MODES =
      List.of(MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt);

  // Protects nothing: the store only holds the simulator's self-signed test identity, and PKCS12
  // merely requires some password.
  private static final char[] KEY_STORE_PASSWORD = "ketenlink-simulator".toCharArray();
  private static final String KEY_ALIAS = "application";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  // Connecting stays fast while responses are slow, so "slow server" remains distinct from
  // "unreachable server".
  private static final Set<Service> NEVER_DELAYED =
      EnumSet.of(
          Service.DISCOVERY_FIND_SERVERS,
          Service.DISCOVERY_FIND_SERVERS_ON_NETWORK,
          Service.DISCOVERY_GET_ENDPOINTS,
          Service.DISCOVERY_REGISTER_SERVER,
          Service.DISCOVERY_REGISTER_SERVER_2,
          Service.SECURE_CHANNEL_OPEN_SECURE_CHANNEL,
          Service.SECURE_CHANNEL_CLOSE_SECURE_CHANNEL,
          Service.SESSION_CREATE_SESSION,
          Service.SESSION_ACTIVATE_SESSION,
          Service.SESSION_CLOSE_SESSION,
          Service.SESSION_CANCEL);

  private static final List<NodeId> SESSION_DIAGNOSTICS_TYPES =
      List.of(
          NodeIds.SessionDiagnosticsObjectType,
          NodeIds.SessionDiagnosticsVariableType,
          NodeIds.SessionSecurityDiagnosticsType,
          NodeIds.SubscriptionDiagnosticsType);

  private static final long STOP_TIMEOUT_MS = 5_000;

  private final ServerSettings settings;
  private final Function<OpcUaServer, ManagedNamespaceWithLifecycle> namespaceFactory;
  private final Set<String> reported = ConcurrentHashMap.newKeySet();
  private final Object identityLock = new Object();

  private volatile int port;
  private volatile Duration responseDelay = Duration.ZERO;
  private volatile Running running;
  private ApplicationIdentity identity; // guarded by identityLock

  SimulatorServer(
      ServerSettings settings,
      Function<OpcUaServer, ManagedNamespaceWithLifecycle> namespaceFactory) {
    this.settings = settings;
    this.namespaceFactory = namespaceFactory;
    this.port = settings.port();
  }

  /**
   * Builds a new {@link OpcUaServer}, starts a namespace from the factory on it and binds; returns
   * once the server accepts connections.
   *
   * @throws IllegalStateException if already running or the server cannot start, e.g. because the
   *     port is taken; nothing is left running then
   */
  synchronized void start() {
    if (running != null) {
      throw new IllegalStateException("OPC UA server already running on port " + port);
    }
    // Aes256_Sha256_RsaPss signs with "SHA256withRSA/PSS", an algorithm name only BouncyCastle
    // provides.
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Security.addProvider(new BouncyCastleProvider());
    }
    // Milo 1.1.2 caches instance-declaration hierarchies JVM-wide. Creating a session's
    // diagnostics nodes while the previous instance shut down leaves a broken entry behind, and
    // every CreateSession on later instances then logs an NPE and gets no diagnostics nodes.
    SESSION_DIAGNOSTICS_TYPES.forEach(NodeFactory::invalidateCachedIdh);
    if (port == 0) {
      port = probeListen(0);
    } else {
      probeListen(port);
    }

    Running next = new Running();
    try {
      ApplicationIdentity id = identity();
      next.trustList = FileBasedTrustListManager.createAndInitialize(settings.pkiDir());
      CertificateQuarantine quarantine =
          new ReportingQuarantine(FileBasedCertificateQuarantine.create(rejectedDir()));
      OpcUaServerConfig config = serverConfig(id, next, quarantine);
      next.server = new FaultableOpcUaServer(config, transports(next), () -> responseDelay, next);
      next.namespace = namespaceFactory.apply(next.server);
      next.namespace.startup();
      next.server.startup().get();
      int bound = next.server.getBoundEndpoints().size();
      if (bound != config.getEndpoints().size()) {
        throw new IllegalStateException(
            "bound only " + bound + " of " + config.getEndpoints().size() + " endpoints");
      }
    } catch (Exception e) {
      next.close();
      Throwable cause = unwrap(e);
      throw new IllegalStateException(
          "OPC UA server could not start on "
              + settings.bindAddress()
              + ":"
              + port
              + ": "
              + cause.getMessage(),
          cause);
    }
    running = next;
    LOG.info("OPC UA server listening on {} [{}]", endpointUrls(), securityPolicies());
  }

  /** Stops the server, closing every connection and releasing the port before returning. */
  synchronized void stop() {
    Running current = running;
    if (current == null) {
      return;
    }
    running = null;
    current.close();
    LOG.info("OPC UA server on port {} stopped", port);
  }

  /**
   * Simulates a PLC reboot: stops, stays down for {@code downtime}, then starts a new server and
   * namespace on the same port with the same certificate. Sessions and subscriptions of the old
   * instance are gone, so clients must create new ones. If interrupted while down, the server stays
   * down and the interrupt flag is kept.
   */
  synchronized void restart(Duration downtime) {
    if (downtime.isNegative()) {
      throw new IllegalArgumentException("downtime must not be negative: " + downtime);
    }
    LOG.info("Simulating a PLC reboot: OPC UA server down for {}", downtime);
    stop();
    try {
      Thread.sleep(downtime.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("Interrupted during simulated reboot; OPC UA server stays down");
      return;
    }
    start();
  }

  /**
   * Closes every session and every client connection, as a PLC does when it times sessions out
   * after a network glitch. Subscriptions are kept so clients may transfer them to a new session
   * (use {@link #restart} to lose them). No effect while stopped.
   */
  void dropAllSessions() {
    Running current = running;
    if (current == null) {
      return;
    }
    SessionManager sessions = current.server.getSessionManager();
    List<Session> all = sessions.getAllSessions();
    all.forEach(session -> sessions.killSession(session.getSessionId(), false));
    List<Channel> connections = List.copyOf(current.connections);
    connections.forEach(Channel::close);
    LOG.info("Dropped {} sessions and {} connections", all.size(), connections.size());
  }

  /**
   * Delays the response of every service except discovery, secure channel and session services by
   * {@code delay}; {@link Duration#ZERO} turns the fault off. Applies to requests arriving from now
   * on and survives restarts.
   */
  void setResponseDelay(Duration delay) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("response delay must not be negative: " + delay);
    }
    responseDelay = delay;
    LOG.info("OPC UA response delay set to {} ms", delay.toMillis());
  }

  /** The TCP port; {@code 0} only before the first start when the settings asked for any port. */
  int port() {
    return port;
  }

  /** The URLs clients connect to; the unsecured discovery URL is not listed. */
  List<String> endpointUrls() {
    return List.of("opc.tcp://" + settings.hostname() + ":" + port + PATH);
  }

  /** Offered security as {@code Policy/Mode} (or {@code None}), for the startup banner. */
  List<String> securityPolicies() {
    List<String> offered = new ArrayList<>();
    for (SecurityPolicy policy : SECURE_POLICIES) {
      for (MessageSecurityMode mode : SECURE_MODES) {
        offered.add(policy.name() + "/" + mode.name());
      }
    }
    if (settings.allowInsecure()) {
      offered.add("None");
    }
    return List.copyOf(offered);
  }

  /** The application instance certificate, created in {@link #pkiDir()} on first use. */
  X509Certificate certificate() {
    return identity().certificate();
  }

  Path pkiDir() {
    return settings.pkiDir();
  }

  /**
   * Adds {@code cert} to the trust list (and removes it from the rejected ones); it takes effect
   * for the next secure channel or X.509 user token. Works while stopped too.
   */
  void trustClientCertificate(X509Certificate cert) {
    Running current = running;
    if (current != null) {
      current.trustList.addTrustedCertificate(cert);
    } else {
      try (FileBasedTrustListManager trustList =
          FileBasedTrustListManager.createAndInitialize(settings.pkiDir())) {
        trustList.addTrustedCertificate(cert);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write to trust list in " + settings.pkiDir(), e);
      }
    }
    rejectedQuarantine().removeRejectedCertificate(cert);
    LOG.info(
        "Trusted client certificate '{}' (SHA-1 {})",
        cert.getSubjectX500Principal().getName(),
        thumbprint(cert));
  }

  /** The client certificates currently in {@code rejected/}. */
  List<X509Certificate> rejectedClientCertificates() {
    return rejectedQuarantine().getRejectedCertificates();
  }

  boolean isRunning() {
    return running != null;
  }

  /**
   * The current server instance; a new one after each start.
   *
   * @throws IllegalStateException while stopped
   */
  OpcUaServer opcUaServer() {
    Running current = running;
    if (current == null) {
      throw new IllegalStateException("OPC UA server is not running");
    }
    return current.server;
  }

  /** Same as {@link #stop}. */
  @Override
  public void close() {
    stop();
  }

  private OpcUaServerConfig serverConfig(
      ApplicationIdentity id, Running next, CertificateQuarantine quarantine) throws Exception {
    var validator = new DefaultServerCertificateValidator(next.trustList, quarantine);
    var factory =
        new RsaSha256CertificateFactory() {
          @Override
          protected KeyPair createRsaSha256KeyPair() {
            return id.keyPair();
          }

          @Override
          protected X509Certificate[] createRsaSha256CertificateChain(KeyPair keyPair) {
            return new X509Certificate[] {id.certificate()};
          }
        };
    var group =
        DefaultApplicationGroup.createAndInitialize(
            next.trustList, new MemoryCertificateStore(), factory, validator);

    return OpcUaServerConfig.builder()
        .setApplicationUri(APPLICATION_URI)
        .setProductUri(PRODUCT_URI)
        .setApplicationName(LocalizedText.english(settings.applicationName()))
        .setBuildInfo(
            new BuildInfo(
                PRODUCT_URI,
                "Ketenlink",
                "Ketenlink Fieldlab Simulator",
                Optional.ofNullable(SimulatorServer.class.getPackage().getImplementationVersion())
                    .orElse("dev"),
                "",
                DateTime.now()))
        .setEndpoints(endpoints(id.certificate()))
        .setCertificateManager(new DefaultCertificateManager(quarantine, group))
        .setIdentityValidator(identityValidator(next.trustList))
        .setLimits(new SimulatorLimits())
        // 8 MiB lets big CreateMonitoredItems and Write batches in; responses still honour each
        // client's own maximum message size.
        .setEncodingLimits(
            new EncodingLimits(
                EncodingLimits.DEFAULT_MAX_CHUNK_SIZE,
                (8 * 1024 * 1024 / EncodingLimits.DEFAULT_MAX_CHUNK_SIZE) * 2,
                8 * 1024 * 1024,
                EncodingLimits.DEFAULT_MAX_RECURSION_DEPTH))
        .setExecutor(next.workers)
        .setScheduledExecutor(next.timer)
        .build();
  }

  private Set<EndpointConfig> endpoints(X509Certificate certificate) {
    EndpointConfig.Builder base =
        EndpointConfig.newBuilder()
            .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
            .setBindAddress(settings.bindAddress())
            .setBindPort(port)
            .setHostname(settings.hostname())
            .setPath(PATH)
            .setCertificate(certificate)
            .addTokenPolicies(tokenPolicies());

    Set<EndpointConfig> endpoints = new LinkedHashSet<>();
    for (SecurityPolicy policy : SECURE_POLICIES) {
      for (MessageSecurityMode mode : SECURE_MODES) {
        endpoints.add(base.copy().setSecurityPolicy(policy).setSecurityMode(mode).build());
      }
    }
    EndpointConfig.Builder unsecured =
        base.copy()
            .setSecurityPolicy(SecurityPolicy.None)
            .setSecurityMode(MessageSecurityMode.None);
    if (settings.allowInsecure()) {
      endpoints.add(unsecured.copy().build());
    }
    endpoints.add(unsecured.copy().setPath(DISCOVERY_PATH).build());
    return endpoints;
  }

  private UserTokenPolicy[] tokenPolicies() {
    List<UserTokenPolicy> policies = new ArrayList<>();
    if (settings.allowAnonymous()) {
      policies.add(USER_TOKEN_POLICY_ANONYMOUS);
    }
    if (!settings.users().isEmpty()) {
      policies.add(USER_TOKEN_POLICY_USERNAME);
    }
    policies.add(USER_TOKEN_POLICY_X509);
    return policies.toArray(new UserTokenPolicy[0]);
  }

  private IdentityValidator identityValidator(TrustListManager trustList) {
    List<IdentityValidator> validators = new ArrayList<>();
    if (settings.allowAnonymous()) {
      validators.add(AnonymousIdentityValidator.INSTANCE);
    }
    if (!settings.users().isEmpty()) {
      validators.add(new UsernameIdentityValidator(this::authenticate));
    }
    validators.add(
        new X509IdentityValidator(cert -> trustList.getTrustedCertificates().contains(cert)));
    return new CompositeValidator(validators);
  }

  private boolean authenticate(AuthenticationChallenge challenge) {
    String expected = settings.users().get(challenge.getUsername());
    // MessageDigest.isEqual takes the same time wherever the first difference is, so a guess's
    // correct prefix is not observable; an unknown user still pays for one comparison.
    boolean matches =
        MessageDigest.isEqual(
                challenge.getPassword().getBytes(UTF_8),
                (expected != null ? expected : "\0").getBytes(UTF_8))
            && expected != null;
    if (!matches) {
      reportOnce(
          "user:" + challenge.getUsername(),
          "Refused login of OPC UA user '{}': unknown user or wrong password",
          challenge.getUsername());
    }
    return matches;
  }

  private OpcServerTransportFactory transports(Running next) {
    OpcTcpServerTransportConfig config =
        OpcTcpServerTransportConfig.newBuilder()
            .setExecutor(next.workers)
            .setEventLoop(next.eventLoop)
            .setChannelPipelineCustomizer(
                pipeline -> {
                  Channel channel = pipeline.channel();
                  next.connections.add(channel);
                  channel.closeFuture().addListener(f -> next.connections.remove(channel));
                })
            .build();
    return profile -> new OpcTcpServerTransport(config);
  }

  /** Binds and releases {@code port} (0 = any) to turn "address in use" into a clear error. */
  private int probeListen(int wanted) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(settings.bindAddress(), wanted));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(
          "OPC UA server cannot listen on "
              + settings.bindAddress()
              + ":"
              + wanted
              + " ("
              + e.getMessage()
              + "); is another server using the port?",
          e);
    }
  }

  private ApplicationIdentity identity() {
    synchronized (identityLock) {
      if (identity == null) {
        identity = loadOrCreateIdentity();
      }
      return identity;
    }
  }

  private ApplicationIdentity loadOrCreateIdentity() {
    Path own = settings.pkiDir().resolve("own");
    Path store = own.resolve("simulator.p12");
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      if (Files.exists(store)) {
        try (InputStream in = Files.newInputStream(store)) {
          keyStore.load(in, KEY_STORE_PASSWORD);
        }
        Key key = keyStore.getKey(KEY_ALIAS, KEY_STORE_PASSWORD);
        X509Certificate cert = (X509Certificate) keyStore.getCertificate(KEY_ALIAS);
        if (!(key instanceof PrivateKey privateKey) || cert == null) {
          throw new IllegalStateException("no key entry '" + KEY_ALIAS + "'");
        }
        return new ApplicationIdentity(new KeyPair(cert.getPublicKey(), privateKey), cert);
      }

      ApplicationIdentity created = createIdentity();
      keyStore.load(null, KEY_STORE_PASSWORD);
      keyStore.setKeyEntry(
          KEY_ALIAS,
          created.keyPair().getPrivate(),
          KEY_STORE_PASSWORD,
          new X509Certificate[] {created.certificate()});
      Files.createDirectories(own);
      Path partial = Files.createTempFile(own, "simulator", ".p12.tmp");
      try (OutputStream out = Files.newOutputStream(partial)) {
        keyStore.store(out, KEY_STORE_PASSWORD);
      }
      Files.move(partial, store, StandardCopyOption.ATOMIC_MOVE);
      Files.write(own.resolve("simulator.der"), created.certificate().getEncoded());
      LOG.info(
          "Created application instance certificate {} (SHA-1 {})",
          store,
          thumbprint(created.certificate()));
      return created;
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot read or create the server certificate "
              + store
              + " ("
              + e.getMessage()
              + "); delete it to generate a new one",
          e);
    }
  }

  private ApplicationIdentity createIdentity() throws Exception {
    KeyPair keyPair = SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
    var builder =
        new SelfSignedCertificateBuilder(keyPair)
            .setCommonName(settings.applicationName())
            .setOrganization("Ketenlink")
            .setApplicationUri(APPLICATION_URI)
            .setValidityPeriod(Period.ofYears(10))
            .addDnsName("localhost")
            .addIpAddress("127.0.0.1");
    Set<String> names = new LinkedHashSet<>(List.of(settings.hostname(), settings.bindAddress()));
    names.removeAll(Set.of("localhost", "127.0.0.1", "0.0.0.0", "::", ""));
    for (String name : names) {
      if (IPV4.matcher(name).matches() || name.contains(":")) {
        builder.addIpAddress(name);
      } else {
        builder.addDnsName(name);
      }
    }
    return new ApplicationIdentity(keyPair, builder.build());
  }

  private Path rejectedDir() {
    return settings.pkiDir().resolve("rejected");
  }

  private FileBasedCertificateQuarantine rejectedQuarantine() {
    try {
      return FileBasedCertificateQuarantine.create(rejectedDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + rejectedDir(), e);
    }
  }

  /**
   * Logs at WARN the first time per key, then at DEBUG, so a retrying client cannot flood the log;
   * keys are bounded because usernames come from unauthenticated peers.
   */
  private void reportOnce(String key, String format, Object... args) {
    if (reported.size() < 1_000 && reported.add(key)) {
      LOG.warn(format, args);
    } else {
      LOG.debug(format, args);
    }
  }

  private static String thumbprint(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(CertificateUtil.thumbprint(cert).bytesOrEmpty());
    } catch (UaException e) {
      return "unknown";
    }
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private record ApplicationIdentity(KeyPair keyPair, X509Certificate certificate) {}

  /** Everything one server instance owns; closed as a unit by stop or a failed start. */
  private static final class Running {

    final Set<Channel> connections = ConcurrentHashMap.newKeySet();
    final EventLoopGroup eventLoop =
        new NioEventLoopGroup(
            Runtime.getRuntime().availableProcessors(), threads("ketenlink-sim-io-"));
    // Unbounded like Milo's own default pool: the SDK parks pool threads waiting on other pool
    // tasks, so a bounded pool can deadlock under load.
    final ExecutorService workers = Executors.newCachedThreadPool(threads("ketenlink-sim-worker-"));
    final ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            threads("ketenlink-sim-timer-"));

    FileBasedTrustListManager trustList;
    OpcUaServer server;
    ManagedNamespaceWithLifecycle namespace;

    Running() {
      timer.setRemoveOnCancelPolicy(true);
      timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    void close() {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_TIMEOUT_MS);
      if (server != null) {
        // Unbinds the listener synchronously and deletes all subscriptions.
        server.shutdown().join();
      }
      if (namespace != null) {
        try {
          namespace.shutdown();
        } catch (RuntimeException e) {
          LOG.warn("Namespace failed to shut down cleanly", e);
        }
      }
      List.copyOf(connections).forEach(Channel::close);
      for (Channel channel : List.copyOf(connections)) {
        channel.closeFuture().awaitUninterruptibly(remainingMillis(deadline));
      }
      eventLoop
          .shutdownGracefully(0, STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(remainingMillis(deadline));
      timer.shutdownNow();
      workers.shutdown();
      try {
        if (!workers.awaitTermination(remainingMillis(deadline), TimeUnit.MILLISECONDS)) {
          workers.shutdownNow();
        }
      } catch (InterruptedException e) {
        workers.shutdownNow();
        Thread.currentThread().interrupt();
      }
      if (trustList != null) {
        try {
          trustList.close();
        } catch (IOException e) {
          LOG.warn("Trust list watcher failed to stop", e);
        }
      }
    }

    private static long remainingMillis(long deadlineNanos) {
      return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }
  }

  /**
   * The response-delay hook. Milo dispatches each request through {@code getServiceHandler(path,
   * service)}; overriding that one protected lookup wraps the handler in an asynchronous one that
   * completes the response after the delay, without blocking a worker thread and without touching
   * the transport, the encoding or the service sets. With no delay the original handler is returned
   * unchanged.
   */
  private static final class FaultableOpcUaServer extends OpcUaServer {

    private final Supplier<Duration> delay;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;

    FaultableOpcUaServer(
        OpcUaServerConfig config,
        OpcServerTransportFactory transports,
        Supplier<Duration> delay,
        Running owner) {
      super(config, transports);
      this.delay = delay;
      this.timer = owner.timer;
      this.workers = owner.workers;
    }

    @Override
    protected ServiceHandler getServiceHandler(String path, Service service) {
      ServiceHandler handler = super.getServiceHandler(path, service);
      Duration d = delay.get();
      if (handler == null || d.isZero() || NEVER_DELAYED.contains(service)) {
        return handler;
      }
      return (AsyncServiceHandler)
          (context, request) -> delayed(respond(handler, context, request), d);
    }

    private static CompletableFuture<UaResponseMessageType> respond(
        ServiceHandler handler, ServiceRequestContext context, UaRequestMessageType request) {
      if (handler instanceof AsyncServiceHandler async) {
        return async.handleAsync(context, request);
      }
      try {
        return CompletableFuture.completedFuture(handler.handle(context, request));
      } catch (UaException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    private CompletableFuture<UaResponseMessageType> delayed(
        CompletableFuture<UaResponseMessageType> response, Duration d) {
      var later = new CompletableFuture<UaResponseMessageType>();
      response.whenComplete(
          (value, failure) ->
              // Completed on a worker: the transport encodes and encrypts the response on the
              // completing thread, which must not be the shared timer.
              timer.schedule(
                  () ->
                      workers.execute(
                          () -> {
                            if (failure != null) {
                              later.completeExceptionally(failure);
                            } else {
                              later.complete(value);
                            }
                          }),
                  d.toNanos(),
                  TimeUnit.NANOSECONDS));
      return later;
    }
  }

  /** Milo's file quarantine plus one clear log line telling the operator how to trust the cert. */
  private final class ReportingQuarantine implements CertificateQuarantine {

    private final CertificateQuarantine files;

    ReportingQuarantine(CertificateQuarantine files) {
      this.files = files;
    }

    @Override
    public List<X509Certificate> getRejectedCertificates() {
      return files.getRejectedCertificates();
    }

    @Override
    public void addRejectedCertificate(X509Certificate certificate) {
      files.addRejectedCertificate(certificate);
      String thumbprint = thumbprint(certificate);
      reportOnce(
          "cert:" + thumbprint,
          "Refused untrusted client certificate '{}' (SHA-1 {}); to trust it, move {} into {}",
          certificate.getSubjectX500Principal().getName(),
          thumbprint,
          rejectedFile(certificate).map(Path::toString).orElse("it from " + rejectedDir()),
          settings.pkiDir().resolve("trusted").resolve("certs"));
    }

    @Override
    public void removeRejectedCertificate(X509Certificate certificate) {
      files.removeRejectedCertificate(certificate);
    }

    private Optional<Path> rejectedFile(X509Certificate certificate) {
      try (Stream<Path> entries = Files.list(rejectedDir())) {
        byte[] encoded = certificate.getEncoded();
        return entries.filter(file -> hasContent(file, encoded)).findFirst();
      } catch (Exception e) {
        return Optional.empty();
      }
    }

    private static boolean hasContent(Path file, byte[] content) {
      try {
        return Files.size(file) == content.length
            && Arrays.equals(Files.readAllBytes(file), content);
      } catch (IOException e) {
        return false;
      }
    }
  }

  private static final class SimulatorLimits implements OpcUaServerConfigLimits {

    @Override
    public UInteger getMaxSessions() {
      return uint(200);
    }

    @Override
    public Double getMinPublishingInterval() {
      return 10.0;
    }

    // Milo revises requests below the minimum to this value rather than to the minimum.
    @Override
    public Double getDefaultPublishingInterval() {
      return 100.0;
    }

    @Override
    public UInteger getMaxSubscriptions() {
      return uint(10_000);
    }

    @Override
    public UInteger getMaxSubscriptionsPerSession() {
      return uint(1_000);
    }

    // Load mode: at least 200k items in total; one gateway session may hold most of them.
    @Override
    public UInteger getMaxMonitoredItems() {
      return uint(1_000_000);
    }

    @Override
    public UInteger getMaxMonitoredItemsPerSession() {
      return uint(500_000);
    }

    @Override
    public UInteger getMaxMonitoredItemsPerCall() {
      return uint(10_000);
    }

    @Override
    public UInteger getMaxNodesPerRead() {
      return uint(10_000);
    }

    @Override
    public UInteger getMaxNodesPerWrite() {
      return uint(10_000);
    }

    @Override
    public UInteger getMaxNodesPerBrowse() {
      return uint(1_000);
    }

    @Override
    public UShort getMaxBrowseContinuationPoints() {
      return ushort(1_000);
    }
  }
}
