package org.ketenlink.gateway;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the embedded broker's listener. Clients must always present a certificate issued by
 * {@code clientCa}.
 *
 * @param certificate PEM file with the broker's certificate, optionally followed by its chain
 * @param privateKey PEM file with the certificate's unencrypted PKCS#8 private key ({@code BEGIN
 *     PRIVATE KEY})
 * @param clientCa PEM file with the CA certificate(s) that client certificates must chain to
 */
record BrokerTls(Path certificate, Path privateKey, Path clientCa) {

  BrokerTls {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(clientCa, "clientCa");
  }
}
