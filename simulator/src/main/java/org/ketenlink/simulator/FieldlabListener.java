package org.ketenlink.simulator;

import org.ketenlink.simulator.Scenario.FaultSpec;

/**
 * Receives what the simulation model changes. Called on the simulation thread only, in the order
 * the changes happen; implementations must not block.
 */
interface FieldlabListener {

  /** A variable comes into existence (at start, or when an order is stored). */
  void signalAdded(SignalDef def, Object value, long simMillis);

  /** A variable takes a new value. */
  void signalChanged(SignalDef def, Object value, long simMillis);

  /** A timeline fault the model does not play itself (sessions, server, signal status). */
  void faultDue(FaultSpec fault);

  FieldlabListener NONE =
      new FieldlabListener() {
        @Override
        public void signalAdded(SignalDef def, Object value, long simMillis) {}

        @Override
        public void signalChanged(SignalDef def, Object value, long simMillis) {}

        @Override
        public void faultDue(FaultSpec fault) {}
      };
}
