package org.ketenlink.gateway.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One segment file. The appender writes it while it is active and publishes each record through the
 * volatile {@link #lastId}; readers only look at records up to the published id, which are
 * immutable once written.
 *
 * <p>Files are accessed through {@link RandomAccessFile}, not {@code FileChannel}: an interrupt of
 * a thread inside a {@code FileChannel} operation closes the channel for every thread, and the
 * pipeline and sender threads do get interrupted on shutdown. One descriptor writes (sequentially,
 * owned by the appender), another reads (used only under the journal's structure lock).
 */
final class Segment {

  /** Every {@code INDEX_EVERY}-th record's position is kept, to find an id without a full scan. */
  static final int INDEX_SHIFT = 6;

  final long firstId;
  final Path path;

  private RandomAccessFile writer;
  private RandomAccessFile reader;
  private boolean closed;

  /** The newest published record; {@code firstId - 1} while empty. Written last when publishing. */
  volatile long lastId;

  /** Bytes of the file that hold published records (header included). */
  volatile long size;

  /** Append time of the newest published record. */
  volatile long lastAppendMillis;

  private volatile int[] index = new int[16];

  private Segment(Path path, long firstId) {
    this.path = path;
    this.firstId = firstId;
    this.lastId = firstId - 1;
    this.size = RecordFormat.SEGMENT_HEADER_BYTES;
  }

  static Segment create(Path dir, long firstId, boolean force) throws IOException {
    Segment segment = new Segment(dir.resolve(RecordFormat.segmentName(firstId)), firstId);
    RandomAccessFile raf = new RandomAccessFile(segment.path.toFile(), "rw");
    try {
      raf.setLength(0);
      raf.write(RecordFormat.segmentHeader(firstId));
      if (force) {
        raf.getFD().sync();
      }
    } catch (IOException e) {
      raf.close();
      throw e;
    }
    segment.writer = raf;
    return segment;
  }

  /** A segment found on disk; its records are added by recovery through {@link #publish}. */
  static Segment existing(Path path, long firstId) {
    return new Segment(path, firstId);
  }

  boolean isEmpty() {
    return lastId < firstId;
  }

  /** Count of published records. */
  long records() {
    return lastId - firstId + 1;
  }

  /** Appender only: makes the record at {@code position} ending at {@code end} visible. */
  void publish(long id, long position, long end, long appendedAtMillis) {
    long ordinal = id - firstId;
    if ((ordinal & ((1 << INDEX_SHIFT) - 1)) == 0) {
      int slot = (int) (ordinal >>> INDEX_SHIFT);
      int[] current = index;
      if (slot >= current.length) {
        current = Arrays.copyOf(current, current.length * 2);
      }
      current[slot] = (int) position;
      index = current;
    }
    lastAppendMillis = appendedAtMillis;
    size = end;
    lastId = id;
  }

  /** The position of an indexed record at or before {@code id}, and that record's id. */
  long[] indexFloor(long id) {
    long slot = (id - firstId) >>> INDEX_SHIFT;
    int[] current = index;
    return new long[] {current[(int) slot], firstId + (slot << INDEX_SHIFT)};
  }

  void openWriterAt(long position) throws IOException {
    RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw");
    raf.seek(position);
    synchronized (this) {
      writer = raf;
    }
  }

  /** Appender only, on the active segment. */
  void write(byte[] buf, int length) throws IOException {
    writer.write(buf, 0, length);
  }

  /** Appender only: after a failed write, the next record goes where the failed one started. */
  void rewindWriter(long position) throws IOException {
    writer.seek(position);
  }

  synchronized void syncWriter() throws IOException {
    if (writer != null && !closed) {
      writer.getFD().sync();
    }
  }

  synchronized void syncAndCloseWriter(boolean sync) throws IOException {
    if (writer != null) {
      try {
        if (sync && !closed) {
          writer.getFD().sync();
        }
      } finally {
        writer.close();
        writer = null;
      }
    }
  }

  /** Under the journal's structure lock (or during recovery). */
  void readFully(long position, byte[] buf, int off, int length) throws IOException {
    if (reader == null) {
      reader = new RandomAccessFile(path.toFile(), "r");
    }
    reader.seek(position);
    reader.readFully(buf, off, length);
  }

  /** Recovery only: cuts a damaged tail. */
  void truncate(long length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.setLength(length);
      raf.getFD().sync();
    }
  }

  /** Recovery only: a segment whose header was torn becomes an empty segment again. */
  void rewriteHeader() throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.setLength(0);
      raf.write(RecordFormat.segmentHeader(firstId));
      raf.getFD().sync();
    }
  }

  synchronized void close() throws IOException {
    closed = true;
    try {
      if (writer != null) {
        writer.close();
      }
    } finally {
      writer = null;
      if (reader != null) {
        reader.close();
        reader = null;
      }
    }
  }

  void delete() throws IOException {
    close();
    Files.deleteIfExists(path);
  }

  @Override
  public String toString() {
    return path.getFileName().toString();
  }
}
