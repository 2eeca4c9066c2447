package org.ketenlink.simulator;

/** The OPC UA built-in types the simulator's variables use. */
enum SignalType {
  BOOLEAN,
  INT32,
  UINT16,
  UINT32,
  FLOAT,
  DOUBLE,
  STRING,
  /** A String in the model; published as LocalizedText with locale {@code en}. */
  LOCALIZED_TEXT,
  DATE_TIME
}
