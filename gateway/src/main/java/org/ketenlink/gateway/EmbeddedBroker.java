package org.ketenlink.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.ketenlink.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default MQTT broker: HiveMQ Community Edition, in-process.
 *
 * <p>Ketenlink writes HiveMQ's whole configuration itself, on every start, into {@code
 * dataDir/broker/conf}: one listener on the configured address, file persistence in {@code
 * dataDir/broker/data}, no usage statistics, bounded packet sizes, queues, sessions and
 * connections. {@code dataDir/broker/extensions} must stay empty: the only extension is Ketenlink's
 * own, in-process {@link BrokerAuthenticator}, which enforces {@link BrokerAccess} when the
 * settings carry one (the gateway's always do).
 *
 * <p>Safety rule: a listener on anything but a loopback address needs TLS with client certificates
 * required. Without TLS the broker is the demo and development broker, and says so once at INFO.
 *
 * <p>Process-wide effects, all contained here: HiveMQ's logging bootstrap is switched off (it would
 * detach and re-attach the root appenders and install a JUL bridge), its chatty loggers are set to
 * WARN unless the logback configuration names them, the default uncaught-exception handler HiveMQ
 * installs while starting (it calls {@code System.exit} for its own fatal errors) is put back, its
 * JMX reporter is off, and its persistence shutdown grace period is shortened. HiveMQ prints
 * nothing to stdout or stderr itself; it does set the system property {@code hivemq.log.folder}. It
 * registers no JVM shutdown hook: whoever starts the broker must {@link #close()} it.
 *
 * <p>{@link #start} and {@link #close} block; neither may run on an event loop or callback thread.
 * Measured on a busy 2-vCPU machine: the first start in a JVM takes 2–3 s (class loading), later
 * starts 0.5–1 s; a stop takes 2.2–2.8 s, of which 2 s are a quiet period hard-coded in HiveMQ's
 * Netty shutdown (without the shortened grace period it took 4.2 s).
 */
final class EmbeddedBroker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedBroker.class);

  /** HiveMQ and the persistence libraries it brings log every step of start and stop at INFO. */
  private static final List<String> CHATTY_LOGGERS =
      List.of("com.hivemq", "jetbrains.exodus", "migrations", "oshi");

  /**
   * HiveMQ keeps accepting persistence tasks for this long after its shutdown began; the default of
   * 2 s is half of its stop time. When the persistence stops, HiveMQ has already closed its
   * listeners, its client connections and its extension system, so no late task can come.
   */
  private static final int PERSISTENCE_SHUTDOWN_GRACE_MILLIS = 200;

  /** A free port picked for port 0 can be taken by someone else before HiveMQ binds it. */
  private static final int FREE_PORT_ATTEMPTS = 3;

  /** Unacknowledged QoS 1 messages HiveMQ may have out to one subscriber. */
  static final int SUBSCRIBER_WINDOW = 1000;

  private final EmbeddedHiveMQ hivemq;
  private final String bindAddress;
  private final InetAddress address;
  private final int port;
  private final boolean tls;
  private final OptionalInt internalPort;
  private final Path confDir;
  private final Optional<BrokerAccess> access;
  private final Optional<BrokerAuthenticator> authenticator;
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedBroker(
      EmbeddedHiveMQ hivemq,
      String bindAddress,
      InetAddress address,
      int port,
      boolean tls,
      OptionalInt internalPort,
      Path confDir,
      Optional<BrokerAccess> access,
      Optional<BrokerAuthenticator> authenticator) {
    this.hivemq = hivemq;
    this.bindAddress = bindAddress;
    this.address = address;
    this.port = port;
    this.tls = tls;
    this.internalPort = internalPort;
    this.confDir = confDir;
    this.access = access;
    this.authenticator = authenticator;
  }

  /**
   * Writes the configuration, starts HiveMQ and returns once it listens.
   *
   * @throws IllegalArgumentException if the settings are unsafe (a non-loopback address without
   *     TLS) or the TLS files are unusable
   * @throws IllegalStateException if the port is taken, the data directory cannot be used, or
   *     HiveMQ fails to start
   */
  static EmbeddedBroker start(BrokerSettings settings) {
    InetAddress address = resolve(settings.bindAddress());
    if (!address.isLoopbackAddress() && settings.tls().isEmpty()) {
      throw new IllegalArgumentException(
          "embedded broker: bind address "
              + settings.bindAddress()
              + " is reachable from the network; beyond loopback the broker only listens with TLS"
              + " and required client certificates (broker.tls: certificate, privateKey,"
              + " clientCa)");
    }
    if (settings.port() != 0 && !isFree(address, settings.port())) {
      throw portTaken(settings.bindAddress(), settings.port());
    }
    quietChattyLoggers();
    Path root = settings.dataDir().resolve("broker");
    Path confDir = privateDirectory(root.resolve("conf"));
    Path dataDir = privateDirectory(root.resolve("data"));
    Path extensionsDir = emptyExtensionsDirectory(root.resolve("extensions"));
    tuneHiveMq();

    long started = System.nanoTime();
    try {
      Optional<BrokerKeyStores.Stores> stores =
          settings.tls().map(t -> BrokerKeyStores.write(t, confDir, new SecureRandom()));
      EmbeddedBroker broker = launch(settings, address, stores, confDir, dataDir, extensionsDir);
      if (stores.isPresent()) {
        log.info(
            "embedded broker on {} with TLS; clients need a certificate issued by {}",
            hostPort(settings.bindAddress(), broker.port),
            settings.tls().get().clientCa());
      } else {
        log.info(
            "embedded broker on {} without TLS — loopback only",
            hostPort(settings.bindAddress(), broker.port));
      }
      log.debug(
          "embedded broker started in {} ms",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return broker;
    } catch (RuntimeException e) {
      deleteKeyStoresQuietly(confDir);
      throw e;
    }
  }

  private static EmbeddedBroker launch(
      BrokerSettings settings,
      InetAddress address,
      Optional<BrokerKeyStores.Stores> stores,
      Path confDir,
      Path dataDir,
      Path extensionsDir) {
    for (int attempt = 1; ; attempt++) {
      int port = settings.port() == 0 ? freePort(address) : settings.port();
      OptionalInt internalPort =
          stores.isPresent()
              ? OptionalInt.of(freePort(InetAddress.getLoopbackAddress()))
              : OptionalInt.empty();
      String xml =
          HiveMqConfigXml.render(
              settings.bindAddress(), port, stores, settings.maxQueuedMessages(), internalPort);
      HiveMqConfigXml.validate(xml);
      writePrivateFile(confDir.resolve(HiveMqConfigXml.FILE_NAME), xml);

      EmbeddedHiveMQBuilder builder =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(confDir)
              .withDataFolder(dataDir)
              .withExtensionsFolder(extensionsDir)
              .withoutLoggingBootstrap();
      Optional<BrokerAuthenticator> authenticator = settings.access().map(BrokerAuthenticator::of);
      authenticator.ifPresent(a -> builder.withEmbeddedExtension(a.extension()));
      EmbeddedHiveMQ hivemq = builder.build();
      Thread.UncaughtExceptionHandler handler = Thread.getDefaultUncaughtExceptionHandler();
      try {
        hivemq.start().join();
        return new EmbeddedBroker(
            hivemq,
            settings.bindAddress(),
            address,
            port,
            stores.isPresent(),
            internalPort,
            confDir,
            settings.access(),
            authenticator);
      } catch (CompletionException e) {
        stopQuietly(hivemq);
        if (isFree(address, port)) {
          throw new IllegalStateException(
              "embedded broker failed to start: " + e.getCause().getMessage(), e.getCause());
        }
        if (settings.port() != 0 || attempt == FREE_PORT_ATTEMPTS) {
          throw portTaken(settings.bindAddress(), port);
        }
        log.debug("free port {} was taken before the broker bound it; trying another", port);
      } finally {
        // HiveMQ installs a process-wide handler that calls System.exit for its own fatal
        // errors; what the process does with uncaught exceptions is the application's choice.
        Thread.setDefaultUncaughtExceptionHandler(handler);
      }
    }
  }

  /** Who may do what on this broker; empty for a test broker that lets everyone do everything. */
  Optional<BrokerAccess> access() {
    return access;
  }

  /** Applies changed partners (see {@link BrokerAuthenticator#updatePartners}). */
  void updatePartners(List<GatewayConfig.PartnerConfig> partners) {
    authenticator.ifPresent(
        a ->
            a.updatePartners(
                partners.stream()
                    .map(
                        p ->
                            new BrokerAccess.PartnerIdentity(
                                p.id(), p.certificateSubject(), p.certificateFingerprint()))
                    .toList()));
  }

  /** The port the listener is bound to, also when the settings asked for port 0. */
  int port() {
    return port;
  }

  /**
   * Where the gateway's own link connects: the plain loopback listener that exists next to a TLS
   * listener (the gateway has no client certificate for itself), else the one listener.
   */
  String localServerUri() {
    if (internalPort.isPresent()) {
      return "tcp://127.0.0.1:" + internalPort.getAsInt();
    }
    String host =
        bindAddress().equals("0.0.0.0") || bindAddress().equals("::") ? "127.0.0.1" : bindAddress();
    return "tcp://" + host + ":" + port;
  }

  /**
   * Where a client on this machine reaches the broker: {@code mqtt://} or {@code mqtts://}, the
   * bind address, or loopback when bound to all addresses.
   */
  String url() {
    String host;
    if (address.isAnyLocalAddress()) {
      host = address instanceof Inet6Address ? "::1" : "127.0.0.1";
    } else {
      host = address.getHostAddress();
    }
    return (tls ? "mqtts://" : "mqtt://") + hostPort(host, port);
  }

  String bindAddress() {
    return bindAddress;
  }

  /**
   * Stops HiveMQ, waiting until its persistence is closed and the port is free, and deletes the
   * generated key stores. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    long stopping = System.nanoTime();
    try {
      hivemq.close();
    } catch (ExecutionException e) {
      log.warn("embedded broker did not stop cleanly", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("interrupted while stopping the embedded broker; it may still be stopping");
    } finally {
      deleteKeyStoresQuietly(confDir);
    }
    log.debug(
        "embedded broker stopped in {} ms",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
  }

  @Override
  public String toString() {
    return "EmbeddedBroker[" + url() + "]";
  }

  private static InetAddress resolve(String bindAddress) {
    try {
      return InetAddress.getByName(bindAddress);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "embedded broker: bind address " + bindAddress + " cannot be resolved", e);
    }
  }

  /** Sets HiveMQ's loggers to WARN unless the logback configuration chose a level for them. */
  private static void quietChattyLoggers() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      for (String name : CHATTY_LOGGERS) {
        ch.qos.logback.classic.Logger logger = context.getLogger(name);
        if (logger.getLevel() == null) {
          logger.setLevel(Level.WARN);
        }
      }
    }
  }

  /**
   * HiveMQ reads these process-wide settings when it starts; every embedded broker in the process
   * wants the same values.
   */
  private static void tuneHiveMq() {
    InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.set(
        PERSISTENCE_SHUTDOWN_GRACE_MILLIS);
    // Ketenlink exports its own metrics; HiveMQ's reporter would register process-wide MBeans.
    InternalConfigurations.JMX_REPORTER_ENABLED.set(false);
    // HiveMQ sends a QoS 1 subscriber at most 50 messages, then waits for all 50 PUBACKs before
    // it fetches more (PublishPollServiceImpl, ClientConnection.getMaxInflightWindow). With a
    // client that leaves Nagle on, every round also waits ~40 ms: ~1 000 msg/s per subscriber.
    // A window of 1 000 lets a partner keep up with 10 000 msg/s; a client's smaller Receive
    // Maximum still wins. Internal HiveMQ settings: EmbeddedBrokerIT pins them.
    InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = SUBSCRIBER_WINDOW;
    InternalConfigurations.PUBLISH_POLL_BATCH_SIZE = SUBSCRIBER_WINDOW;
  }

  private static int freePort(InetAddress address) {
    try (ServerSocket socket = new ServerSocket(0, 1, address)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(
          "embedded broker: cannot open any port on " + address.getHostAddress(), e);
    }
  }

  /** Whether a listener could bind the port now; HiveMQ's Netty listener also reuses addresses. */
  private static boolean isFree(InetAddress address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(address, port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static IllegalStateException portTaken(String bindAddress, int port) {
    return new IllegalStateException(
        "embedded broker cannot listen on "
            + hostPort(bindAddress, port)
            + ": the port is in use (another MQTT broker, or a second gateway?)");
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static Path privateDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("embedded broker: cannot create " + dir + " (" + e + ")", e);
    }
  }

  private static Path emptyExtensionsDirectory(Path dir) {
    privateDirectory(dir);
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new IllegalStateException(
            "embedded broker: "
                + dir
                + " must be empty; Ketenlink runs HiveMQ without extensions, and one dropped"
                + " there could override its authentication");
      }
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException("embedded broker: cannot read " + dir + " (" + e + ")", e);
    }
  }

  private static void writePrivateFile(Path file, String content) {
    try {
      Files.deleteIfExists(file);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      }
      Files.writeString(file, content, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("embedded broker: cannot write " + file + " (" + e + ")", e);
    }
  }

  private static void stopQuietly(EmbeddedHiveMQ hivemq) {
    try {
      hivemq.close();
    } catch (ExecutionException e) {
      log.debug("HiveMQ did not stop cleanly after a failed start", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteKeyStoresQuietly(Path confDir) {
    try {
      BrokerKeyStores.delete(confDir);
    } catch (IOException e) {
      log.warn("could not delete the broker's key stores in {}", confDir, e);
    }
  }
}
