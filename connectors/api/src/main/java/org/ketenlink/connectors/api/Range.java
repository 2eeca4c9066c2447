package org.ketenlink.connectors.api;

/** A value range, e.g. an OPC UA EURange. */
public record Range(double low, double high) {}
