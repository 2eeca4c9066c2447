package org.ketenlink.connectors.opcua;

import java.util.Locale;
import java.util.Optional;

/**
 * The OPC UA security policies a source can use. {@link #NONE} is only used when configured
 * explicitly; the gateway's configuration decides whether that is allowed.
 */
public enum SecurityPolicy {
  NONE("None"),
  BASIC256SHA256("Basic256Sha256"),
  AES128_SHA256_RSAOAEP("Aes128_Sha256_RsaOaep"),
  AES256_SHA256_RSAPSS("Aes256_Sha256_RsaPss");

  private static final String URI_PREFIX = "http://opcfoundation.org/UA/SecurityPolicy#";

  private final String opcUaName;

  SecurityPolicy(String opcUaName) {
    this.opcUaName = opcUaName;
  }

  /** The name OPC UA uses, e.g. {@code Basic256Sha256}. */
  public String opcUaName() {
    return opcUaName;
  }

  /**
   * The policy with this name, matching either the OPC UA name ({@code Basic256Sha256}) or the
   * constant ({@code BASIC256SHA256}), ignoring case.
   */
  public static Optional<SecurityPolicy> byName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String n = name.trim().toUpperCase(Locale.ROOT);
    for (SecurityPolicy p : values()) {
      if (p.name().equals(n) || p.opcUaName.toUpperCase(Locale.ROOT).equals(n)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The policy URI, e.g. {@code http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256}. */
  String uri() {
    return URI_PREFIX + opcUaName;
  }

  /** The OPC UA name of a policy URI, or the URI itself when it is not a standard one. */
  static String nameOfUri(String uri) {
    if (uri != null && uri.startsWith(URI_PREFIX)) {
      return uri.substring(URI_PREFIX.length());
    }
    return String.valueOf(uri);
  }
}
