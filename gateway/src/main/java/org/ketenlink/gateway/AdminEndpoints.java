package org.ketenlink.gateway;

/**
 * What the admin HTTP server asks the gateway.
 *
 * <p>Every method is called on the admin server's Netty event loop thread, for each request: it
 * must return quickly from state the gateway already holds, never block, and never wait for I/O. An
 * exception becomes a 500 response.
 */
interface AdminEndpoints {

  /** Liveness: the process works. {@code GET /health} answers 200 when up, else 503. */
  Health health();

  /** Readiness: sources and links are up. {@code GET /ready} answers 200 when up, else 503. */
  Health readiness();

  /** The metrics in the Prometheus text exposition format 0.0.4, for {@code GET /metrics}. */
  String prometheusScrape();

  /**
   * A snapshot for {@code GET /api/status}, serialised with Jackson. The status page shows
   * top-level scalars as a summary, top-level lists of objects (such as {@code sources} and {@code
   * links}) as tables, and top-level objects (such as {@code counters}) as name/value tables.
   */
  Object status();

  /**
   * The newest audit entries for {@code GET /api/audit}: query parameters {@code partner}, {@code
   * type}, {@code limit} (default 1000) and {@code format} ({@code json}, default, or {@code csv}).
   */
  Document audit(java.util.Map<String, java.util.List<String>> query);

  /** A response body and its content type. */
  record Document(String contentType, byte[] body) {}
}
