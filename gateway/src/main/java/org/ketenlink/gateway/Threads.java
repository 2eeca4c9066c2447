package org.ketenlink.gateway;

import java.util.concurrent.ThreadFactory;

/** The gateway's own background threads: named, and never keeping the JVM alive. */
final class Threads {
  private Threads() {}

  /** A factory for daemon threads all called {@code name}. */
  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
