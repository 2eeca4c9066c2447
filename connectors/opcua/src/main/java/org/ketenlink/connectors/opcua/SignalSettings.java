package org.ketenlink.connectors.opcua;

import java.time.Duration;

/**
 * One signal of a source: which node to monitor and how.
 *
 * @param id the signal's id within its source, e.g. {@code spindleSpeed}
 * @param address where the node is
 * @param samplingInterval how often the server samples the node; {@link Duration#ZERO} asks for the
 *     fastest rate the server supports
 * @param queueSize how many values the server keeps per publishing interval (at least 1)
 * @param deadband which changes the server reports
 */
public record SignalSettings(
    String id, NodeAddress address, Duration samplingInterval, int queueSize, Deadband deadband) {

  /** A signal with the default sampling interval, queue size and no deadband. */
  public static SignalSettings of(String id, NodeAddress address) {
    return new SignalSettings(
        id,
        address,
        OpcUaSourceSettings.DEFAULT_SAMPLING_INTERVAL,
        OpcUaSourceSettings.DEFAULT_QUEUE_SIZE,
        Deadband.NONE);
  }

  public SignalSettings withSamplingInterval(Duration interval) {
    return new SignalSettings(id, address, interval, queueSize, deadband);
  }

  public SignalSettings withQueueSize(int size) {
    return new SignalSettings(id, address, samplingInterval, size, deadband);
  }

  public SignalSettings withDeadband(Deadband band) {
    return new SignalSettings(id, address, samplingInterval, queueSize, band);
  }
}
