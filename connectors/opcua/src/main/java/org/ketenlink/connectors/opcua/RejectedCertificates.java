package org.ketenlink.connectors.opcua;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.eclipse.milo.opcua.stack.core.security.CertificateQuarantine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code rejected/} folder: server certificates the gateway refused, one DER file each, named
 * {@code <common-name>-<sha1 thumbprint>.der} so that a listing explains itself. Bounded: beyond
 * {@value #MAX_FILES} files the oldest are removed. Thread-safe.
 */
final class RejectedCertificates implements CertificateQuarantine {

  private static final Logger log = LoggerFactory.getLogger(RejectedCertificates.class);
  static final int MAX_FILES = 128;

  private final Path dir;

  RejectedCertificates(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  Path dir() {
    return dir;
  }

  /** Where {@code certificate} is (or would be) kept. */
  Path pathOf(X509Certificate certificate) {
    return dir.resolve(fileName(certificate));
  }

  List<Path> files() {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".der")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  @Override
  public synchronized void addRejectedCertificate(X509Certificate certificate) {
    Path file = pathOf(certificate);
    if (Files.exists(file)) {
      return;
    }
    try {
      prune();
      Pem.writeAtomically(file, certificate.getEncoded());
    } catch (IOException | CertificateEncodingException e) {
      log.warn("Could not save the rejected certificate {} to {}", subject(certificate), file, e);
    }
  }

  @Override
  public synchronized List<X509Certificate> getRejectedCertificates() {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Path f : files()) {
      try {
        certificates.add(Pem.readCertificate(f));
      } catch (IOException e) {
        log.debug("Skipping unreadable rejected certificate {}", f, e);
      }
    }
    return certificates;
  }

  @Override
  public synchronized void removeRejectedCertificate(X509Certificate certificate) {
    try {
      Files.deleteIfExists(pathOf(certificate));
    } catch (IOException e) {
      log.warn("Could not remove the rejected certificate {}", pathOf(certificate), e);
    }
  }

  private void prune() throws IOException {
    List<Path> files = files();
    if (files.size() < MAX_FILES) {
      return;
    }
    List<Path> oldestFirst = new ArrayList<>(files);
    oldestFirst.sort(Comparator.comparingLong(RejectedCertificates::modified));
    for (Path p : oldestFirst.subList(0, files.size() - MAX_FILES + 1)) {
      Files.deleteIfExists(p);
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  static String fileName(X509Certificate certificate) {
    String cn = commonName(certificate).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    cn = cn.replaceAll("^-+|-+$", "");
    if (cn.length() > 40) {
      cn = cn.substring(0, 40).replaceAll("-+$", "");
    }
    String thumbprint = HexFormat.of().formatHex(sha1(certificate));
    return (cn.isEmpty() ? "" : cn + "-") + thumbprint + ".der";
  }

  /** The SHA-1 thumbprint as OPC UA tools and {@code openssl x509 -fingerprint} show it. */
  static String thumbprint(X509Certificate certificate) {
    return HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha1(certificate));
  }

  static String subject(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().getName();
  }

  static byte[] sha1(X509Certificate certificate) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded());
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint a certificate", e);
    }
  }

  private static String commonName(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(subject(certificate)).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      // no usable common name
    }
    return "";
  }
}
