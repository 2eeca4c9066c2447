package org.ketenlink.simulator;

/** The OPC UA built-in types the simulator's variables use. */
enum SignalType {
  BOOLEAN,
  INT32,
  UINT16,
  UINT32,
  DOUBLE,
  STRING,
  DATE_TIME
}
