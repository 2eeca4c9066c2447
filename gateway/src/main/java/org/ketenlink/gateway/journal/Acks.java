package org.ketenlink.gateway.journal;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The delivered watermark: the highest id such that every id up to it is acknowledged or gone
 * (dropped, or lost to corruption). Acks may arrive out of order; those above the watermark wait in
 * {@code pending} until the gap below them closes. Ranges of ids that no longer exist (gaps left by
 * corruption) wait in {@code gone} the same way.
 *
 * <p>Records a reader was handed (up to {@link #handedOut}) may be dropped while the link still
 * holds them; they are only counted as lost once it is clear they were not delivered. Until then
 * they wait in {@code droppedInFlight}, with the reason they were dropped for: an ack removes one
 * (it was delivered after all), {@link #settleInFlight} counts what is left when the journal
 * closes.
 *
 * <p>All methods are synchronized: the sender acknowledges, the appender and the sync thread drop.
 * In-order acks, the common case, touch no collection and allocate nothing.
 */
final class Acks {

  private volatile long watermark;
  private final TreeSet<Long> pending = new TreeSet<>();
  private final TreeMap<Long, Long> gone = new TreeMap<>();
  private final TreeMap<Long, AtomicLong> droppedInFlight = new TreeMap<>();
  private long handedOut;
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

  /** A reader was handed every record up to {@code id}; it will try to deliver them. */
  synchronized void handedOut(long id) {
    handedOut = Math.max(handedOut, id);
  }

  /** Returns whether the watermark advanced. */
  synchronized boolean acknowledge(long id) {
    long w = watermark;
    if (id <= w) {
      if (!droppedInFlight.isEmpty() && droppedInFlight.remove(id) != null) {
        acknowledged++; // dropped from disk while the link held it, and delivered after all
      }
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
   * Ids {@code from..to} no longer exist. Returns how many of them are lost: neither below the
   * watermark, nor acknowledged, nor handed out to a reader. Those handed out but not yet
   * acknowledged wait under {@code reason} until an ack or {@link #settleInFlight} decides.
   */
  synchronized long markGone(long from, long to, AtomicLong reason) {
    long w = watermark;
    long start = Math.max(from, w + 1);
    if (to < start) {
      return 0;
    }
    long undelivered = (to - start + 1) - pending.subSet(start, true, to, true).size();
    for (long id = start, end = Math.min(to, handedOut); id <= end; id++) {
      if (!pending.contains(id)) {
        droppedInFlight.put(id, reason);
        undelivered--;
      }
    }
    if (start == w + 1) {
      watermark = to;
    } else {
      gone.merge(start, to, Math::max);
    }
    advance();
    return undelivered;
  }

  /**
   * Counts the records dropped while a reader held them that were never acknowledged, each in the
   * counter of the reason it was dropped for, and forgets them. Called once the reader has stopped.
   * Returns how many there were.
   */
  synchronized long settleInFlight() {
    long lost = droppedInFlight.size();
    droppedInFlight.values().forEach(AtomicLong::incrementAndGet);
    droppedInFlight.clear();
    return lost;
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
