package org.ketenlink.gateway;

import java.time.Instant;
import java.util.Optional;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.connectors.api.Value;

/**
 * A sample in the vendor-neutral model, ready to encode.
 *
 * @param seq the stream's sequence number within this gateway run, from 1, without gaps
 */
record NormalisedSample(
    StreamSpec stream,
    Value value,
    Optional<Unit> unit,
    Quality quality,
    long statusCode,
    Instant sourceTime,
    Instant receivedTime,
    Instant gatewayTime,
    long seq) {}
