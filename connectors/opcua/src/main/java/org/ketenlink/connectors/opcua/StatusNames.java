package org.ketenlink.connectors.opcua;

import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;

/** The symbolic names of OPC UA status codes, for status pages and logs. */
final class StatusNames {

  private StatusNames() {}

  /** E.g. {@code Bad_NodeIdUnknown}, or {@code 0x80340000} for a code without a name. */
  static String name(StatusCode code) {
    return name(code == null ? 0 : code.value());
  }

  static String name(long code) {
    long withoutInfoBits = code & 0xFFFF0000L;
    return StatusCodes.lookup(withoutInfoBits)
        .map(s -> s[0])
        .orElse(String.format("0x%08X", withoutInfoBits));
  }

  /** E.g. {@code The node id refers to a node that does not exist in the server address space.} */
  static String description(long code) {
    return StatusCodes.lookup(code & 0xFFFF0000L).map(s -> s[1]).orElse("");
  }
}
