package org.ketenlink.gateway;

/** The gateway's version, from the jar manifest. */
final class Version {
  private Version() {}

  static String current() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-dev" : v;
  }
}
