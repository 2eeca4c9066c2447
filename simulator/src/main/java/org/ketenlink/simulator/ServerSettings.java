package org.ketenlink.simulator;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How the simulator's OPC UA server listens, secures itself and whom it lets in.
 *
 * @param bindAddress local address to listen on, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param hostname name or address advertised in the endpoint URLs; clients connect to it
 * @param port TCP port; {@code 0} picks a free port once, which restarts then keep
 * @param pkiDir folder holding the server's own certificate, trust list and rejected certificates
 * @param allowInsecure whether sessions may use SecurityPolicy None (discovery always may)
 * @param allowAnonymous whether the anonymous user token is offered
 * @param users username to password for UserName tokens; empty offers no UserName token
 * @param applicationName application name shown to clients and used in the certificate
 */
record ServerSettings(
    String bindAddress,
    String hostname,
    int port,
    Path pkiDir,
    boolean allowInsecure,
    boolean allowAnonymous,
    Map<String, String> users,
    String applicationName) {

  ServerSettings {
    Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(pkiDir, "pkiDir");
    Objects.requireNonNull(applicationName, "applicationName");
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: must be 0..65535, was " + port);
    }
    users = Map.copyOf(users);
  }
}
