package org.ketenlink.connectors.opcua;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Where a signal lives in a server's address space. */
public sealed interface NodeAddress {

  /**
   * A node id in the OPC UA text form: {@code ns=2;s=line1/cnc1/Speed}, {@code i=2258}, {@code
   * g=<guid>}, {@code b=<base64>}, or the restart-proof {@code nsu=<namespace URI>;s=...} whose
   * namespace index is looked up on every (re)connect.
   */
  record ById(String nodeId) implements NodeAddress {
    @Override
    public String toString() {
      return nodeId;
    }
  }

  /**
   * A browse path from the Objects folder, e.g. {@code [line1, cnc1, Monitoring, SpindleSpeed]};
   * every name is in {@code namespaceUri}. Resolved with TranslateBrowsePathsToNodeIds on every
   * (re)connect.
   */
  record ByPath(String namespaceUri, List<String> browseNames) implements NodeAddress {
    public ByPath {
      // Not List.copyOf: a null name must reach validation as a listed problem, not as an NPE.
      browseNames =
          browseNames == null ? null : Collections.unmodifiableList(new ArrayList<>(browseNames));
    }

    @Override
    public String toString() {
      return browseNames == null ? "[]" : String.join("/", browseNames);
    }
  }

  /** A node id, see {@link ById}. */
  static NodeAddress id(String nodeId) {
    return new ById(nodeId);
  }

  /** A browse path from the Objects folder, see {@link ByPath}. */
  static NodeAddress path(String namespaceUri, String... browseNames) {
    return new ByPath(namespaceUri, List.of(browseNames));
  }
}
