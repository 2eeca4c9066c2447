/**
 * The MQTT link (Eclipse Paho MQTT 5 client). Paho types never leave this package: everything the
 * gateway sees is expressed in {@code org.ketenlink.connectors.api} types.
 */
package org.ketenlink.connectors.mqtt;
