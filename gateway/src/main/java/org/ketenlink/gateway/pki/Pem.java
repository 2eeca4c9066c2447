package org.ketenlink.gateway.pki;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** PEM text: one block of base64 DER between BEGIN and END lines, 64 characters a line. */
final class Pem {

  static String encode(String type, byte[] der) {
    String base64 =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
  }

  /** The DER of the (first) block in {@code pem}. */
  static byte[] decode(String pem) {
    return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
  }

  private Pem() {}
}
