package org.ketenlink.gateway;

import org.junit.jupiter.api.Order;

/**
 * BrokerOutageIT mostly waits, so it runs beside the other test classes
 * (junit-platform.properties). Test classes whose results depend on timing — a simulator at
 * hundreds of times real time, a period that must close within a second, a rate limit, a crash —
 * hold {@link #SENSITIVE} and run last ({@link #LAST}), so they neither share the machine with it
 * nor wait for it.
 */
final class Timing {

  /** The resource lock of timing-sensitive test classes and of BrokerOutageIT. */
  static final String SENSITIVE = "the machine's CPU, for timing-sensitive tests";

  /** The order of timing-sensitive test classes: after every other. */
  static final int LAST = Order.DEFAULT + 1;

  private Timing() {}
}
