package org.ketenlink.connectors.mqtt;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * TLS for an {@code ssl://} broker: whom to trust and, for mutual TLS, who we are. Files are PEM;
 * they are read when the {@link MqttLink} is created, so a renewed certificate takes effect when
 * the link is re-created. Validated together with the rest of the link in {@link MqttLinkSettings}.
 *
 * @param caCertificate PEM file with one or more CA certificates the broker's certificate must
 *     chain to; nothing else is trusted (not the JDK's default trust store)
 * @param clientCertificate PEM certificate (optionally followed by its chain) for mutual TLS
 * @param clientKey PEM unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}, RSA or EC) of the
 *     client certificate
 * @param verifyHostname whether the broker certificate must name the host in the server URI (IP
 *     address or DNS name in its subject alternative names); on by default
 */
public record TlsSettings(
    Path caCertificate,
    Optional<Path> clientCertificate,
    Optional<Path> clientKey,
    boolean verifyHostname) {

  public TlsSettings {
    Objects.requireNonNull(caCertificate, "caCertificate");
    Objects.requireNonNull(clientCertificate, "clientCertificate");
    Objects.requireNonNull(clientKey, "clientKey");
  }

  /** Server authentication only, trusting the CAs in {@code caCertificate}, hostname verified. */
  public static TlsSettings trusting(Path caCertificate) {
    return new TlsSettings(caCertificate, Optional.empty(), Optional.empty(), true);
  }

  /** The same, plus a client certificate and its key for mutual TLS. */
  public TlsSettings withClientCertificate(Path certificate, Path key) {
    return new TlsSettings(
        caCertificate, Optional.of(certificate), Optional.of(key), verifyHostname);
  }

  /**
   * The same, with hostname verification switched on or off. Switching it off accepts any
   * certificate from the trusted CAs, whichever host it was issued for.
   */
  public TlsSettings withHostnameVerification(boolean verify) {
    return new TlsSettings(caCertificate, clientCertificate, clientKey, verify);
  }
}
