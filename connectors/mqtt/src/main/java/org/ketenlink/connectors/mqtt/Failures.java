package org.ketenlink.connectors.mqtt;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Turns what Paho and the JDK throw into one short sentence for {@code LinkStatus.lastError} and
 * the log, e.g. "connection refused: 127.0.0.1:1883". Never includes credentials: neither Paho nor
 * the JDK put them into these exceptions.
 */
final class Failures {
  private static final Map<Integer, String> REASONS =
      Map.ofEntries(
          Map.entry(0x80, "unspecified error"),
          Map.entry(0x81, "malformed packet"),
          Map.entry(0x82, "protocol error"),
          Map.entry(0x83, "implementation specific error"),
          Map.entry(0x84, "unsupported protocol version"),
          Map.entry(0x85, "client identifier not valid"),
          Map.entry(0x86, "bad user name or password"),
          Map.entry(0x87, "not authorized"),
          Map.entry(0x88, "server unavailable"),
          Map.entry(0x89, "server busy"),
          Map.entry(0x8A, "banned"),
          Map.entry(0x8B, "server shutting down"),
          Map.entry(0x8C, "bad authentication method"),
          Map.entry(0x8D, "keep alive timeout"),
          Map.entry(0x8E, "session taken over by another client with the same client id"),
          Map.entry(0x8F, "topic filter invalid"),
          Map.entry(0x90, "topic name invalid"),
          Map.entry(0x93, "receive maximum exceeded"),
          Map.entry(0x94, "topic alias invalid"),
          Map.entry(0x95, "packet too large"),
          Map.entry(0x96, "message rate too high"),
          Map.entry(0x97, "quota exceeded"),
          Map.entry(0x98, "administrative action"),
          Map.entry(0x99, "payload format invalid"),
          Map.entry(0x9A, "retain not supported"),
          Map.entry(0x9B, "QoS not supported"),
          Map.entry(0x9C, "use another server"),
          Map.entry(0x9D, "server moved"),
          Map.entry(0x9F, "connection rate exceeded"),
          Map.entry(0xA0, "maximum connect time"));

  private Failures() {}

  /** An MQTT 5 reason code (CONNACK, PUBACK, DISCONNECT) as words with its hex value. */
  static String reason(int code) {
    return REASONS.getOrDefault(code, "reason code") + String.format(" (0x%02X)", code);
  }

  /**
   * Why connecting to, or staying connected with, {@code hostPort} failed.
   *
   * @param hostPort e.g. {@code 127.0.0.1:1883}, as the user configured it
   */
  static String describe(Throwable failure, String hostPort) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = Optional.ofNullable(t.getMessage()).orElse("");
      if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException) {
        return "broker certificate not trusted: outside its validity period (" + message + ")";
      }
      if (t instanceof CertPathBuilderException
          || t instanceof CertPathValidatorException
          || message.startsWith("PKIX path")) {
        return "broker certificate not trusted: it does not chain to a CA in tls.caCertificate"
            + " (PKIX: "
            + rootMessage(t)
            + ")";
      }
      if (message.startsWith("No subject alternative") || message.startsWith("No name matching")) {
        return "broker certificate does not match the host name in the server URI ("
            + message
            + ")";
      }
      if (t instanceof SSLException && message.contains("fatal alert")) {
        String alert = message.substring(message.lastIndexOf(' ') + 1);
        if (alert.contains("certificate") || alert.equals("unknown_ca")) {
          return "broker refused our client certificate (TLS alert " + alert + ")";
        }
        return "TLS handshake refused by the broker (TLS alert " + alert + ")";
      }
      if (t instanceof ConnectException) {
        return "connection refused: " + hostPort;
      }
      if (t instanceof UnknownHostException) {
        return "unknown host: " + hostPort;
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host: " + hostPort;
      }
      if (t instanceof SocketTimeoutException) {
        return "timed out connecting to " + hostPort;
      }
      if (t instanceof EOFException) {
        return "connection closed by the remote end: " + hostPort;
      }
      if (t instanceof MqttException mqtt && t.getCause() == null) {
        return mqttReason(mqtt.getReasonCode(), hostPort);
      }
    }
    String root = rootMessage(failure);
    if (failure instanceof MqttException mqtt) {
      return mqttReason(mqtt.getReasonCode(), hostPort)
          + (failure.getCause() == null ? "" : " (" + root + ")");
    }
    return root;
  }

  /**
   * Why a connect attempt failed. Over TLS a connection the broker closes right after the
   * handshake, before answering the CONNECT, is almost always a client certificate it did not
   * accept (with TLS 1.3 the client learns of that only after its side of the handshake).
   */
  static String describeConnect(Throwable failure, String hostPort, boolean tls) {
    String text = describe(failure, hostPort);
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    boolean closedEarly =
        root instanceof EOFException
            || (root instanceof SocketException && "Socket is closed".equals(root.getMessage()));
    if (tls && closedEarly) {
      return "broker closed the TLS connection before answering the CONNECT: "
          + hostPort
          + " (did it reject the client certificate?)";
    }
    return text;
  }

  private static String mqttReason(int code, String hostPort) {
    if (code >= 0x80 && code <= 0xFF) {
      return reason(code);
    }
    return switch (code) {
      case MqttClientException.REASON_CODE_CLIENT_TIMEOUT -> "timed out connecting to " + hostPort;
      case MqttClientException.REASON_CODE_CONNECTION_LOST -> "connection lost: " + hostPort;
      case MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR -> "cannot connect to " + hostPort;
      case MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED -> "not connected";
      default -> "connection failed: " + hostPort;
    };
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return Optional.ofNullable(root.getMessage()).orElse(root.getClass().getSimpleName());
  }
}
