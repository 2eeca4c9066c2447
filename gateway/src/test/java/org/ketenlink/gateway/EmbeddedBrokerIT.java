package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * One test captures the console while the broker starts, and the console is the whole JVM's: it
 * runs last and holds {@link Timing#SENSITIVE}, so BrokerOutageIT, which runs beside the other
 * classes, cannot print into the capture.
 */
@Order(Timing.LAST)
@ResourceLock(Timing.SENSITIVE)
class EmbeddedBrokerIT {

  private static final long WAIT_MS = 10_000;

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnLoopbackWithoutTls {

    private Path dataDir;
    private EmbeddedBroker broker;
    private String startOutput;
    private Thread.UncaughtExceptionHandler handlerBefore;
    private List<String> rootAppendersBefore;

    @BeforeAll
    void start(@TempDir Path dir) {
      dataDir = dir;
      handlerBefore = Thread.getDefaultUncaughtExceptionHandler();
      rootAppendersBefore = rootAppenders();
      PrintStream out = System.out;
      PrintStream err = System.err;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
      System.setOut(capture);
      System.setErr(capture);
      try {
        broker = EmbeddedBroker.start(BrokerSettings.loopback(dataDir, 0));
      } finally {
        System.setOut(out);
        System.setErr(err);
      }
      startOutput = captured.toString(StandardCharsets.UTF_8);
    }

    @AfterAll
    void stop() {
      if (broker != null) {
        broker.close();
      }
    }

    @Test
    void port_zero_picks_a_free_port_that_the_url_names() throws Exception {
      assertThat(broker.port()).isPositive();
      assertThat(broker.url()).isEqualTo("mqtt://127.0.0.1:" + broker.port());
      assertThat(broker.bindAddress()).isEqualTo("127.0.0.1");
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", broker.port()), 2000);
      }
    }

    @Test
    void a_paho_v5_client_exchanges_qos1_retained_messages_with_user_properties() throws Exception {
      String topic = "ketenlink/v1/acme/site/area/line1/cnc1/data/spindleSpeed";
      Inbox live = new Inbox();
      MqttAsyncClient subscriber = connect(broker.url(), "sub-live", null, live);
      MqttAsyncClient publisher = connect(broker.url(), "pub", null, new Inbox());
      try {
        subscriber.subscribe(new MqttSubscription(topic, 1)).waitForCompletion(WAIT_MS);

        MqttMessage message = new MqttMessage("{\"v\":1200}".getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        message.setRetained(true);
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(
            List.of(new UserProperty("gatewayId", "gw-1"), new UserProperty("seq", "42")));
        message.setProperties(properties);
        IMqttToken ack = publisher.publish(topic, message);
        ack.waitForCompletion(WAIT_MS);
        assertThat(ack.getException()).isNull();

        Received first = live.take();
        assertThat(first.topic()).isEqualTo(topic);
        assertThat(first.message().getQos()).isEqualTo(1);
        assertThat(new String(first.message().getPayload(), StandardCharsets.UTF_8))
            .isEqualTo("{\"v\":1200}");
        assertThat(first.message().getProperties().getUserProperties())
            .containsExactly(new UserProperty("gatewayId", "gw-1"), new UserProperty("seq", "42"));

        // A partner that subscribes later still gets the last value, properties included.
        Inbox late = new Inbox();
        MqttAsyncClient lateSubscriber = connect(broker.url(), "sub-late", null, late);
        try {
          lateSubscriber.subscribe(new MqttSubscription(topic, 1)).waitForCompletion(WAIT_MS);
          Received retained = late.take();
          assertThat(retained.message().isRetained()).isTrue();
          assertThat(retained.message().getProperties().getUserProperties())
              .contains(new UserProperty("seq", "42"));
        } finally {
          disconnect(lateSubscriber);
        }
      } finally {
        disconnect(subscriber);
        disconnect(publisher);
      }
    }

    @Test
    void hivemq_gets_a_loopback_listener_no_usage_statistics_and_no_extensions() throws Exception {
      Path conf = dataDir.resolve("broker/conf");
      String xml = Files.readString(conf.resolve("config.xml"));
      assertThat(xml)
          .contains("<tcp-listener>")
          .doesNotContain("tls-tcp-listener")
          .contains("<bind-address>127.0.0.1</bind-address>")
          .contains("<port>" + broker.port() + "</port>")
          .contains("<anonymous-usage-statistics><enabled>false</enabled>")
          .contains("<persistence><mode>file</mode></persistence>");
      assertThat(dataDir.resolve("broker/data")).isDirectory();
      try (var extensions = Files.list(dataDir.resolve("broker/extensions"))) {
        assertThat(extensions).isEmpty();
      }
    }

    @Test
    void a_client_may_have_100_publishes_unacknowledged() throws Exception {
      MqttAsyncClient client =
          new MqttAsyncClient(pahoUri(broker.url()), "window", new MemoryPersistence());
      try {
        IMqttToken connected = client.connect(options(null));
        connected.waitForCompletion(WAIT_MS);
        assertThat(connected.getResponseProperties().getReceiveMaximum())
            .isEqualTo(HiveMqConfigXml.RECEIVE_MAXIMUM);
      } finally {
        client.disconnect().waitForCompletion(WAIT_MS);
        client.close(true);
      }
    }

    @Test
    void starting_prints_only_the_one_demo_mode_line() {
      List<String> lines = startOutput.lines().filter(line -> !line.isBlank()).toList();
      assertThat(lines).hasSize(1);
      assertThat(lines.get(0))
          .contains("INFO")
          .contains("embedded broker on 127.0.0.1:" + broker.port() + " without TLS")
          .contains("loopback only");
    }

    @Test
    void hivemq_leaves_logging_and_the_uncaught_exception_handler_as_they_were() {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      assertThat(rootAppenders()).isEqualTo(rootAppendersBefore);
      assertThat(context.getTurboFilterList()).isEmpty();
      assertThat(SLF4JBridgeHandler.isInstalled()).isFalse();
      assertThat(context.getLogger("com.hivemq").getLevel()).isEqualTo(Level.WARN);
      assertThat(context.getLogger("jetbrains.exodus").getLevel()).isEqualTo(Level.WARN);
      assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(handlerBefore);
    }

    @Test
    void a_second_broker_on_the_same_port_is_refused(@TempDir Path otherDataDir) {
      assertThatThrownBy(
              () -> EmbeddedBroker.start(BrokerSettings.loopback(otherDataDir, broker.port())))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("127.0.0.1:" + broker.port())
          .hasMessageContaining("in use");
    }
  }

  @Test
  void binding_all_addresses_without_tls_is_refused_before_anything_is_written(
      @TempDir Path dataDir) {
    BrokerSettings settings = new BrokerSettings("0.0.0.0", 0, dataDir, Optional.empty(), 100);

    assertThatThrownBy(() -> EmbeddedBroker.start(settings))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0.0.0.0")
        .hasMessageContaining("TLS")
        .hasMessageContaining("client certificates");
    assertThat(dataDir.resolve("broker")).doesNotExist();
  }

  @Test
  void a_port_held_by_another_program_is_refused_with_a_clear_message(@TempDir Path dataDir)
      throws Exception {
    try (ServerSocket other = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      BrokerSettings settings = BrokerSettings.loopback(dataDir, other.getLocalPort());

      assertThatThrownBy(() -> EmbeddedBroker.start(settings))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "embedded broker cannot listen on 127.0.0.1:"
                  + other.getLocalPort()
                  + ": the port is in use (another MQTT broker, or a second gateway?)");
    }
  }

  @Test
  void something_in_the_extensions_folder_stops_the_start(@TempDir Path dataDir) throws Exception {
    Path extensions = Files.createDirectories(dataDir.resolve("broker/extensions/some-extension"));

    assertThatThrownBy(() -> EmbeddedBroker.start(BrokerSettings.loopback(dataDir, 0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(extensions.getParent().toString())
        .hasMessageContaining("must be empty");
  }

  @Test
  void closing_a_tls_broker_frees_its_port_and_deletes_the_generated_key_stores(
      @TempDir Path dataDir) throws Exception {
    BrokerTestPki.Issued ca = BrokerTestPki.ca("test-ca");
    BrokerTls tls =
        BrokerTestPki.writeBrokerFiles(dataDir.resolve("pki"), BrokerTestPki.server(ca), ca);
    Path conf = dataDir.resolve("broker/conf");

    EmbeddedBroker broker =
        EmbeddedBroker.start(new BrokerSettings("127.0.0.1", 0, dataDir, Optional.of(tls), 100));
    int port = broker.port();
    assertThat(broker.url()).isEqualTo("mqtts://127.0.0.1:" + port);
    assertThat(conf.resolve(BrokerKeyStores.KEYSTORE_FILE)).exists();
    broker.close();

    assertThat(conf.resolve(BrokerKeyStores.KEYSTORE_FILE)).doesNotExist();
    assertThat(conf.resolve(BrokerKeyStores.TRUSTSTORE_FILE)).doesNotExist();
    try (ServerSocket rebind = new ServerSocket()) {
      rebind.setReuseAddress(true);
      rebind.bind(new InetSocketAddress("127.0.0.1", port));
    }
    broker.close(); // idempotent
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnAllAddressesWithRequiredClientCertificates {

    private Path dataDir;
    private final BrokerTestPki.Issued ca = BrokerTestPki.ca("fieldlab-ca");
    private final BrokerTestPki.Issued otherCa = BrokerTestPki.ca("someone-else-ca");
    private EmbeddedBroker broker;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
      dataDir = dir;
      BrokerTls tls =
          BrokerTestPki.writeBrokerFiles(dataDir.resolve("pki"), BrokerTestPki.server(ca), ca);
      broker =
          EmbeddedBroker.start(new BrokerSettings("0.0.0.0", 0, dataDir, Optional.of(tls), 100));
    }

    @AfterAll
    void stop() {
      if (broker != null) {
        broker.close();
      }
    }

    @Test
    void the_listener_requires_client_certificates_and_clients_use_loopback() throws Exception {
      assertThat(broker.url()).isEqualTo("mqtts://127.0.0.1:" + broker.port());
      String xml = Files.readString(dataDir.resolve("broker/conf/config.xml"));
      assertThat(xml)
          .contains("<tls-tcp-listener>")
          .contains("<bind-address>0.0.0.0</bind-address>")
          .contains("<client-authentication-mode>REQUIRED</client-authentication-mode>");
    }

    @Test
    void a_client_with_a_certificate_from_the_ca_connects_and_exchanges_messages()
        throws Exception {
      SSLSocketFactory tls =
          BrokerTestPki.clientSocketFactory(ca, Optional.of(BrokerTestPki.client(ca, "partner-a")));
      Inbox inbox = new Inbox();
      MqttAsyncClient client = connect(broker.url(), "partner-a", tls, inbox);
      try {
        client
            .subscribe(new MqttSubscription("ketenlink/v1/partners/a/#", 1))
            .waitForCompletion(WAIT_MS);
        client
            .publish(
                "ketenlink/v1/partners/a/order", "o-1".getBytes(StandardCharsets.UTF_8), 1, false)
            .waitForCompletion(WAIT_MS);

        assertThat(new String(inbox.take().message().getPayload(), StandardCharsets.UTF_8))
            .isEqualTo("o-1");
      } finally {
        disconnect(client);
      }
    }

    @Test
    void a_client_without_a_certificate_is_refused() throws Exception {
      SSLSocketFactory tls = BrokerTestPki.clientSocketFactory(ca, Optional.empty());

      assertConnectFails(broker.url(), "anonymous", tls);
    }

    @Test
    void a_client_with_a_certificate_from_another_ca_is_refused() throws Exception {
      SSLSocketFactory tls =
          BrokerTestPki.clientSocketFactory(
              ca, Optional.of(BrokerTestPki.client(otherCa, "intruder")));

      assertConnectFails(broker.url(), "intruder", tls);
    }
  }

  private record Received(String topic, MqttMessage message) {}

  /** Collects what a client receives; a bounded wait instead of sleeping. */
  private static final class Inbox implements MqttCallback {
    private final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();

    Received take() throws InterruptedException {
      Received received = messages.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      assertThat(received).as("a message within %d ms", WAIT_MS).isNotNull();
      return received;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      messages.add(new Received(topic, message));
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {}

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  private static MqttAsyncClient connect(
      String url, String clientId, SSLSocketFactory tls, MqttCallback callback)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(pahoUri(url), clientId, new MemoryPersistence());
    client.setCallback(callback);
    client.connect(options(tls)).waitForCompletion(WAIT_MS);
    return client;
  }

  private static void assertConnectFails(String url, String clientId, SSLSocketFactory tls)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(pahoUri(url), clientId, new MemoryPersistence());
    try {
      // The broker ends the TLS handshake; the client never gets to send CONNECT.
      assertThatThrownBy(() -> client.connect(options(tls)).waitForCompletion(WAIT_MS))
          .isInstanceOf(MqttException.class)
          .hasRootCauseInstanceOf(SSLHandshakeException.class);
      assertThat(client.isConnected()).isFalse();
    } finally {
      client.close(true);
    }
  }

  private static MqttConnectionOptions options(SSLSocketFactory tls) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setConnectionTimeout(5);
    if (tls != null) {
      options.setSocketFactory(tls);
    }
    return options;
  }

  /** Ketenlink writes mqtt:// and mqtts://; Paho calls them tcp:// and ssl://. */
  private static String pahoUri(String url) {
    return url.replaceFirst("^mqtts://", "ssl://").replaceFirst("^mqtt://", "tcp://");
  }

  private static void disconnect(MqttAsyncClient client) throws MqttException {
    if (client.isConnected()) {
      client.disconnect().waitForCompletion(WAIT_MS);
    }
    client.close();
  }

  private static List<String> rootAppenders() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    List<String> names = new ArrayList<>();
    Iterator<Appender<ILoggingEvent>> it =
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders();
    it.forEachRemaining(appender -> names.add(appender.getName()));
    return names;
  }
}
