/**
 * The OPC UA source (Eclipse Milo client). Milo types never leave this package: everything the
 * gateway sees is expressed in JDK and {@code org.ketenlink.connectors.api} types.
 *
 * <p>The front door: {@link org.ketenlink.connectors.opcua.OpcUaSource} (one server, its signals,
 * recovery), configured by {@link org.ketenlink.connectors.opcua.OpcUaSourceSettings} and {@link
 * org.ketenlink.connectors.opcua.SignalSettings}; {@link org.ketenlink.connectors.opcua.OpcUaPki}
 * (the gateway's application certificate and trust list, shared by all sources); and {@link
 * org.ketenlink.connectors.opcua.OpcUaBrowser} (discovery for the command line). Everything else is
 * package-private.
 */
package org.ketenlink.connectors.opcua;
