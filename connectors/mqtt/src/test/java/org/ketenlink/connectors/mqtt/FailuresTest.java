package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

class FailuresTest {
  @Test
  void aRefusedTcpConnectionNamesTheAddress() {
    MqttException e =
        new MqttException(
            MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR,
            new ConnectException("Connection refused"));

    assertThat(Failures.describe(e, "127.0.0.1:1883"))
        .isEqualTo("connection refused: 127.0.0.1:1883");
  }

  @Test
  void connackReasonCodesAreWords() {
    assertThat(Failures.describe(new MqttException(0x87), "h:1"))
        .isEqualTo("not authorized (0x87)");
    assertThat(Failures.describe(new MqttException(0x86), "h:1"))
        .isEqualTo("bad user name or password (0x86)");
  }

  @Test
  void tlsFailuresSayWhatIsWrong() {
    SSLHandshakeException pkix =
        new SSLHandshakeException(
            "PKIX path building failed: unable to find valid certification path");
    SSLHandshakeException name = new SSLHandshakeException("handshake failed");
    name.initCause(
        new CertificateException("No subject alternative names matching IP address 10.0.0.1"));

    assertThat(Failures.describe(new MqttException(pkix), "h:1"))
        .startsWith("broker certificate not trusted");
    assertThat(Failures.describe(new MqttException(name), "h:1"))
        .startsWith("broker certificate does not match the host name");
    assertThat(
            Failures.describe(
                new MqttException(new SSLHandshakeException("Received fatal alert: unknown_ca")),
                "h:1"))
        .isEqualTo("broker refused our client certificate (TLS alert unknown_ca)");
  }
}
