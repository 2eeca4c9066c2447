package org.ketenlink.gateway.journal;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The delivered watermark: the highest id such that every id up to it is acknowledged or gone
 * (dropped, or lost to corruption). Acks may arrive out of order; those above the watermark wait in
 * {@code pending} until the gap below them closes. Ranges of ids that no longer exist (gaps left by
 * corruption) wait in {@code gone} the same way.
 *
 * <p>All methods are synchronized: the sender acknowledges, the appender and the sync thread drop.
 * In-order acks, the common case, touch neither collection and allocate nothing.
 */
final class Acks {

  private volatile long watermark;
  private final TreeSet<Long> pending = new TreeSet<>();
  private final TreeMap<Long, Long> gone = new TreeMap<>();
  private long acknowledged;

  Acks(long watermark) {
    this.watermark = watermark;
  }

  long watermark() {
    return watermark;
  }

  synchronized long acknowledged() {
    return acknowledged;
  }

  synchronized int pendingCount() {
    return pending.size();
  }

  /** Returns whether the watermark advanced. */
  synchronized boolean acknowledge(long id) {
    long w = watermark;
    if (id <= w) {
      return false;
    }
    if (id == w + 1) {
      acknowledged++;
      watermark = id;
      if (!pending.isEmpty() || !gone.isEmpty()) {
        advance();
      }
      return true;
    }
    if (pending.add(id)) {
      acknowledged++;
    }
    return false;
  }

  /**
   * Ids {@code from..to} no longer exist. Returns how many of them were still undelivered (neither
   * below the watermark nor acknowledged).
   */
  synchronized long markGone(long from, long to) {
    long w = watermark;
    long start = Math.max(from, w + 1);
    if (to < start) {
      return 0;
    }
    long undelivered = (to - start + 1) - pending.subSet(start, true, to, true).size();
    if (start == w + 1) {
      watermark = to;
    } else {
      gone.merge(start, to, Math::max);
    }
    advance();
    return undelivered;
  }

  /** {@code id}, or the first id after the gone range that contains it. */
  synchronized long skipGone(long id) {
    Map.Entry<Long, Long> range = gone.floorEntry(id);
    return range != null && range.getValue() >= id ? range.getValue() + 1 : id;
  }

  private void advance() {
    long w = watermark;
    while (true) {
      if (!pending.isEmpty() && pending.first() <= w + 1) {
        w = Math.max(w, pending.pollFirst());
      } else if (!gone.isEmpty() && gone.firstKey() <= w + 1) {
        Map.Entry<Long, Long> range = gone.pollFirstEntry();
        w = Math.max(w, range.getValue());
      } else {
        break;
      }
    }
    watermark = w;
  }
}
