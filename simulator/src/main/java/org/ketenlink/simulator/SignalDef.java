package org.ketenlink.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One variable of a simulated machine, independent of OPC UA.
 *
 * @param machineId the owning machine, e.g. {@code cnc1}
 * @param path the variable's path below the machine object, e.g. {@code Monitoring/SpindleSpeed};
 *     also its node id below the machine, its key and the address faults use
 * @param type its data type
 * @param unit its engineering unit, if it is an analog measurement
 * @param range its normal operating range (EURange), if it has one
 * @param description what it means, shown as the node's description
 * @param browseNamespaces the namespace of each segment's browse name, one per segment of {@code
 *     path}; all {@link BrowseNamespace#FIELDLAB} except in the standard views
 */
record SignalDef(
    String machineId,
    String path,
    SignalType type,
    Optional<EngineeringUnit> unit,
    Optional<Range> range,
    String description,
    List<BrowseNamespace> browseNamespaces) {

  /** An EURange: the values the signal normally takes. */
  record Range(double low, double high) {}

  SignalDef {
    browseNamespaces = List.copyOf(browseNamespaces);
    int segments = path.split("/", -1).length;
    if (browseNamespaces.size() != segments) {
      throw new IllegalArgumentException(
          machineId
              + "/"
              + path
              + ": "
              + browseNamespaces.size()
              + " browse namespaces for "
              + segments
              + " path segments");
    }
  }

  static SignalDef plain(String machineId, String path, SignalType type, String description) {
    return new SignalDef(
        machineId, path, type, Optional.empty(), Optional.empty(), description, fieldlab(path));
  }

  static SignalDef analog(
      String machineId,
      String path,
      EngineeringUnit unit,
      double low,
      double high,
      String description) {
    return new SignalDef(
        machineId,
        path,
        SignalType.DOUBLE,
        Optional.of(unit),
        Optional.of(new Range(low, high)),
        description,
        fieldlab(path));
  }

  /**
   * A variable of a standard view, its path written with a namespace prefix per segment, e.g.
   * {@code machinery:MachineryBuildingBlocks/machinery:MachineryItemState/ua:CurrentState}. The
   * prefixes ({@code ua}, {@code machinery}, {@code packml}; none for the simulator's namespace)
   * only choose the browse names' namespaces: {@link #path()} drops them.
   *
   * @throws IllegalArgumentException for an unknown prefix or an empty segment
   */
  static SignalDef standard(
      String machineId, String browsePath, SignalType type, String description) {
    List<String> names = new ArrayList<>();
    List<BrowseNamespace> namespaces = new ArrayList<>();
    for (String segment : browsePath.split("/", -1)) {
      int colon = segment.indexOf(':');
      String prefix = colon < 0 ? "" : segment.substring(0, colon);
      String name = segment.substring(colon + 1);
      BrowseNamespace ns =
          BrowseNamespace.ofPrefix(prefix)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          browsePath + ": unknown browse-name prefix '" + prefix + "'"));
      if (name.isEmpty()) {
        throw new IllegalArgumentException(browsePath + ": empty segment");
      }
      names.add(name);
      namespaces.add(ns);
    }
    return new SignalDef(
        machineId,
        String.join("/", names),
        type,
        Optional.empty(),
        Optional.empty(),
        description,
        namespaces);
  }

  private static List<BrowseNamespace> fieldlab(String path) {
    return Collections.nCopies(path.split("/", -1).length, BrowseNamespace.FIELDLAB);
  }

  /** The key that identifies the signal across the whole plant, e.g. {@code cnc1/State/X}. */
  String key() {
    return machineId + "/" + path;
  }

  /** The last path segment: the variable's browse name. */
  String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The folders between the machine object and the variable, possibly empty. */
  String folder() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  /** The namespace of the variable's own browse name. */
  BrowseNamespace nameNamespace() {
    return browseNamespaces.get(browseNamespaces.size() - 1);
  }

  /** True for a variable of a standard view: some segment is outside the simulator namespace. */
  boolean standardView() {
    return browseNamespaces.stream().anyMatch(ns -> ns != BrowseNamespace.FIELDLAB);
  }

  /** The path with its namespace prefixes, as {@link #standard} takes it. */
  String browsePath() {
    String[] names = path.split("/", -1);
    List<String> qualified = new ArrayList<>(names.length);
    for (int i = 0; i < names.length; i++) {
      qualified.add(browseNamespaces.get(i).qualify(names[i]));
    }
    return String.join("/", qualified);
  }
}
