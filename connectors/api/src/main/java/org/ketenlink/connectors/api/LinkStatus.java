package org.ketenlink.connectors.api;

import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a link for status pages and metrics.
 *
 * @param broker the broker URI in use
 * @param inFlight publishes sent and not yet acknowledged
 * @param inFlightLimit the window: the smaller of the configured limit and the broker's Receive
 *     Maximum
 * @param queued publishes accepted and waiting for the window
 * @param published publishes sent
 * @param acknowledged publishes the broker acknowledged (QoS 1) or that were written (QoS 0)
 * @param rejected publishes refused because the link's queue was full
 * @param reconnects connections lost and re-established
 * @param lastError the last connection error, if any
 * @param since when the state last changed
 */
public record LinkStatus(
    String id,
    ConnectionState state,
    String broker,
    int inFlight,
    int inFlightLimit,
    int queued,
    long published,
    long acknowledged,
    long rejected,
    long reconnects,
    Optional<String> lastError,
    Instant since) {}
