package org.ketenlink.connectors.api;

import java.time.Instant;

/**
 * One value of one signal as a source delivered it, before normalisation.
 *
 * @param sourceId the configured source, e.g. {@code cnc1}
 * @param signalId the configured signal within the source, e.g. {@code spindleSpeed}
 * @param value the value; {@link Value.None} when the source had none
 * @param quality good, uncertain or bad
 * @param statusCode the raw OPC UA status code (unsigned 32 bits)
 * @param sourceTime when the device measured it (the server time, then the receive time, when the
 *     device gave none)
 * @param receivedTime when the gateway received it
 */
public record Sample(
    String sourceId,
    String signalId,
    Value value,
    Quality quality,
    long statusCode,
    Instant sourceTime,
    Instant receivedTime) {}
