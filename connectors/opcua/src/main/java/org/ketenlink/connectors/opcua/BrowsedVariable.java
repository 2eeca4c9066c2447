package org.ketenlink.connectors.opcua;

import java.util.List;
import java.util.Optional;
import org.ketenlink.connectors.api.Unit;

/**
 * A variable found by {@link OpcUaBrowser}, with what a configuration needs.
 *
 * @param nodeId the restart-proof node id, e.g. {@code
 *     nsu=urn:ketenlink:simulator:fieldlab;s=line1/cnc1/Monitoring/SpindleSpeed}
 * @param browsePath the browse names from the Objects folder, e.g. {@code [line1, cnc1, Monitoring,
 *     SpindleSpeed]}
 * @param namespaceUri the namespace of the node id
 * @param dataType the data type's name, e.g. {@code Double}
 * @param unit the EngineeringUnits the server declares, if any
 * @param readable whether the gateway's user may read the value
 */
public record BrowsedVariable(
    String nodeId,
    List<String> browsePath,
    String namespaceUri,
    String dataType,
    Optional<Unit> unit,
    boolean readable) {

  public BrowsedVariable {
    browsePath = List.copyOf(browsePath);
  }

  /** The browse path as one string, e.g. {@code line1/cnc1/Monitoring/SpindleSpeed}. */
  public String path() {
    return String.join("/", browsePath);
  }
}
