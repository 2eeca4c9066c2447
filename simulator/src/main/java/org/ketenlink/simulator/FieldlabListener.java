package org.ketenlink.simulator;

import java.util.List;
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

  /**
   * A machine's orders after a model step or command that may have changed them, with the source
   * time of that step's order variables; unchanged snapshots are reported too.
   */
  default void ordersPublished(
      String machineId, List<GroundTruth.OrderTruth> orders, long simMillis) {}

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
