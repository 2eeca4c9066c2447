package org.ketenlink.connectors.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of a source for status pages and metrics.
 *
 * @param endpoint the endpoint URL in use (or configured)
 * @param security the security policy and mode in use, e.g. {@code Basic256Sha256/SignAndEncrypt}
 * @param signalsConfigured signals in the configuration
 * @param signalsActive signals currently monitored with a good result
 * @param samplesReceived samples delivered to the sink since start
 * @param samplesDropped samples the source had to drop (queue overflow reported by the server)
 * @param reconnects times the session was lost and re-established
 * @param subscriptionRecoveries times subscriptions were re-created after the server lost them
 * @param problems current per-signal problems, e.g. {@code spindleSpeed: Bad_NodeIdUnknown}
 * @param lastError the last connection error, if any
 * @param since when the state last changed
 */
public record SourceStatus(
    String id,
    ConnectionState state,
    String endpoint,
    String security,
    int signalsConfigured,
    int signalsActive,
    long samplesReceived,
    long samplesDropped,
    long reconnects,
    long subscriptionRecoveries,
    List<String> problems,
    Optional<String> lastError,
    Instant since) {

  public SourceStatus {
    problems = List.copyOf(problems);
  }
}
