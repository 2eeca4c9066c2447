package org.ketenlink.connectors.mqtt;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.ketenlink.connectors.api.Message;

/**
 * How an {@link MqttLink} reaches its broker. Immutable; every setting is checked when the record
 * is created and all problems are reported together. Start from {@link #builder(String, String)},
 * which holds the defaults.
 *
 * @param id link id, used in logs and thread names: 1-64 letters, digits, {@code . _ -}
 * @param serverUri {@code tcp://host:port} or {@code ssl://host:port} (default ports 1883 / 8883)
 * @param clientId MQTT client id; must be unique on the broker, or two links take the session from
 *     each other in turn
 * @param username MQTT user name
 * @param password MQTT password, already resolved by the caller; never logged, hidden in {@link
 *     #toString()}
 * @param tls required for {@code ssl://}, not allowed for {@code tcp://}
 * @param maxInFlight the configured window of unacknowledged publishes; the link uses the smaller
 *     of this and the broker's Receive Maximum
 * @param queueCapacity messages accepted and not yet sent; a full queue refuses further messages
 * @param keepAlive MQTT keep-alive, whole seconds; zero switches it off
 * @param connectTimeout how long one connect attempt (TCP, TLS, CONNECT/CONNACK) may take, whole
 *     seconds
 * @param reconnectMinDelay first back-off delay after a failed attempt or a lost connection
 * @param reconnectMaxDelay the back-off doubles up to this delay
 * @param birth published after every successful connect, before any queued message; normally
 *     retained, e.g. an "online" status
 * @param will the MQTT 5 Last Will, sent by the broker when the connection ends without a clean
 *     disconnect; normally retained, e.g. an "offline" status
 */
public record MqttLinkSettings(
    String id,
    String serverUri,
    String clientId,
    Optional<String> username,
    Optional<String> password,
    Optional<TlsSettings> tls,
    int maxInFlight,
    int queueCapacity,
    Duration keepAlive,
    Duration connectTimeout,
    Duration reconnectMinDelay,
    Duration reconnectMaxDelay,
    Optional<Message> birth,
    Optional<Message> will) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int MAX_QUEUE_CAPACITY = 1_000_000;

  /**
   * @throws IllegalArgumentException listing every invalid setting
   */
  public MqttLinkSettings {
    List<String> problems = connectionProblems(id, serverUri, clientId, username, password, tls);
    problems.addAll(
        numericProblems(
            maxInFlight,
            queueCapacity,
            keepAlive,
            connectTimeout,
            reconnectMinDelay,
            reconnectMaxDelay));
    messageProblem("birth", birth).ifPresent(problems::add);
    messageProblem("will", will).ifPresent(problems::add);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid MQTT link settings"
              + (id == null ? "" : " for link '" + id + "'")
              + ":\n  - "
              + String.join("\n  - ", problems));
    }
  }

  /** Starts settings for link {@code id} to {@code serverUri} with the defaults. */
  public static Builder builder(String id, String serverUri) {
    return new Builder(id, serverUri);
  }

  /** Hides the password. */
  @Override
  public String toString() {
    return "MqttLinkSettings[id="
        + id
        + ", serverUri="
        + serverUri
        + ", clientId="
        + clientId
        + ", username="
        + username.orElse("(none)")
        + ", password="
        + (password.isPresent() ? "(set)" : "(none)")
        + ", tls="
        + tls.map(TlsSettings::toString).orElse("(none)")
        + ", maxInFlight="
        + maxInFlight
        + ", queueCapacity="
        + queueCapacity
        + ", keepAlive="
        + keepAlive
        + ", connectTimeout="
        + connectTimeout
        + ", reconnectDelay="
        + reconnectMinDelay
        + ".."
        + reconnectMaxDelay
        + ", birth="
        + birth.map(Message::topic).orElse("(none)")
        + ", will="
        + will.map(Message::topic).orElse("(none)")
        + "]";
  }

  private static List<String> connectionProblems(
      String id,
      String serverUri,
      String clientId,
      Optional<String> username,
      Optional<String> password,
      Optional<TlsSettings> tls) {
    List<String> problems = new ArrayList<>();
    if (id == null || !ID.matcher(id).matches()) {
      problems.add("id: must be 1-64 letters, digits, '.', '_' or '-', was " + quoted(id));
    }
    String scheme = null;
    if (serverUri == null || serverUri.isBlank()) {
      problems.add("serverUri: must be set, e.g. ssl://broker.example:8883");
    } else {
      try {
        URI uri = new URI(serverUri);
        scheme = uri.getScheme();
        if (!"tcp".equals(scheme) && !"ssl".equals(scheme)) {
          problems.add("serverUri: must start with tcp:// or ssl://, was " + quoted(serverUri));
        } else if (uri.getHost() == null || uri.getHost().isEmpty()) {
          problems.add("serverUri: has no host name, was " + quoted(serverUri));
        } else if (uri.getPort() == 0 || uri.getPort() > 65_535) {
          problems.add("serverUri: port must be 1-65535, was " + quoted(serverUri));
        } else if (!(uri.getRawPath() == null || uri.getRawPath().isEmpty())
            || uri.getRawQuery() != null) {
          problems.add(
              "serverUri: must be scheme://host:port with no path, was " + quoted(serverUri));
        }
      } catch (URISyntaxException e) {
        problems.add("serverUri: not a URI (" + e.getReason() + "), was " + quoted(serverUri));
      }
    }
    if (clientId == null || clientId.isBlank() || clientId.length() > 256) {
      problems.add("clientId: must be 1-256 characters, was " + quoted(clientId));
    }
    if (username == null) {
      problems.add("username: must not be null (use Optional.empty())");
    } else if (username.filter(String::isEmpty).isPresent()) {
      problems.add("username: must not be empty when set");
    }
    if (password == null) {
      problems.add("password: must not be null (use Optional.empty())");
    }
    if (tls == null) {
      problems.add("tls: must not be null (use Optional.empty())");
    } else if ("ssl".equals(scheme) && tls.isEmpty()) {
      problems.add(
          "tls: required for an ssl:// server URI (which CA signs the broker certificate?)");
    } else if ("tcp".equals(scheme) && tls.isPresent()) {
      problems.add("tls: set, but serverUri is tcp:// (use ssl:// to connect with TLS)");
    }
    if (tls != null) {
      tls.ifPresent(t -> problems.addAll(tlsProblems(t)));
    }
    return problems;
  }

  private static List<String> tlsProblems(TlsSettings tls) {
    List<String> problems = new ArrayList<>();
    fileProblem("tls.caCertificate", tls.caCertificate()).ifPresent(problems::add);
    if (tls.clientCertificate().isPresent() != tls.clientKey().isPresent()) {
      problems.add(
          tls.clientCertificate().isPresent()
              ? "tls.clientKey: required with tls.clientCertificate"
              : "tls.clientCertificate: required with tls.clientKey");
    }
    tls.clientCertificate()
        .flatMap(p -> fileProblem("tls.clientCertificate", p))
        .ifPresent(problems::add);
    tls.clientKey().flatMap(p -> fileProblem("tls.clientKey", p)).ifPresent(problems::add);
    return problems;
  }

  private static Optional<String> fileProblem(String setting, Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.of(setting + ": no such file: " + file.toAbsolutePath());
    }
    if (!Files.isReadable(file)) {
      return Optional.of(setting + ": cannot read " + file.toAbsolutePath());
    }
    return Optional.empty();
  }

  private static List<String> numericProblems(
      int maxInFlight,
      int queueCapacity,
      Duration keepAlive,
      Duration connectTimeout,
      Duration reconnectMinDelay,
      Duration reconnectMaxDelay) {
    List<String> problems = new ArrayList<>();
    if (maxInFlight < 1 || maxInFlight > 65_535) {
      problems.add("maxInFlight: must be 1-65535, was " + maxInFlight);
    }
    if (queueCapacity < 1 || queueCapacity > MAX_QUEUE_CAPACITY) {
      problems.add("queueCapacity: must be 1-" + MAX_QUEUE_CAPACITY + ", was " + queueCapacity);
    }
    if (!wholeSeconds(keepAlive, 0, 65_535)) {
      problems.add("keepAlive: must be whole seconds, 0-65535 s, was " + keepAlive);
    }
    if (!wholeSeconds(connectTimeout, 1, 3_600)) {
      problems.add("connectTimeout: must be whole seconds, 1-3600 s, was " + connectTimeout);
    }
    if (reconnectMinDelay == null
        || reconnectMinDelay.toMillis() < 1
        || reconnectMinDelay.compareTo(Duration.ofHours(1)) > 0) {
      problems.add("reconnectMinDelay: must be 1 ms to 1 h, was " + reconnectMinDelay);
    }
    if (reconnectMaxDelay == null || reconnectMaxDelay.compareTo(Duration.ofHours(1)) > 0) {
      problems.add("reconnectMaxDelay: must be at most 1 h, was " + reconnectMaxDelay);
    } else if (reconnectMinDelay != null && reconnectMaxDelay.compareTo(reconnectMinDelay) < 0) {
      problems.add(
          "reconnectMaxDelay: must not be less than reconnectMinDelay ("
              + reconnectMinDelay
              + "), was "
              + reconnectMaxDelay);
    }
    return problems;
  }

  private static boolean wholeSeconds(Duration d, long min, long max) {
    return d != null && d.getNano() == 0 && d.getSeconds() >= min && d.getSeconds() <= max;
  }

  private static Optional<String> messageProblem(String setting, Optional<Message> message) {
    if (message == null) {
      return Optional.of(setting + ": must not be null (use Optional.empty())");
    }
    return message.flatMap(m -> Topics.problem(m.topic()).map(p -> setting + ".topic: " + p));
  }

  private static String quoted(String s) {
    return s == null ? "null" : "'" + s + "'";
  }

  /** Settings with defaults; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private final String id;
    private final String serverUri;
    private String clientId;
    private Optional<String> username = Optional.empty();
    private Optional<String> password = Optional.empty();
    private Optional<TlsSettings> tls = Optional.empty();
    private int maxInFlight = 100;
    private int queueCapacity = 10_000;
    private Duration keepAlive = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration reconnectMinDelay = Duration.ofMillis(500);
    private Duration reconnectMaxDelay = Duration.ofSeconds(30);
    private Optional<Message> birth = Optional.empty();
    private Optional<Message> will = Optional.empty();

    private Builder(String id, String serverUri) {
      this.id = id;
      this.serverUri = serverUri;
      this.clientId = "ketenlink-" + id;
    }

    /** MQTT client id; default {@code ketenlink-<id>}. */
    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /** User name and password; the password is never logged. */
    public Builder credentials(String username, String password) {
      this.username = Optional.of(Objects.requireNonNull(username, "username"));
      this.password = Optional.of(Objects.requireNonNull(password, "password"));
      return this;
    }

    /** TLS, required for {@code ssl://}. */
    public Builder tls(TlsSettings tls) {
      this.tls = Optional.of(Objects.requireNonNull(tls, "tls"));
      return this;
    }

    /** The configured in-flight window; default 100. */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** Messages accepted and not yet sent; default 10 000. */
    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** Keep-alive; default 30 s. */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = keepAlive;
      return this;
    }

    /** Time allowed for one connect attempt; default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Reconnect back-off; default 0.5 s doubling up to 30 s. */
    public Builder reconnectDelay(Duration min, Duration max) {
      this.reconnectMinDelay = min;
      this.reconnectMaxDelay = max;
      return this;
    }

    /** Message published after every successful connect; none by default. */
    public Builder birth(Message birth) {
      this.birth = Optional.of(Objects.requireNonNull(birth, "birth"));
      return this;
    }

    /** MQTT 5 Last Will; none by default. */
    public Builder will(Message will) {
      this.will = Optional.of(Objects.requireNonNull(will, "will"));
      return this;
    }

    /**
     * @throws IllegalArgumentException listing every invalid setting
     */
    public MqttLinkSettings build() {
      return new MqttLinkSettings(
          id,
          serverUri,
          clientId,
          username,
          password,
          tls,
          maxInFlight,
          queueCapacity,
          keepAlive,
          connectTimeout,
          reconnectMinDelay,
          reconnectMaxDelay,
          birth,
          will);
    }
  }
}
