/**
 * The vendor-neutral model shared by all connectors: immutable records for samples, quality, asset
 * paths and order/production events, and the service-provider interfaces that sources and links
 * implement. Nothing in here depends on a protocol library.
 */
package org.ketenlink.connectors.api;
