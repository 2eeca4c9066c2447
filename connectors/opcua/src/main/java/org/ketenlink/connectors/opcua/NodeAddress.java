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
   * A browse path from the Objects folder, e.g. {@code [line1, cnc1, Monitoring, SpindleSpeed]}.
   * Every name is in {@code namespaceUri} unless {@code elementNamespaces} gives the name its own
   * (a non-empty URI at the same position), as standard models need: {@code
   * Machines/Press7/MachineryBuildingBlocks/MachineryItemState/CurrentState} has names from the
   * Machinery namespace, the vendor's and namespace 0. Resolved with TranslateBrowsePathsToNodeIds
   * on every (re)connect.
   *
   * @param elementNamespaces per name, its namespace URI or "" for {@code namespaceUri}; an empty
   *     list: all names in {@code namespaceUri}
   */
  record ByPath(String namespaceUri, List<String> browseNames, List<String> elementNamespaces)
      implements NodeAddress {
    public ByPath {
      // Not List.copyOf: a null name must reach validation as a listed problem, not as an NPE.
      browseNames =
          browseNames == null ? null : Collections.unmodifiableList(new ArrayList<>(browseNames));
      elementNamespaces =
          elementNamespaces == null
              ? List.of()
              : Collections.unmodifiableList(new ArrayList<>(elementNamespaces));
    }

    /** Every name in {@code namespaceUri}. */
    public ByPath(String namespaceUri, List<String> browseNames) {
      this(namespaceUri, browseNames, List.of());
    }

    /** The namespace URI of the {@code i}-th name. */
    public String namespaceOf(int i) {
      if (i < elementNamespaces.size()) {
        String own = elementNamespaces.get(i);
        if (own != null && !own.isEmpty()) {
          return own;
        }
      }
      return namespaceUri;
    }

    @Override
    public String toString() {
      if (browseNames == null) {
        return "[]";
      }
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < browseNames.size(); i++) {
        if (i > 0) {
          b.append('/');
        }
        if (!namespaceOf(i).equals(namespaceUri)) {
          b.append('{').append(namespaceOf(i)).append('}');
        }
        b.append(browseNames.get(i));
      }
      return b.toString();
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
