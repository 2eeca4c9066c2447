package org.ketenlink.gateway.journal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A read buffer over one segment at a time, so that scanning and replay read large sequential
 * chunks instead of one small read per record. It only ever holds bytes below the limit it was
 * filled with, and published bytes never change, so it is never stale. Not thread-safe: recovery
 * owns one, and the journal's readers share one under the structure lock.
 */
final class ReadWindow {

  private static final int CHUNK = 1 << 20;

  private byte[] buf = new byte[CHUNK];
  private ByteBuffer view = ByteBuffer.wrap(buf);
  private Segment segment;
  private long start;
  private int length;

  /**
   * Makes bytes {@code [position, position + n)} of the segment available and returns their offset
   * in {@link #bytes()}, or -1 if they reach beyond {@code limit}.
   */
  int ensure(Segment s, long position, int n, long limit) throws IOException {
    if (position + n > limit) {
      return -1;
    }
    if (s == segment && position >= start && position + n <= start + length) {
      return (int) (position - start);
    }
    if (n > buf.length) {
      buf = new byte[Math.max(n, buf.length * 2)];
      view = ByteBuffer.wrap(buf);
    }
    int read = (int) Math.min(buf.length, limit - position);
    segment = null;
    s.readFully(position, buf, 0, read);
    segment = s;
    start = position;
    length = read;
    return 0;
  }

  byte[] bytes() {
    return buf;
  }

  ByteBuffer view() {
    return view;
  }

  void forget(Segment s) {
    if (segment == s) {
      segment = null;
    }
  }
}
