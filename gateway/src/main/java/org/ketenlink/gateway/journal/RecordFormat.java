package org.ketenlink.gateway.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout, big-endian throughout.
 *
 * <pre>
 * segment file  {firstId, 20 digits}.seg
 *   header      magic "KLJS" (int) | version (short) | flags (short, 0) | firstId (long)   16 bytes
 *   records     length (int, payload bytes) | crc32c (int) | id (long) | appendedAtMillis (long)
 *               | payload                                                          24 + length bytes
 * </pre>
 *
 * The CRC32C covers id, appendedAtMillis and payload (the 16 + length bytes after the crc field),
 * so a record moved, torn or partly overwritten fails the check. Ids are consecutive inside a
 * segment, starting at the segment's first id.
 */
final class RecordFormat {

  static final int SEGMENT_MAGIC = 0x4B4C4A53; // "KLJS"
  static final short VERSION = 1;
  static final int SEGMENT_HEADER_BYTES = 16;
  static final int RECORD_HEADER_BYTES = 24;
  static final String SEGMENT_SUFFIX = ".seg";

  private RecordFormat() {}

  static String segmentName(long firstId) {
    return String.format("%020d%s", firstId, SEGMENT_SUFFIX);
  }

  /** The first id encoded in a segment file name, or -1 if the name is not a segment's. */
  static long firstIdOf(String fileName) {
    if (!fileName.endsWith(SEGMENT_SUFFIX) || fileName.length() != 20 + SEGMENT_SUFFIX.length()) {
      return -1;
    }
    try {
      return Long.parseLong(fileName.substring(0, 20));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static byte[] segmentHeader(long firstId) {
    return ByteBuffer.allocate(SEGMENT_HEADER_BYTES)
        .putInt(SEGMENT_MAGIC)
        .putShort(VERSION)
        .putShort((short) 0)
        .putLong(firstId)
        .array();
  }

  /** The checksum of the record at {@code off} in {@code buf}, which holds header and payload. */
  static int checksum(CRC32C crc, byte[] buf, int off, int payloadLength) {
    crc.reset();
    crc.update(buf, off + 8, 16 + payloadLength);
    return (int) crc.getValue();
  }
}
