package org.ketenlink.gateway;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import org.ketenlink.gateway.config.GatewayConfig.PartnerConfig;
import org.ketenlink.gateway.pki.Revocations;
import org.ketenlink.gateway.pki.SiteCa;

/**
 * Who may do what on the embedded broker — the broker side of the sharing agreements:
 *
 * <ul>
 *   <li>the gateway itself (its link proves a secret made anew on every start): everything;
 *   <li>a partner, over the TLS listener, known by its client certificate (common name = partner
 *       id, or the configured subject; the pinned fingerprint when one is configured): subscribe
 *       under {@code ketenlink/v1/partners/<id>/} only, publish only to its own command topic
 *       {@code ketenlink/v1/partners/<id>/_commands/...};
 *   <li>any other client on the loopback-only plain listener (the line PC itself): read everything,
 *       publish nothing;
 *   <li>a revoked certificate ({@code revoked.txt}, re-read on change): refused, and its live
 *       connections are closed within seconds;
 *   <li>anyone else: refused.
 * </ul>
 */
record BrokerAccess(
    String gatewayUser,
    String gatewaySecret,
    List<PartnerIdentity> partners,
    Revocations revocations,
    AccessLog log) {

  /** Where the broker reports what it refused (the audit trail). Called on HiveMQ's threads. */
  interface AccessLog {
    void refused(String client, String partner, String action, String reason);
  }

  /** The user name the gateway's own link connects with. */
  static final String GATEWAY_USER = "ketenlink-gateway";

  /** How the broker recognises one partner. */
  record PartnerIdentity(String id, Optional<String> subject, Optional<String> fingerprint) {

    /** Whether {@code certificate} is this partner's. */
    boolean matches(X509Certificate certificate) {
      if (fingerprint.isPresent() && !fingerprint.get().equals(SiteCa.fingerprint(certificate))) {
        return false;
      }
      X500Principal actual = certificate.getSubjectX500Principal();
      if (subject.isPresent()) {
        return actual.equals(new X500Principal(subject.get()));
      }
      return commonName(actual).map(id::equals).orElse(false);
    }
  }

  BrokerAccess {
    partners = List.copyOf(partners);
  }

  /**
   * Access for this gateway's partners, with a fresh secret for the gateway's own link; a
   * certificate whose fingerprint is in {@code revocations} is refused.
   */
  static BrokerAccess forPartners(
      List<PartnerConfig> partners, Revocations revocations, AccessLog log) {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return new BrokerAccess(
        GATEWAY_USER,
        Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
        partners.stream()
            .map(
                p ->
                    new PartnerIdentity(p.id(), p.certificateSubject(), p.certificateFingerprint()))
            .toList(),
        revocations,
        log);
  }

  /** The partner {@code certificate} belongs to, if any. */
  Optional<PartnerIdentity> partnerOf(X509Certificate certificate) {
    return partners.stream().filter(p -> p.matches(certificate)).findFirst();
  }

  /** Never shows the secret. */
  @Override
  public String toString() {
    return "BrokerAccess[partners=" + partners.stream().map(PartnerIdentity::id).toList() + "]";
  }

  /** The (last) common name of a subject. */
  static Optional<String> commonName(X500Principal subject) {
    try {
      List<Rdn> rdns = new LdapName(subject.getName(X500Principal.RFC2253)).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
          return Optional.of(rdns.get(i).getValue().toString());
        }
      }
      return Optional.empty();
    } catch (InvalidNameException e) {
      return Optional.empty();
    }
  }
}
