package org.ketenlink.connectors.opcua;

import java.nio.file.Path;

/** Who the gateway says it is when it activates an OPC UA session (the user token). */
public sealed interface Identity {

  /** No user. */
  record Anonymous() implements Identity {}

  /**
   * A user name and password. The gateway resolves the password (e.g. from the environment); it is
   * never logged and {@link #toString()} hides it.
   */
  record UserPassword(String user, String password) implements Identity {
    @Override
    public String toString() {
      return "UserPassword[user=" + user + ", password=***]";
    }
  }

  /**
   * An X.509 user certificate (PEM or DER) and its unencrypted PKCS#8 private key (PEM, {@code
   * -----BEGIN PRIVATE KEY-----}).
   */
  record X509(Path certificatePem, Path privateKeyPem) implements Identity {}

  /** The anonymous identity. */
  static Identity anonymous() {
    return new Anonymous();
  }
}
