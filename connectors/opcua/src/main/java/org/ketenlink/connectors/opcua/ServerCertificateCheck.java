package org.ketenlink.connectors.opcua;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.CertificateValidator;
import org.jspecify.annotations.Nullable;

/**
 * Validates server certificates against the gateway's trust list and tells its owner (one source,
 * or the browser) when one was refused, so that the refusal can be explained once, with the file to
 * trust. Runs on Milo's transport threads: the callback must not block.
 */
final class ServerCertificateCheck implements CertificateValidator {

  /** A refused server certificate and why. */
  record Refusal(X509Certificate certificate, Path savedTo, long statusCode, boolean untrusted) {

    /** The message for status pages and the log. */
    String message() {
      String who =
          "subject "
              + RejectedCertificates.subject(certificate)
              + ", SHA-1 "
              + RejectedCertificates.thumbprint(certificate);
      if (untrusted()) {
        return "server certificate not trusted — see "
            + savedTo
            + " ("
            + who
            + "); if this is the right server, trust it with: ketenlink trust "
            + savedTo;
      }
      return "server certificate refused: "
          + StatusNames.name(statusCode)
          + " ("
          + who
          + ")"
          + (statusCode == StatusCodes.Bad_CertificateUriInvalid
              ? "; its application URI does not match the one the server announces"
              : "");
    }
  }

  private final CertificateValidator delegate;
  private final OpcUaPki pki;
  private final Consumer<Refusal> onRefused;

  ServerCertificateCheck(OpcUaPki pki, Consumer<Refusal> onRefused) {
    this.delegate = pki.newServerCertificateValidator();
    this.pki = pki;
    this.onRefused = onRefused;
  }

  @Override
  public void validateCertificateChain(
      List<X509Certificate> chain,
      @Nullable String applicationUri,
      @Nullable String[] validHostnames)
      throws UaException {
    try {
      delegate.validateCertificateChain(chain, applicationUri, validHostnames);
      // Accepted: a copy refused by an attempt that raced with `ketenlink trust` is stale.
      if (!chain.isEmpty()) {
        pki.forgetRejected(chain.get(0));
      }
    } catch (UaException e) {
      if (!chain.isEmpty()) {
        X509Certificate leaf = chain.get(0);
        // Only a chain without a trusted certificate is put in rejected/ (by the delegate); the
        // status alone does not tell (Bad_CertificateUntrusted or Bad_SecurityChecksFailed).
        Path saved = pki.rejectedPath(leaf);
        boolean untrusted = Files.exists(saved);
        onRefused.accept(new Refusal(leaf, saved, e.getStatusCode().value(), untrusted));
      }
      throw e;
    }
  }
}
