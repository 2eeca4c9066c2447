package org.ketenlink.connectors.opcua;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.OpcUaDataType;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UByte;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathResult;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathTarget;
import org.eclipse.milo.opcua.stack.core.types.structured.EUInformation;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePath;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePathElement;
import org.ketenlink.connectors.api.Range;
import org.ketenlink.connectors.api.Unit;

/**
 * Reads what a server declares about variables: data type, EngineeringUnits, EURange and whether
 * the value is readable. Batched: per {@value #CHUNK} nodes one TranslateBrowsePaths and one or two
 * Reads, split further to the server's operation limits. Blocks; call it on the owner's thread,
 * never on a Milo callback thread.
 */
final class NodeMetadata {

  /** What a server declares about one variable. */
  record Info(String dataType, Optional<Unit> unit, Optional<Range> range, boolean readable) {}

  private static final int CHUNK = 250;
  private static final QualifiedName ENGINEERING_UNITS = new QualifiedName(0, "EngineeringUnits");
  private static final QualifiedName EU_RANGE = new QualifiedName(0, "EURange");
  private static final int CURRENT_READ = 0x01;

  private final OpcUaClient client;
  private final Map<NodeId, String> typeNames = new HashMap<>();

  NodeMetadata(OpcUaClient client) {
    this.client = client;
  }

  Map<NodeId, Info> read(List<NodeId> nodes) throws UaException {
    Map<NodeId, Info> result = new HashMap<>();
    for (int i = 0; i < nodes.size(); i += CHUNK) {
      result.putAll(readChunk(nodes.subList(i, Math.min(nodes.size(), i + CHUNK))));
    }
    return result;
  }

  private Map<NodeId, Info> readChunk(List<NodeId> nodes) throws UaException {
    NamespaceTable namespaces = client.getNamespaceTable();
    List<BrowsePath> paths = new ArrayList<>(nodes.size() * 2);
    for (NodeId n : nodes) {
      paths.add(propertyPath(n, ENGINEERING_UNITS));
      paths.add(propertyPath(n, EU_RANGE));
    }
    List<BrowsePathResult> found = Batches.translate(client, paths);

    List<ReadValueId> reads = new ArrayList<>();
    for (NodeId n : nodes) {
      reads.add(attribute(n, AttributeId.DataType));
      reads.add(attribute(n, AttributeId.AccessLevel));
      reads.add(attribute(n, AttributeId.UserAccessLevel));
    }
    NodeId[] propertyIds = new NodeId[paths.size()];
    for (int i = 0; i < found.size(); i++) {
      propertyIds[i] = target(found.get(i), namespaces);
      if (propertyIds[i] != null) {
        reads.add(attribute(propertyIds[i], AttributeId.Value));
      }
    }
    DataValue[] values = Batches.read(client, reads).toArray(DataValue[]::new);

    EncodingContext context = client.getStaticEncodingContext();
    List<NodeId> dataTypes = new ArrayList<>(nodes.size());
    int next = nodes.size() * 3;
    Map<NodeId, Optional<Unit>> units = new HashMap<>();
    Map<NodeId, Optional<Range>> ranges = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      Object dt = values[i * 3].value().value();
      dataTypes.add(dt instanceof NodeId id ? id : null);
      Optional<Unit> unit = Optional.empty();
      Optional<Range> range = Optional.empty();
      if (propertyIds[i * 2] != null) {
        unit = unit(values[next++], context);
      }
      if (propertyIds[i * 2 + 1] != null) {
        range = range(values[next++], context);
      }
      units.put(nodes.get(i), unit);
      ranges.put(nodes.get(i), range);
    }
    resolveTypeNames(dataTypes);

    Map<NodeId, Info> result = new HashMap<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeId n = nodes.get(i);
      if (!values[i * 3].statusCode().isGood()) {
        // Typically Bad_NodeIdUnknown: nothing to declare for a node that does not exist.
        continue;
      }
      NodeId dt = dataTypes.get(i);
      String typeName = dt == null ? "Unknown" : typeNames.getOrDefault(dt, dt.toParseableString());
      boolean readable =
          readable(values[i * 3 + 1].value().value(), values[i * 3 + 2].value().value());
      result.put(n, new Info(typeName, units.get(n), ranges.get(n), readable));
    }
    return result;
  }

  private void resolveTypeNames(List<NodeId> dataTypes) throws UaException {
    Set<NodeId> unknown = new LinkedHashSet<>();
    for (NodeId dt : dataTypes) {
      if (dt == null || typeNames.containsKey(dt)) {
        continue;
      }
      OpcUaDataType builtin = OpcUaDataType.fromNodeId(dt);
      if (builtin != null) {
        typeNames.put(dt, builtin.name());
      } else {
        unknown.add(dt);
      }
    }
    if (unknown.isEmpty()) {
      return;
    }
    List<NodeId> ids = List.copyOf(unknown);
    List<ReadValueId> reads =
        ids.stream().map(id -> attribute(id, AttributeId.BrowseName)).toList();
    List<DataValue> names = Batches.read(client, reads);
    for (int i = 0; i < ids.size(); i++) {
      Object name = names.get(i).value().value();
      typeNames.put(
          ids.get(i),
          name instanceof QualifiedName q && q.name() != null
              ? q.name()
              : ids.get(i).toParseableString());
    }
  }

  private static Optional<Unit> unit(DataValue dv, EncodingContext context) {
    Object v = dv.value().value();
    if (!(v instanceof ExtensionObject xo) || xo.isNull()) {
      return Optional.empty();
    }
    try {
      if (xo.decode(context) instanceof EUInformation eu) {
        Integer unitId = eu.getUnitId();
        String code = unitId != null && unitId > 0 ? Unit.codeOfUnitId(unitId) : "";
        String symbol = eu.getDisplayName() == null ? null : eu.getDisplayName().text();
        return Optional.of(new Unit(code, symbol == null ? "" : symbol));
      }
    } catch (RuntimeException e) {
      // Not an EUInformation after all: no unit.
    }
    return Optional.empty();
  }

  private static Optional<Range> range(DataValue dv, EncodingContext context) {
    Object v = dv.value().value();
    if (!(v instanceof ExtensionObject xo) || xo.isNull()) {
      return Optional.empty();
    }
    try {
      if (xo.decode(context) instanceof org.eclipse.milo.opcua.stack.core.types.structured.Range r
          && r.getLow() != null
          && r.getHigh() != null) {
        return Optional.of(new Range(r.getLow(), r.getHigh()));
      }
    } catch (RuntimeException e) {
      // Not a Range after all: no range.
    }
    return Optional.empty();
  }

  private static boolean readable(Object accessLevel, Object userAccessLevel) {
    if (!(accessLevel instanceof UByte level)) {
      return false;
    }
    boolean readable = (level.intValue() & CURRENT_READ) != 0;
    if (userAccessLevel instanceof UByte user) {
      readable &= (user.intValue() & CURRENT_READ) != 0;
    }
    return readable;
  }

  static BrowsePath propertyPath(NodeId node, QualifiedName property) {
    return new BrowsePath(
        node,
        new RelativePath(
            new RelativePathElement[] {
              new RelativePathElement(NodeIds.HasProperty, false, false, property)
            }));
  }

  static ReadValueId attribute(NodeId node, AttributeId attribute) {
    return new ReadValueId(node, attribute.uid(), null, QualifiedName.NULL_VALUE);
  }

  /**
   * The browse path from the Objects folder that {@code address} names, with each name's namespace
   * index from {@code namespaces}; empty when one of its namespaces is not on the server ({@link
   * #missingNamespace} names it).
   */
  static java.util.Optional<BrowsePath> path(
      NodeAddress.ByPath address, org.eclipse.milo.opcua.stack.core.NamespaceTable namespaces) {
    List<String> names = address.browseNames();
    RelativePathElement[] elements = new RelativePathElement[names.size()];
    for (int i = 0; i < elements.length; i++) {
      UShort ns = namespaces.getIndex(address.namespaceOf(i));
      if (ns == null) {
        return java.util.Optional.empty();
      }
      elements[i] =
          new RelativePathElement(
              NodeIds.HierarchicalReferences, false, true, new QualifiedName(ns, names.get(i)));
    }
    return java.util.Optional.of(new BrowsePath(NodeIds.ObjectsFolder, new RelativePath(elements)));
  }

  /** The first namespace of {@code address} that the server does not have, if any. */
  static java.util.Optional<String> missingNamespace(
      NodeAddress.ByPath address, org.eclipse.milo.opcua.stack.core.NamespaceTable namespaces) {
    for (int i = 0; i < address.browseNames().size(); i++) {
      if (namespaces.getIndex(address.namespaceOf(i)) == null) {
        return java.util.Optional.of(address.namespaceOf(i));
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * The browse path from {@code start} along hierarchical references through {@code names}, all in
   * namespace {@code ns}.
   */
  static BrowsePath path(NodeId start, UShort ns, List<String> names) {
    RelativePathElement[] elements = new RelativePathElement[names.size()];
    for (int i = 0; i < elements.length; i++) {
      elements[i] =
          new RelativePathElement(
              NodeIds.HierarchicalReferences, false, true, new QualifiedName(ns, names.get(i)));
    }
    return new BrowsePath(start, new RelativePath(elements));
  }

  /** The node a browse path found, if it found exactly a whole path. */
  static NodeId target(BrowsePathResult result, NamespaceTable namespaces) {
    if (result == null || !result.getStatusCode().isGood()) {
      return null;
    }
    BrowsePathTarget[] targets = result.getTargets();
    if (targets == null) {
      return null;
    }
    for (BrowsePathTarget t : targets) {
      if (t.getRemainingPathIndex() == null
          || t.getRemainingPathIndex().longValue() == 0xFFFFFFFFL) {
        Optional<NodeId> id = t.getTargetId().toNodeId(namespaces);
        if (id.isPresent()) {
          return id.get();
        }
      }
    }
    return null;
  }
}
