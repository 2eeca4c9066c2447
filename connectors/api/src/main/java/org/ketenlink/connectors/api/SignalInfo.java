package org.ketenlink.connectors.api;

import java.util.Optional;

/**
 * What a source learned about a signal from the device: where it is, its type, unit and range.
 *
 * @param nodeId the resolved address, e.g. {@code ns=2;s=line1/cnc1/Monitoring/SpindleSpeed}
 * @param dataType the device's data type name, e.g. {@code Double}
 * @param unit the engineering unit the device declares, if any
 * @param range the device's EURange, if any
 */
public record SignalInfo(
    String sourceId,
    String signalId,
    String nodeId,
    String dataType,
    Optional<Unit> unit,
    Optional<Range> range) {}
