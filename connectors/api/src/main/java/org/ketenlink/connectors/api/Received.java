package org.ketenlink.connectors.api;

/**
 * A message that arrived on a subscription.
 *
 * @param topic the topic it was published to
 * @param payload the bytes, as published
 */
public record Received(String topic, byte[] payload) {}
