package org.ketenlink.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.ketenlink.gateway.config.ConfigLoader;
import org.xml.sax.SAXException;

/**
 * The config.xml that Ketenlink hands to HiveMQ on every start.
 *
 * <p>HiveMQ treats a config.xml it cannot read as absent and then starts its built-in default: a
 * plain listener on 0.0.0.0:1883 that lets everyone in. So the generated file is checked against
 * the config.xsd shipped in the HiveMQ jar before HiveMQ sees it, and every value is XML-escaped,
 * including {@code $}, which HiveMQ would otherwise read as an {@code ${ENV:...}} placeholder.
 */
final class HiveMqConfigXml {

  static final String FILE_NAME = "config.xml";
  static final String LISTENER_NAME = "ketenlink";
  static final String INTERNAL_LISTENER_NAME = "ketenlink-internal";

  /**
   * Unacknowledged QoS 1 and 2 publishes one client may have out to the broker (the Receive Maximum
   * in its CONNACK). HiveMQ's default of 10 held the gateway's own link to one round trip per 10
   * messages; the broker now allows the link's default window ({@code links[].maxInFlight}).
   */
  static final int RECEIVE_MAXIMUM = ConfigLoader.DEFAULT_MAX_IN_FLIGHT;

  /** Larger than any Ketenlink payload, far below HiveMQ's default of 256 MiB. */
  static final int MAX_PACKET_SIZE_BYTES = 4 * 1024 * 1024;

  /** A partner that stays away longer than a week starts a fresh session. */
  static final long MAX_SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

  static final int MAX_KEEP_ALIVE_SECONDS = 600;
  static final int MAX_CONNECTIONS = 1000;
  static final int MAX_CLIENT_ID_LENGTH = 256;

  private HiveMqConfigXml() {}

  /**
   * Renders the configuration: one listener, file persistence, no usage statistics.
   *
   * @param tls the stores for a {@code tls-tcp-listener} that requires client certificates; empty
   *     for a plain {@code tcp-listener}
   */
  static String render(
      String bindAddress, int port, Optional<BrokerKeyStores.Stores> tls, int maxQueuedMessages) {
    return render(bindAddress, port, tls, maxQueuedMessages, java.util.OptionalInt.empty());
  }

  /**
   * As above, plus (with TLS) a plain listener on 127.0.0.1:{@code internalPort} for the gateway's
   * own link, which has no client certificate of its own and never leaves the machine.
   */
  static String render(
      String bindAddress,
      int port,
      Optional<BrokerKeyStores.Stores> tls,
      int maxQueuedMessages,
      java.util.OptionalInt internalPort) {
    StringBuilder xml = new StringBuilder(2048);
    xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<!-- Written by Ketenlink on every start of the embedded broker;")
        .append(" edits are overwritten. -->\n")
        .append("<hivemq>\n")
        .append("  <listeners>\n");
    String listener = tls.isPresent() ? "tls-tcp-listener" : "tcp-listener";
    xml.append("    <")
        .append(listener)
        .append(">\n")
        .append("      <port>")
        .append(port)
        .append("</port>\n")
        .append("      <bind-address>")
        .append(escape(bindAddress))
        .append("</bind-address>\n")
        .append("      <name>")
        .append(LISTENER_NAME)
        .append("</name>\n");
    tls.ifPresent(
        stores ->
            xml.append("      <tls>\n")
                .append("        <keystore>\n")
                .append("          <path>")
                .append(escape(stores.keystore().toAbsolutePath().toString()))
                .append("</path>\n")
                .append("          <password>")
                .append(escape(stores.password()))
                .append("</password>\n")
                .append("          <private-key-password>")
                .append(escape(stores.password()))
                .append("</private-key-password>\n")
                .append("        </keystore>\n")
                .append("        <truststore>\n")
                .append("          <path>")
                .append(escape(stores.truststore().toAbsolutePath().toString()))
                .append("</path>\n")
                .append("          <password>")
                .append(escape(stores.password()))
                .append("</password>\n")
                .append("        </truststore>\n")
                .append("        <protocols>\n")
                .append("          <protocol>TLSv1.3</protocol>\n")
                .append("          <protocol>TLSv1.2</protocol>\n")
                .append("        </protocols>\n")
                .append(
                    "        <client-authentication-mode>REQUIRED</client-authentication-mode>\n")
                .append("      </tls>\n"));
    xml.append("    </").append(listener).append(">\n");
    internalPort.ifPresent(
        p ->
            xml.append("    <tcp-listener>\n")
                .append("      <port>")
                .append(p)
                .append("</port>\n")
                .append("      <bind-address>127.0.0.1</bind-address>\n")
                .append("      <name>")
                .append(INTERNAL_LISTENER_NAME)
                .append("</name>\n")
                .append("    </tcp-listener>\n"));
    xml.append("  </listeners>\n");
    xml.append("  <mqtt>\n")
        .append("    <queued-messages>\n")
        .append("      <max-queue-size>")
        .append(maxQueuedMessages)
        .append("</max-queue-size>\n")
        // A partner that catches up wants the newest state, not the start of its outage.
        .append("      <strategy>discard-oldest</strategy>\n")
        .append("    </queued-messages>\n")
        .append("    <retained-messages><enabled>true</enabled></retained-messages>\n")
        .append("    <session-expiry><max-interval>")
        .append(MAX_SESSION_EXPIRY_SECONDS)
        .append("</max-interval></session-expiry>\n")
        .append("    <keep-alive>\n")
        .append("      <max-keep-alive>")
        .append(MAX_KEEP_ALIVE_SECONDS)
        .append("</max-keep-alive>\n")
        .append("      <allow-unlimited>false</allow-unlimited>\n")
        .append("    </keep-alive>\n")
        .append("    <receive-maximum><server-receive-maximum>")
        .append(RECEIVE_MAXIMUM)
        .append("</server-receive-maximum></receive-maximum>\n")
        .append("    <packets><max-packet-size>")
        .append(MAX_PACKET_SIZE_BYTES)
        .append("</max-packet-size></packets>\n")
        .append("  </mqtt>\n")
        .append("  <restrictions>\n")
        .append("    <max-connections>")
        .append(MAX_CONNECTIONS)
        .append("</max-connections>\n")
        .append("    <max-client-id-length>")
        .append(MAX_CLIENT_ID_LENGTH)
        .append("</max-client-id-length>\n")
        .append("  </restrictions>\n")
        .append("  <security>\n")
        // mosquitto_sub and most command-line clients connect without a client id and let the
        // broker assign one; who a client is comes from its certificate, not from its id.
        .append("    <allow-empty-client-id><enabled>true</enabled></allow-empty-client-id>\n")
        .append("  </security>\n")
        .append("  <persistence><mode>file</mode></persistence>\n")
        .append(
            "  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>\n")
        .append("</hivemq>\n");
    return xml.toString();
  }

  /**
   * Checks {@code xml} against the config.xsd in the HiveMQ jar.
   *
   * @throws IllegalStateException if it does not conform; that is a Ketenlink bug, and starting
   *     anyway would give HiveMQ's open default listener
   */
  static void validate(String xml) {
    ClassLoader loader = com.hivemq.embedded.EmbeddedHiveMQ.class.getClassLoader();
    try (InputStream xsd = loader.getResourceAsStream("config.xsd")) {
      if (xsd == null) {
        throw new IllegalStateException(
            "config.xsd is missing from the HiveMQ jar; cannot check the broker configuration");
      }
      SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
      factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      Schema schema = factory.newSchema(new StreamSource(xsd));
      Validator validator = schema.newValidator();
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
      validator.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
      validator.validate(new StreamSource(new StringReader(xml)));
    } catch (SAXException | IOException e) {
      throw new IllegalStateException(
          "generated HiveMQ configuration does not match HiveMQ's config.xsd: " + e.getMessage(),
          e);
    }
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        case '$' -> out.append("&#36;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
