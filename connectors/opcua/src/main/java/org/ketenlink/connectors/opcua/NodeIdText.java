package org.ketenlink.connectors.opcua;

import java.util.Optional;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.UaRuntimeException;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;

/** Node ids in their text forms ({@code ns=}, {@code nsu=}) and their resolution. */
final class NodeIdText {

  private static final String FORMS =
      "use ns=<index>;s=<name>, nsu=<namespace URI>;s=<name>, i=<number>, g=<guid> or b=<base64>";

  private NodeIdText() {}

  /** Why {@code text} is not a node id, or null when it is one. */
  static String problem(String text) {
    if (text == null || text.isBlank()) {
      return "nodeId must be set";
    }
    try {
      ExpandedNodeId x = ExpandedNodeId.parse(text.trim());
      if (!x.isLocal()) {
        return "nodeId " + quoted(text) + " points to another server (svr=/svu=)";
      }
      return null;
    } catch (UaRuntimeException | IllegalArgumentException e) {
      return "nodeId " + quoted(text) + " is not a node id (" + FORMS + ")";
    }
  }

  /**
   * The node id {@code text} names on the server whose namespaces are {@code table}; empty when it
   * is in the {@code nsu=} form and the server does not (yet) have that namespace.
   */
  static Optional<NodeId> resolve(String text, NamespaceTable table) {
    ExpandedNodeId x = ExpandedNodeId.parse(text.trim());
    return x.toNodeId(table);
  }

  /** The namespace URI an {@code nsu=} node id names, if it names one. */
  static Optional<String> namespaceUri(String text) {
    return Optional.ofNullable(ExpandedNodeId.parse(text.trim()).getNamespaceUri());
  }

  /** The restart-proof text form {@code nsu=<uri>;s=...}, or the index form when unknown. */
  static String withUri(NodeId id, NamespaceTable table) {
    if (id.getNamespaceIndex().intValue() != 0 && table.get(id.getNamespaceIndex()) != null) {
      return id.expanded(table).toParseableString();
    }
    return id.toParseableString();
  }

  private static String quoted(String s) {
    return "'" + s + "'";
  }
}
