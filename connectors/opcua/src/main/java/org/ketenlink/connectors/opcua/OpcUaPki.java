package org.ketenlink.connectors.opcua;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.DefaultClientCertificateValidator;
import org.eclipse.milo.opcua.stack.core.security.FileBasedTrustListManager;
import org.eclipse.milo.opcua.stack.core.util.CertificateUtil;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateBuilder;
import org.eclipse.milo.opcua.stack.core.util.SelfSignedCertificateGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's OPC UA application identity and trust list, shared by all its sources. Layout under
 * {@link #pkiDir()}:
 *
 * <pre>
 * own/certificate.der     the gateway's application certificate (give it to server admins)
 * own/private-key.pem     its private key (PKCS#8, readable by the owner only)
 * trusted/certs, trusted/crl, issuer/certs, issuer/crl
 *                         the trust list (watched: files dropped in take effect at once)
 * rejected/               server certificates that were refused, waiting for {@link #trust}
 * </pre>
 *
 * <p>The certificate (RSA 2048, SHA-256, valid 5 years, SAN URI = application URI, DNS = this
 * host's name and {@code localhost}) is created on the first {@link #open} and reused afterwards.
 * Thread-safe.
 */
public final class OpcUaPki implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OpcUaPki.class);
  private static final Period VALIDITY = Period.ofYears(5);
  private static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  private final Path pkiDir;
  private final String applicationUri;
  private final String applicationName;
  private final KeyPair keyPair;
  private final X509Certificate certificate;
  private final Path certificateFile;
  private final FileBasedTrustListManager trustList;
  private final Path trustedCerts;
  private final RejectedCertificates rejected;

  private OpcUaPki(
      Path pkiDir,
      String applicationUri,
      String applicationName,
      KeyPair keyPair,
      X509Certificate certificate,
      Path certificateFile,
      FileBasedTrustListManager trustList,
      RejectedCertificates rejected) {
    this.pkiDir = pkiDir;
    this.applicationUri = applicationUri;
    this.applicationName = applicationName;
    this.keyPair = keyPair;
    this.certificate = certificate;
    this.certificateFile = certificateFile;
    this.trustList = trustList;
    this.trustedCerts = pkiDir.resolve("trusted").resolve("certs");
    this.rejected = rejected;
  }

  /**
   * Opens (and on first use creates) the PKI folder.
   *
   * @param applicationUri the gateway's application URI, e.g. {@code urn:ketenlink:gateway:line1};
   *     servers check it against the certificate
   * @param applicationName the name servers show for the gateway
   * @throws IOException if the folder cannot be read or written
   * @throws IllegalStateException if the existing certificate was made for another application URI
   *     or its key is missing
   */
  public static OpcUaPki open(Path pkiDir, String applicationUri, String applicationName)
      throws IOException {
    Objects.requireNonNull(pkiDir, "pkiDir");
    if (applicationUri == null || applicationUri.isBlank()) {
      throw new IllegalArgumentException("applicationUri must not be empty");
    }
    if (applicationName == null || applicationName.isBlank()) {
      throw new IllegalArgumentException("applicationName must not be empty");
    }
    Path dir = pkiDir.toAbsolutePath().normalize();
    Path own = dir.resolve("own");
    Files.createDirectories(own);
    Path certFile = own.resolve("certificate.der");
    Path keyFile = own.resolve("private-key.pem");
    KeyPair keyPair;
    X509Certificate certificate;
    if (Files.exists(certFile) || Files.exists(keyFile)) {
      if (!Files.exists(certFile) || !Files.exists(keyFile)) {
        throw new IllegalStateException(
            "incomplete gateway identity in "
                + own
                + ": need both certificate.der and private-key.pem; delete the folder to create a"
                + " new identity (servers then have to trust the new certificate)");
      }
      certificate = Pem.readCertificate(certFile);
      PrivateKey key = Pem.readPrivateKey(keyFile);
      checkMatches(certificate, key, own);
      String sanUri = CertificateUtil.getSanUri(certificate).orElse("");
      if (!sanUri.equals(applicationUri)) {
        throw new IllegalStateException(
            "the gateway certificate "
                + certFile
                + " was made for application URI '"
                + sanUri
                + "', but the gateway is configured with '"
                + applicationUri
                + "'; change the configuration back, or delete "
                + own
                + " to create a new certificate (servers then have to trust it)");
      }
      keyPair = new KeyPair(certificate.getPublicKey(), key);
      warnIfExpiring(certificate, certFile);
    } else {
      keyPair = generateKeyPair();
      certificate = createCertificate(keyPair, applicationUri, applicationName);
      Pem.writePrivateKey(keyFile, keyPair.getPrivate());
      try {
        Pem.writeAtomically(certFile, certificate.getEncoded());
      } catch (CertificateEncodingException e) {
        throw new IOException("cannot encode the new gateway certificate", e);
      }
      log.info(
          "Created the gateway's OPC UA application certificate {} (SHA-1 {}); servers must trust"
              + " it",
          certFile,
          RejectedCertificates.thumbprint(certificate));
    }
    FileBasedTrustListManager trustList = FileBasedTrustListManager.createAndInitialize(dir);
    RejectedCertificates rejected;
    try {
      rejected = new RejectedCertificates(dir.resolve("rejected"));
    } catch (IOException e) {
      trustList.close();
      throw e;
    }
    return new OpcUaPki(
        dir, applicationUri, applicationName, keyPair, certificate, certFile, trustList, rejected);
  }

  /** The gateway's application certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The file holding {@link #certificate()} in DER form, to hand to server administrators. */
  public Path certificateFile() {
    return certificateFile;
  }

  public String applicationUri() {
    return applicationUri;
  }

  public String applicationName() {
    return applicationName;
  }

  /** The PKI folder (absolute). */
  public Path pkiDir() {
    return pkiDir;
  }

  /** The refused server certificates waiting in {@code rejected/}, sorted by file name. */
  public List<Path> rejected() {
    return rejected.files();
  }

  /**
   * Trusts a server certificate the caller already holds (e.g. the demo's own simulator, or a
   * certificate handed over by the machine's administrator). Takes effect at once for every source.
   *
   * @return the file in {@code trusted/certs}
   */
  public Path trustCertificate(X509Certificate certificate) throws IOException {
    trustList.addTrustedCertificate(certificate);
    Path trusted =
        trustedCerts.resolve(
            HexFormat.of().formatHex(RejectedCertificates.sha1(certificate)) + ".der");
    if (!Files.exists(trusted)) {
      throw new IOException("could not write " + trusted + " (see the log for the cause)");
    }
    rejected.removeRejectedCertificate(certificate);
    log.info(
        "Trusted server certificate {} (SHA-1 {}): {}",
        RejectedCertificates.subject(certificate),
        RejectedCertificates.thumbprint(certificate),
        trusted);
    return trusted;
  }

  /**
   * Trusts a server certificate: adds it to {@code trusted/certs} (effective at once for every
   * source sharing this PKI; sources retrying will connect) and removes it from {@code rejected/}
   * if it came from there.
   *
   * @param rejectedCertificate a certificate file, PEM or DER, usually one of {@link #rejected()}
   * @return the file in {@code trusted/certs}
   * @throws IOException if the file cannot be read, is not a certificate, or cannot be stored
   */
  public Path trust(Path rejectedCertificate) throws IOException {
    Path source = rejectedCertificate.toAbsolutePath().normalize();
    X509Certificate cert = Pem.readCertificate(source);
    trustList.addTrustedCertificate(cert);
    Path trusted =
        trustedCerts.resolve(HexFormat.of().formatHex(RejectedCertificates.sha1(cert)) + ".der");
    if (!Files.exists(trusted)) {
      throw new IOException("could not write " + trusted + " (see the log for the cause)");
    }
    if (source.startsWith(rejected.dir())) {
      Files.deleteIfExists(source);
    } else {
      rejected.removeRejectedCertificate(cert);
    }
    log.info(
        "Trusted server certificate {} (SHA-1 {}): {}",
        RejectedCertificates.subject(cert),
        RejectedCertificates.thumbprint(cert),
        trusted);
    return trusted;
  }

  /** Stops watching the trust list folders. */
  @Override
  public void close() {
    try {
      trustList.close();
    } catch (IOException e) {
      log.debug("Closing the trust list watcher failed", e);
    }
  }

  KeyPair keyPair() {
    return keyPair;
  }

  /** Removes a certificate's copy from {@code rejected/}, once it has been accepted after all. */
  void forgetRejected(X509Certificate certificate) {
    rejected.removeRejectedCertificate(certificate);
  }

  /** Where a refused certificate is kept. */
  Path rejectedPath(X509Certificate certificate) {
    return rejected.pathOf(certificate);
  }

  /**
   * A validator for server certificates against this trust list; refused certificates go to {@code
   * rejected/}. Only the default checks (trust chain, application URI) are made.
   */
  CertificateValidator newServerCertificateValidator() {
    return new DefaultClientCertificateValidator(trustList, rejected);
  }

  private static KeyPair generateKeyPair() throws IOException {
    try {
      return SelfSignedCertificateGenerator.generateRsaKeyPair(2048);
    } catch (Exception e) {
      throw new IOException("cannot generate an RSA key pair", e);
    }
  }

  private static X509Certificate createCertificate(KeyPair keyPair, String uri, String name)
      throws IOException {
    SelfSignedCertificateBuilder builder =
        new SelfSignedCertificateBuilder(keyPair)
            .setCommonName(name)
            .setOrganization("Ketenlink")
            .setApplicationUri(uri)
            .setValidityPeriod(VALIDITY);
    hostNames().forEach(builder::addDnsName);
    try {
      return builder.build();
    } catch (Exception e) {
      throw new IOException("cannot create the gateway certificate", e);
    }
  }

  private static Set<String> hostNames() {
    Set<String> names = new LinkedHashSet<>();
    try {
      String host = InetAddress.getLocalHost().getHostName();
      if (host != null && !host.isBlank()) {
        names.add(host);
      }
    } catch (UnknownHostException e) {
      Optional.ofNullable(System.getenv("HOSTNAME"))
          .filter(h -> !h.isBlank())
          .ifPresent(names::add);
    }
    names.add("localhost");
    return names;
  }

  private static void checkMatches(X509Certificate certificate, PrivateKey key, Path own) {
    if (certificate.getPublicKey() instanceof RSAPublicKey pub
        && key instanceof RSAPrivateCrtKey priv
        && !pub.getModulus().equals(priv.getModulus())) {
      throw new IllegalStateException(
          "the private key in "
              + own
              + " does not belong to its certificate; delete the folder to create a new identity");
    }
  }

  private static void warnIfExpiring(X509Certificate certificate, Path file) {
    try {
      certificate.checkValidity(java.util.Date.from(Instant.now().plus(EXPIRY_WARNING)));
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      log.warn(
          "The gateway certificate {} is valid until {}; servers will refuse it after that. Delete"
              + " {} to create a new one, then have the servers trust it",
          file,
          certificate.getNotAfter().toInstant(),
          file.getParent());
    }
  }
}
