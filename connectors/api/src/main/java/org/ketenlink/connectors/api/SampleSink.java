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

  /**
   * The end of one delivery (for OPC UA: one publish of a subscription): the samples {@code
   * sourceId} handed over since its previous call belong to one publishing cycle, so whoever
   * batches values can close the batch here.
   */
  default void onCycleEnd(String sourceId) {}
}
