package org.ketenlink.gateway.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The gateway's Ed25519 key for signed partner messages: {@code signing.key} (PKCS#8,
 * owner-readable only) and {@code signing.pub} (X.509 SubjectPublicKeyInfo, what partners verify
 * with), created on first use. A signature covers the topic, a newline and the payload, so a
 * message cannot be moved to another topic or altered on the way, even through a third-party
 * broker. Not thread-safe (the pipeline thread signs).
 */
public final class SigningKey {

  public static final String PRIVATE_FILE = "signing.key";
  public static final String PUBLIC_FILE = "signing.pub";

  private final PublicKey publicKey;
  private final Signature signer;
  private final String keyId;

  private SigningKey(KeyPair keys) {
    this.publicKey = keys.getPublic();
    try {
      this.signer = Signature.getInstance("Ed25519");
      this.signer.initSign(keys.getPrivate());
      this.keyId =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()))
              .substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available: " + e, e);
    }
  }

  /** The key in {@code dir}, created there if it does not exist yet. */
  public static SigningKey loadOrCreate(Path dir) {
    Path priv = dir.resolve(PRIVATE_FILE);
    Path pub = dir.resolve(PUBLIC_FILE);
    try {
      KeyFactory kf = KeyFactory.getInstance("Ed25519");
      if (Files.exists(priv) && Files.exists(pub)) {
        PrivateKey p =
            kf.generatePrivate(new PKCS8EncodedKeySpec(Pem.decode(Files.readString(priv))));
        PublicKey q = kf.generatePublic(new X509EncodedKeySpec(Pem.decode(Files.readString(pub))));
        return new SigningKey(new KeyPair(q, p));
      }
      KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Files.createDirectories(dir);
      SiteCa.writePrivate(priv, Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()));
      Files.writeString(pub, Pem.encode("PUBLIC KEY", keys.getPublic().getEncoded()));
      return new SigningKey(keys);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read or write the signing key in " + dir + ": " + e, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the signing key in " + dir + " is not usable: " + e, e);
    }
  }

  /** The first 16 hex digits of the SHA-256 of the public key: names the key in messages. */
  public String keyId() {
    return keyId;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** Base64 of the Ed25519 signature over {@code topic}, {@code '\n'} and {@code payload}. */
  public String sign(String topic, byte[] payload) {
    try {
      signer.update(topic.getBytes(StandardCharsets.UTF_8));
      signer.update((byte) '\n');
      signer.update(payload);
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed: " + e, e);
    }
  }

  /** Whether {@code signature} (base64) is this key's over {@code topic} and {@code payload}. */
  public static boolean verify(PublicKey key, String topic, byte[] payload, String signature) {
    try {
      Signature v = Signature.getInstance("Ed25519");
      v.initVerify(key);
      v.update(topic.getBytes(StandardCharsets.UTF_8));
      v.update((byte) '\n');
      v.update(payload);
      return v.verify(Base64.getDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Reads a PEM public key file ({@code signing.pub}). */
  public static PublicKey readPublic(Path file) {
    try {
      return KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(Pem.decode(Files.readString(file))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(file + " is not an Ed25519 public key: " + e, e);
    }
  }
}
