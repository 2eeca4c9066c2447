package org.ketenlink.connectors.api;

/**
 * Where a source delivers what it reads. Called on the source's own threads (for OPC UA: Milo's
 * subscription callback thread), so implementations must hand over and return at once, never block.
 * Samples of one signal arrive in order.
 */
public interface SampleSink {

  /** A new value. */
  void onSample(Sample sample);

  /** Metadata resolved for a signal (at start and again after every recovery). */
  default void onSignalInfo(SignalInfo info) {}
}
