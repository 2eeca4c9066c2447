package org.ketenlink.gateway.pki;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The revoked certificates: {@code revoked.txt}, one SHA-256 fingerprint per line ({@code #} starts
 * a comment). Re-read whenever the file changes, so a revocation takes effect without a restart.
 * Thread-safe.
 */
public final class Revocations {

  private final Path file;
  private FileTime seen;
  private Set<String> revoked = Set.of();

  public Revocations(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  /** Whether the certificate with this fingerprint (64 hex digits) is revoked. */
  public synchronized boolean isRevoked(String fingerprint) {
    refresh();
    return revoked.contains(fingerprint.toUpperCase(Locale.ROOT));
  }

  /** Every revoked fingerprint, as of now. */
  public synchronized Set<String> current() {
    refresh();
    return revoked;
  }

  private void refresh() {
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
    } catch (NoSuchFileException e) {
      revoked = Set.of();
      seen = null;
      return;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    if (!modified.equals(seen)) {
      revoked = read(file);
      seen = modified;
    }
  }

  /** The fingerprints in {@code file}; empty when it does not exist. */
  static Set<String> read(Path file) {
    if (!Files.exists(file)) {
      return Set.of();
    }
    try {
      Set<String> out = new HashSet<>();
      for (String line : Files.readAllLines(file)) {
        int hash = line.indexOf('#');
        String f = (hash >= 0 ? line.substring(0, hash) : line).strip().replace(":", "");
        if (!f.isEmpty()) {
          out.add(f.toUpperCase(Locale.ROOT));
        }
      }
      return Set.copyOf(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
