/**
 * The OPC UA source (Eclipse Milo client). Milo types never leave this package: everything the
 * gateway sees is expressed in {@code org.ketenlink.connectors.api} types.
 */
package org.ketenlink.connectors.opcua;
