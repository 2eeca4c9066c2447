/**
 * The journal: one durable, append-only, checksummed, segmented log per MQTT link, between the
 * pipeline and the link. {@link org.ketenlink.gateway.journal.Journal} is the front door; the
 * on-disk format and the guarantees are described there.
 */
package org.ketenlink.gateway.journal;
