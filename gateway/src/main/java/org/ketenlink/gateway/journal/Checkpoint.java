package org.ketenlink.gateway.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The delivered watermark on disk: {@code checkpoint}, 20 bytes: magic "KLCP" (int) | version (int)
 * | watermark (long) | crc32c of the first 16 bytes (int). Replaced atomically (write a temporary
 * file, force it, rename over the old one, force the directory), so a crash leaves either the old
 * or the new checkpoint, never a mixture.
 */
final class Checkpoint {

  static final String FILE = "checkpoint";
  private static final String TEMP = "checkpoint.tmp";
  private static final int MAGIC = 0x4B4C4350; // "KLCP"
  private static final int VERSION = 1;
  private static final int BYTES = 20;

  private Checkpoint() {}

  /**
   * The stored watermark, 0 if there is none; -1 if the file is damaged (which the atomic
   * replacement makes very unlikely), so the caller can log it and redeliver everything.
   */
  static long read(Path dir) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(dir.resolve(FILE));
    } catch (NoSuchFileException e) {
      return 0;
    }
    if (bytes.length != BYTES) {
      return -1;
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, 16);
    if (buf.getInt(0) != MAGIC
        || buf.getInt(4) != VERSION
        || buf.getInt(16) != (int) crc.getValue()) {
      return -1;
    }
    return Math.max(0, buf.getLong(8));
  }

  static void write(Path dir, long watermark, boolean force) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(BYTES).putInt(MAGIC).putInt(VERSION).putLong(watermark);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, 16);
    buf.putInt((int) crc.getValue()).flip();
    Path temp = dir.resolve(TEMP);
    try (FileChannel ch =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      if (force) {
        ch.force(true);
      }
    }
    Files.move(
        temp,
        dir.resolve(FILE),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (force) {
      forceDirectory(dir);
    }
  }

  /**
   * Makes created, renamed and deleted directory entries durable. Not every platform can open a
   * directory (Windows cannot); there this is skipped and a power loss may forget a rename.
   */
  static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort, see above
    }
  }
}
