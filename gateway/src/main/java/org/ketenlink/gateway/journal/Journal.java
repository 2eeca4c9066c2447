package org.ketenlink.gateway.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.ketenlink.gateway.journal.JournalSettings.SyncPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One durable, append-only log between the pipeline and one MQTT link. A record leaves it only when
 * the broker acknowledged it; it is the only buffer on that path, bounded by a disk budget and an
 * optional maximum age.
 *
 * <h2>On disk</h2>
 *
 * A directory per link holding segment files {@code <first id, 20 digits>.seg}, a {@code
 * checkpoint} with the delivered watermark and a {@code lock} file. Each segment starts with a
 * 16-byte header (magic "KLJS", version 1, first id) followed by records: payload length, CRC32C
 * (over id, append time and payload), id, append time in epoch milliseconds, payload. Ids are
 * consecutive, start at 1 and are never reused while records are acknowledged, dropped or
 * checkpointed (see <i>Loss windows</i> for the one exception).
 *
 * <h2>Threads</h2>
 *
 * Built for one appender (the pipeline thread), one reader and acknowledger (the link's sender),
 * plus the journal's own daemon thread {@value #SYNC_THREAD_NAME}. {@link #append} takes no lock
 * unless it rolls to a new segment or has to drop data; {@link #acknowledge} takes a small lock
 * shared only with dropping; {@link #readFrom} and {@link #stats} take the structure lock, which
 * the appender only needs when a segment rolls or data is dropped. {@link #append} must not be
 * called from two threads at once; the other methods are safe from any thread. Records become
 * visible to {@link #readFrom} as soon as {@link #append} returns.
 *
 * <h2>Loss windows</h2>
 *
 * <ul>
 *   <li>Process crash (including SIGKILL): nothing whose {@link #append} returned is lost under any
 *       {@link SyncPolicy}; each append is one {@code write} into the OS page cache before it
 *       returns.
 *   <li>Power loss or kernel crash: {@code ALWAYS} loses nothing that was returned; {@code GROUP}
 *       loses at most the records appended during the last {@code syncInterval} (plus one {@code
 *       fsync}); {@code NONE} loses whatever the OS had not written back. Ids of lost records that
 *       were never acknowledged may be given out again.
 *   <li>Delivery is at least once: the watermark is checkpointed every {@code syncInterval} and on
 *       {@link #close}; records acknowledged after the last checkpoint are delivered again after a
 *       crash. Consumers de-duplicate by the message's own sequence number.
 * </ul>
 *
 * <h2>Recovery</h2>
 *
 * {@link #open} checks every record's structure, id sequence and checksum. In the <b>last</b>
 * segment, everything from the first bad record on is a torn write: it is truncated and counted as
 * {@link JournalStats#truncatedRecords()}/{@link JournalStats#truncatedBytes()}; appending
 * continues after the last good record. In any <b>other</b> segment, the rest of that segment from
 * the first bad record on cannot be trusted (lengths can no longer be followed), so it is cut off
 * and counted as {@link JournalStats#corruptRecords()}; the next segments are read as usual, so
 * valid data after the damage is never given up. A segment whose header is damaged counts as bad
 * from its first record. A segment of an unknown newer format version stops {@link #open}.
 *
 * <h2>Overflow</h2>
 *
 * Before an append would take the segment files past {@code maxBytes}, whole oldest segments are
 * dropped, delivered or not ({@link JournalSettings.OverflowPolicy#DROP_OLDEST}); records older
 * than {@code maxAge} are dropped the same way, segment by segment, when the newest record in the
 * oldest segment is older than the limit. The age is checked on every append and on every tick of
 * the sync thread (each {@code syncInterval}); when the only segment left has expired, the next
 * append starts a new one so that it can go. The segment being written is never dropped by the
 * timer. Dropped undelivered records are counted, alarmed once with a WARN per cause, then logged
 * at debug; the watermark moves past them so readers skip them. Appending never fails for lack of
 * budget.
 */
public final class Journal implements AutoCloseable {

  /** The name of the daemon thread that syncs, checkpoints and enforces the age limit. */
  public static final String SYNC_THREAD_NAME = "ketenlink-journal-sync";

  private static final Logger log = LoggerFactory.getLogger(Journal.class);
  private static final int HEADER = RecordFormat.RECORD_HEADER_BYTES;

  /**
   * One journaled record.
   *
   * @param id the record's id, consecutive and unique in its journal
   * @param appendedAtMillis when it was appended, from the journal's clock
   * @param payload the bytes passed to {@link #append}; a fresh copy owned by the caller
   */
  public record Entry(long id, long appendedAtMillis, byte[] payload) {}

  private final Path dir;
  private final JournalSettings settings;
  private final Clock clock;
  private final int maxPayload;
  private final long maxAgeMillis;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final ReentrantLock structure = new ReentrantLock();
  private final ConcurrentLinkedQueue<Segment> rolled = new ConcurrentLinkedQueue<>();
  private final AtomicLong diskBytes = new AtomicLong();
  private final Acks acks;

  // The appender's own state.
  private volatile Segment active;
  private long writePos;
  private long nextId;
  private byte[] writeBuf = new byte[8192];
  private ByteBuffer writeView = ByteBuffer.wrap(writeBuf);
  private final CRC32C writeCrc = new CRC32C();
  private volatile long lastAppendedId;
  private volatile long appended;

  // Readers' state, guarded by the structure lock.
  private final ReadWindow window = new ReadWindow();
  private final CRC32C readCrc = new CRC32C();
  private Segment cursorSegment;
  private long cursorId;
  private long cursorPos;

  // The sync thread's state, guarded by syncLock.
  private final Object syncLock = new Object();
  private volatile boolean directoryDirty;
  private long syncedAppended;
  private long checkpointed;

  private final AtomicLong droppedByBudget = new AtomicLong();
  private final AtomicLong droppedByAge = new AtomicLong();
  private final AtomicLong corruptRecords = new AtomicLong();
  private long corruptBytes;
  private long truncatedRecords;
  private long truncatedBytes;
  private final AtomicBoolean budgetAlarmed = new AtomicBoolean();
  private final AtomicBoolean ageAlarmed = new AtomicBoolean();
  private final AtomicBoolean syncFailureLogged = new AtomicBoolean();

  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread syncThread;

  /**
   * Opens (creating if needed) the journal in {@code dir}, recovering from whatever a crash left
   * there (see <i>Recovery</i>), and starts its sync thread.
   *
   * @throws JournalException if the directory cannot be created, read or written, is already open
   *     (in this or another process), or holds a segment of a newer format
   */
  public static Journal open(Path dir, JournalSettings settings, Clock clock) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(clock, "clock");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new JournalException("Journal directory " + dir + " cannot be created: " + e, e);
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      throw new JournalException("Journal directory " + dir + " is not a writable directory");
    }
    FileChannel lockChannel;
    FileLock lock;
    try {
      lockChannel =
          FileChannel.open(
              dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new JournalException("Journal directory " + dir + " is not usable: " + e, e);
    }
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      closeQuietly(lockChannel);
      throw new JournalException("Journal directory " + dir + " cannot be locked: " + e, e);
    }
    if (lock == null) {
      closeQuietly(lockChannel);
      throw new JournalException(
          "Journal directory " + dir + " is already open by another journal or process");
    }
    try {
      return new Journal(dir, settings, clock, lockChannel, lock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(lockChannel);
      if (e instanceof JournalException je) {
        throw je;
      }
      throw new JournalException("Journal in " + dir + " cannot be opened: " + e, e);
    }
  }

  private Journal(
      Path dir, JournalSettings settings, Clock clock, FileChannel lockChannel, FileLock lock)
      throws IOException {
    this.dir = dir;
    this.settings = settings;
    this.clock = clock;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.maxPayload = settings.maxRecordBytes();
    this.maxAgeMillis = settings.maxAge().toMillis();

    long checkpoint = Checkpoint.read(dir);
    if (checkpoint < 0) {
      log.warn(
          "Journal {}: the checkpoint is damaged; every record on disk will be delivered again",
          dir);
      checkpoint = 0;
    }
    List<Segment> kept = recover(dir, checkpoint);
    long watermark = kept.isEmpty() ? checkpoint : Math.max(checkpoint, kept.get(0).firstId - 1);
    this.acks = new Acks(watermark);
    for (int i = 1; i < kept.size(); i++) {
      Segment previous = kept.get(i - 1);
      Segment next = kept.get(i);
      if (previous.lastId >= next.firstId) {
        throw new JournalException(
            "Journal "
                + dir
                + ": segments "
                + previous
                + " and "
                + next
                + " overlap; the directory was changed by something other than the journal");
      }
      if (next.firstId > previous.lastId + 1) {
        acks.markGone(previous.lastId + 1, next.firstId - 1, corruptRecords);
      }
    }
    for (Segment segment : kept) {
      segments.put(segment.firstId, segment);
      diskBytes.addAndGet(segment.size);
    }

    Segment last = kept.isEmpty() ? null : kept.get(kept.size() - 1);
    nextId = Math.max(watermark + 1, last == null ? 1 : last.lastId + 1);
    if (last != null && last.isEmpty() && last.firstId != nextId) {
      segments.remove(last.firstId);
      diskBytes.addAndGet(-last.size);
      last.delete();
      last = null;
    }
    if (last != null && last.lastId + 1 == nextId) {
      last.openWriterAt(last.size);
      active = last;
      writePos = last.size;
    } else {
      Segment fresh = Segment.create(dir, nextId, settings.sync() != SyncPolicy.NONE);
      segments.put(fresh.firstId, fresh);
      diskBytes.addAndGet(fresh.size);
      active = fresh;
      writePos = fresh.size;
      if (last != null) {
        rolled.add(last);
      }
    }
    lastAppendedId = nextId - 1;
    checkpointed = checkpoint;
    deleteDelivered();

    syncThread = new Thread(this::runSyncThread, SYNC_THREAD_NAME);
    syncThread.setDaemon(true);
    syncThread.start();
    log.info(
        "Journal {} opened: {} segments, {} bytes, delivered up to id {}, next id {}{}",
        dir,
        segments.size(),
        diskBytes.get(),
        acks.watermark(),
        nextId,
        truncatedBytes + corruptBytes > 0
            ? ", recovered from damage (truncated "
                + truncatedRecords
                + " records, lost "
                + corruptRecords.get()
                + " records to corruption)"
            : "");
  }

  /** Scans all segments, repairs what a crash left and returns the usable ones in id order. */
  private List<Segment> recover(Path dir, long checkpoint) throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files =
          listing
              .filter(p -> RecordFormat.firstIdOf(p.getFileName().toString()) > 0)
              .sorted(
                  Comparator.comparingLong(p -> RecordFormat.firstIdOf(p.getFileName().toString())))
              .toList();
    }
    List<Segment> kept = new ArrayList<>();
    ReadWindow scan = new ReadWindow();
    for (int i = 0; i < files.size(); i++) {
      Path path = files.get(i);
      boolean isLast = i == files.size() - 1;
      Segment segment =
          Segment.existing(path, RecordFormat.firstIdOf(path.getFileName().toString()));
      long fileSize = Files.size(path);
      boolean headerValid = checkHeader(segment, scan, fileSize);
      long validEnd = headerValid ? scanRecords(segment, scan, fileSize) : 0;
      scan.forget(segment);
      if (headerValid && validEnd == fileSize) {
        kept.add(segment);
        continue;
      }
      long damagedFrom = headerValid ? validEnd : 0;
      if (isLast) {
        long records =
            estimateRecords(
                segment, scan, Math.max(damagedFrom, RecordFormat.SEGMENT_HEADER_BYTES), fileSize);
        truncatedBytes += fileSize - damagedFrom;
        truncatedRecords += records;
        if (headerValid) {
          segment.truncate(validEnd);
        } else {
          segment.rewriteHeader();
        }
        log.warn(
            "Journal {}: segment {} ends in a torn or corrupt record at offset {}; truncated {}"
                + " bytes (about {} records), kept {} records before it",
            dir,
            segment,
            damagedFrom,
            fileSize - damagedFrom,
            records,
            segment.records());
        kept.add(segment);
      } else {
        long nextFirst = RecordFormat.firstIdOf(files.get(i + 1).getFileName().toString());
        long lost = Math.max(0, nextFirst - 1 - Math.max(segment.lastId, checkpoint));
        corruptRecords.addAndGet(lost);
        corruptBytes += fileSize - damagedFrom;
        log.warn(
            "Journal {}: segment {} is corrupt from offset {}; {} bytes ({} undelivered records, ids"
                + " {}..{}) cannot be read and are removed, later segments are unaffected",
            dir,
            segment,
            damagedFrom,
            fileSize - damagedFrom,
            lost,
            segment.lastId + 1,
            nextFirst - 1);
        if (headerValid) {
          segment.truncate(validEnd);
          kept.add(segment);
        } else {
          segment.delete();
        }
      }
    }
    return kept;
  }

  private static boolean checkHeader(Segment segment, ReadWindow scan, long fileSize)
      throws IOException {
    int off = scan.ensure(segment, 0, RecordFormat.SEGMENT_HEADER_BYTES, fileSize);
    if (off < 0) {
      return false;
    }
    ByteBuffer v = scan.view();
    if (v.getInt(off) != RecordFormat.SEGMENT_MAGIC) {
      return false;
    }
    short version = v.getShort(off + 4);
    if (version != RecordFormat.VERSION) {
      throw new JournalException(
          "Journal segment "
              + segment.path
              + " has format version "
              + version
              + "; this Ketenlink reads version "
              + RecordFormat.VERSION
              + " and will not touch it");
    }
    return v.getLong(off + 8) == segment.firstId;
  }

  /** Publishes every valid record of the segment and returns where the valid part ends. */
  private long scanRecords(Segment segment, ReadWindow scan, long fileSize) throws IOException {
    CRC32C crc = new CRC32C();
    long pos = RecordFormat.SEGMENT_HEADER_BYTES;
    long expected = segment.firstId;
    while (true) {
      int off = scan.ensure(segment, pos, HEADER, fileSize);
      if (off < 0) {
        return pos;
      }
      ByteBuffer v = scan.view();
      int length = v.getInt(off);
      if (length < 0 || length > maxPayload || v.getLong(off + 8) != expected) {
        return pos;
      }
      off = scan.ensure(segment, pos, HEADER + length, fileSize);
      if (off < 0) {
        return pos;
      }
      v = scan.view();
      if (RecordFormat.checksum(crc, scan.bytes(), off, length) != v.getInt(off + 4)) {
        return pos;
      }
      long end = pos + HEADER + length;
      segment.publish(expected, pos, end, v.getLong(off + 16));
      pos = end;
      expected++;
    }
  }

  /** How many records a damaged tail held, as far as their lengths can still be followed. */
  private long estimateRecords(Segment segment, ReadWindow scan, long from, long fileSize)
      throws IOException {
    long records = 0;
    long pos = from;
    while (pos < fileSize) {
      records++;
      int off = scan.ensure(segment, pos, HEADER, fileSize);
      if (off < 0) {
        break;
      }
      int length = scan.view().getInt(off);
      if (length < 0 || length > maxPayload) {
        break;
      }
      pos += HEADER + length;
    }
    scan.forget(segment);
    return records;
  }

  /**
   * Appends one record and returns its id. When this returns, the record is in the OS page cache
   * (and on the device under {@link SyncPolicy#ALWAYS}) and visible to {@link #readFrom}. Never
   * blocks on {@code fsync} except under {@code ALWAYS}. May drop the oldest data first to stay
   * within the budget and age limit. Only one thread may append at a time.
   *
   * @param payload at most {@link JournalSettings#maxRecordBytes()} bytes; copied, not retained
   * @throws IllegalArgumentException if the payload is larger than a segment can hold
   * @throws JournalException if the write failed (e.g. the disk is full); the record is not
   *     journaled, its id is not used, and the journal stays usable
   * @throws IllegalStateException after {@link #close}
   */
  public long append(byte[] payload) {
    Objects.requireNonNull(payload, "payload");
    ensureOpen();
    int length = payload.length;
    if (length > maxPayload) {
      throw new IllegalArgumentException(
          "record of " + length + " bytes exceeds the journal's maximum of " + maxPayload);
    }
    int recordBytes = HEADER + length;
    long now = clock.millis();
    long position = writePos;
    Segment segment = active;
    try {
      if (position + recordBytes > settings.segmentBytes() && !segment.isEmpty()) {
        roll();
      }
      if (maxAgeMillis > 0) {
        expireOnAppend(now);
      }
      if (diskBytes.get() + recordBytes > settings.maxBytes()) {
        dropForBudget(recordBytes);
      }
      segment = active;
      position = writePos;
      long id = nextId;
      byte[] buf = writeBuffer(recordBytes);
      ByteBuffer v = writeView;
      v.putInt(0, length);
      v.putLong(8, id);
      v.putLong(16, now);
      System.arraycopy(payload, 0, buf, HEADER, length);
      v.putInt(4, RecordFormat.checksum(writeCrc, buf, 0, length));
      segment.write(buf, recordBytes);
      if (settings.sync() == SyncPolicy.ALWAYS) {
        segment.syncWriter();
      }
      long end = position + recordBytes;
      writePos = end;
      diskBytes.addAndGet(recordBytes);
      segment.publish(id, position, end, now);
      nextId = id + 1;
      lastAppendedId = id;
      appended++;
      return id;
    } catch (IOException e) {
      try {
        segment.rewindWriter(position);
      } catch (IOException | RuntimeException rewind) {
        e.addSuppressed(rewind);
      }
      throw new JournalException("Journal " + dir + ": append to " + segment + " failed", e);
    }
  }

  /**
   * Up to {@code maxRecords} records with ids above both {@code afterId} and the {@link
   * #deliveredWatermark()}, in id order, skipping dropped and lost ids. Stops before the payloads
   * would exceed {@code maxBytes}, but always returns at least one record if there is one. Returns
   * an empty list when there is nothing newer. Reading on from the last returned id continues
   * sequentially without searching.
   *
   * <p>The caller is taken to deliver what it is handed: a returned record that is dropped before
   * it is acknowledged (the budget or age limit struck while the link held it) only counts as
   * dropped if it is still unacknowledged when the journal closes.
   */
  public List<Entry> readFrom(long afterId, int maxRecords, int maxBytes) {
    if (maxRecords <= 0 || maxBytes <= 0) {
      throw new IllegalArgumentException("maxRecords and maxBytes must be positive");
    }
    ensureOpen();
    structure.lock();
    try {
      List<Entry> out = read(afterId, maxRecords, maxBytes);
      if (!out.isEmpty()) {
        acks.handedOut(out.get(out.size() - 1).id());
      }
      return out;
    } catch (IOException ex) {
      throw new JournalException("Journal " + dir + ": read failed", ex);
    } finally {
      structure.unlock();
    }
  }

  /** Under the structure lock. */
  private List<Entry> read(long afterId, int maxRecords, int maxBytes) throws IOException {
    List<Entry> out = new ArrayList<>(Math.min(maxRecords, 1024));
    long next = Math.max(afterId, acks.watermark()) + 1;
    long bytes = 0;
    Map.Entry<Long, Segment> e = segments.floorEntry(next);
    if (e == null) {
      e = segments.firstEntry();
    }
    while (e != null && out.size() < maxRecords) {
      Segment segment = e.getValue();
      long last = segment.lastId;
      long limit = segment.size;
      long id = acks.skipGone(Math.max(next, segment.firstId));
      if (id <= last) {
        long pos = locate(segment, id, limit);
        while (id <= last && out.size() < maxRecords) {
          int off = window.ensure(segment, pos, HEADER, limit);
          int length = off < 0 ? -1 : window.view().getInt(off);
          if (length < 0 || length > maxPayload || window.view().getLong(off + 8) != id) {
            corruptOnRead(segment, id, pos);
            break;
          }
          if (!out.isEmpty() && bytes + length > maxBytes) {
            remember(segment, id, pos);
            return out;
          }
          off = window.ensure(segment, pos, HEADER + length, limit);
          byte[] b = window.bytes();
          if (off < 0
              || RecordFormat.checksum(readCrc, b, off, length) != window.view().getInt(off + 4)) {
            corruptOnRead(segment, id, pos);
            break;
          }
          out.add(
              new Entry(
                  id,
                  window.view().getLong(off + 16),
                  Arrays.copyOfRange(b, off + HEADER, off + HEADER + length)));
          bytes += length;
          pos += HEADER + length;
          id++;
        }
        remember(segment, id, pos);
      }
      e = segments.higherEntry(segment.firstId);
    }
    return out;
  }

  /**
   * The broker acknowledged record {@code id}. Acks may come in any order and more than once; the
   * watermark advances over contiguous acknowledged ids, and segments entirely below it (except the
   * one being written) are deleted.
   *
   * @throws IllegalArgumentException if {@code id} was never appended
   */
  public void acknowledge(long id) {
    if (id <= 0 || id > lastAppendedId) {
      throw new IllegalArgumentException("id " + id + " was never appended to journal " + dir);
    }
    if (acks.acknowledge(id)) {
      deleteDelivered();
    }
  }

  /**
   * The highest id such that every id up to it is acknowledged, dropped or lost. Checkpointed every
   * {@code syncInterval} and on {@link #close}; after a restart, reading starts after the
   * checkpointed value.
   */
  public long deliveredWatermark() {
    return acks.watermark();
  }

  /**
   * A consistent snapshot of backlog and counters. Safe from any thread; not free (takes the
   * structure lock).
   */
  public JournalStats stats() {
    structure.lock();
    try {
      long watermark = acks.watermark();
      long backlogRecords = 0;
      long backlogBytes = 0;
      long oldest = -1;
      long disk = 0;
      for (Segment segment : segments.values()) {
        long last = segment.lastId;
        long limit = segment.size;
        disk += limit;
        long first = acks.skipGone(Math.max(segment.firstId, watermark + 1));
        if (first > last) {
          continue;
        }
        backlogRecords += last - first + 1;
        if (oldest < 0) {
          long pos = locate(segment, first, limit);
          int off = window.ensure(segment, pos, HEADER, limit);
          oldest = off < 0 ? clock.millis() : window.view().getLong(off + 16);
          backlogBytes += limit - pos;
        } else {
          backlogBytes += limit - RecordFormat.SEGMENT_HEADER_BYTES;
        }
      }
      backlogRecords = Math.max(0, backlogRecords - acks.pendingCount());
      return new JournalStats(
          backlogRecords,
          backlogBytes,
          oldest < 0 || backlogRecords == 0 ? 0 : Math.max(0, clock.millis() - oldest),
          disk,
          segments.size(),
          watermark,
          lastAppendedId,
          appended,
          acks.acknowledged(),
          droppedByBudget.get(),
          droppedByAge.get(),
          truncatedRecords,
          truncatedBytes,
          corruptRecords.get(),
          corruptBytes);
    } catch (IOException e) {
      throw new JournalException("Journal " + dir + ": reading stats failed", e);
    } finally {
      structure.unlock();
    }
  }

  /**
   * Forces every appended record and the checkpoint to the device now, whatever the policy. Blocks
   * for the duration of the {@code fsync}s.
   */
  public void sync() {
    ensureOpen();
    try {
      syncNow(true);
    } catch (IOException e) {
      throw new JournalException("Journal " + dir + ": sync failed", e);
    }
  }

  /**
   * Syncs everything (under every policy), writes the checkpoint, stops the sync thread and closes
   * the files. Call once the appender and the sender have stopped using the journal. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LockSupport.unpark(syncThread);
    boolean interrupted = false;
    while (syncThread.isAlive()) {
      try {
        syncThread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    long lostInFlight = acks.settleInFlight();
    if (lostInFlight > 0) {
      log.warn(
          "Journal {}: {} records dropped while the link held them were not acknowledged before"
              + " closing; they are lost and counted as dropped",
          dir,
          lostInFlight);
    }
    try {
      syncNow(true);
    } catch (IOException e) {
      throw new JournalException("Journal " + dir + ": final sync failed", e);
    } finally {
      structure.lock();
      try {
        for (Segment segment : segments.values()) {
          try {
            segment.close();
          } catch (IOException e) {
            log.warn("Journal {}: closing {} failed", dir, segment, e);
          }
        }
      } finally {
        structure.unlock();
        try {
          lock.release();
        } catch (IOException e) {
          log.debug("Journal {}: releasing the directory lock failed", dir, e);
        }
        closeQuietly(lockChannel);
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Journal[" + dir + "]";
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("Journal " + dir + " is closed");
    }
  }

  private byte[] writeBuffer(int bytes) {
    if (writeBuf.length < bytes) {
      writeBuf = new byte[Math.max(bytes, writeBuf.length * 2)];
      writeView = ByteBuffer.wrap(writeBuf);
    }
    return writeBuf;
  }

  /** Appender only. */
  private void roll() throws IOException {
    Segment old = active;
    Segment fresh = Segment.create(dir, nextId, settings.sync() == SyncPolicy.ALWAYS);
    structure.lock();
    try {
      segments.put(fresh.firstId, fresh);
      active = fresh;
    } finally {
      structure.unlock();
    }
    writePos = fresh.size;
    diskBytes.addAndGet(fresh.size);
    if (settings.sync() == SyncPolicy.ALWAYS) {
      Checkpoint.forceDirectory(dir);
      old.syncAndCloseWriter(false);
    } else {
      directoryDirty = true;
      rolled.add(old);
    }
    deleteDelivered();
  }

  /** Appender only. */
  private void expireOnAppend(long now) throws IOException {
    long cutoff = now - maxAgeMillis;
    Segment head = firstSegment();
    if (head == null || head.isEmpty() || head.lastAppendMillis >= cutoff) {
      return;
    }
    if (head == active) {
      roll();
    }
    dropExpired(cutoff);
  }

  private void dropExpired(long cutoff) {
    structure.lock();
    try {
      Segment head;
      while ((head = firstSegment()) != null && head != active && head.lastAppendMillis < cutoff) {
        drop(head, droppedByAge, ageAlarmed, "older than the maximum age of " + settings.maxAge());
      }
    } finally {
      structure.unlock();
    }
  }

  private void dropForBudget(int recordBytes) {
    structure.lock();
    try {
      Segment head;
      while (diskBytes.get() + recordBytes > settings.maxBytes()
          && (head = firstSegment()) != null
          && head != active) {
        drop(
            head,
            droppedByBudget,
            budgetAlarmed,
            "over the disk budget of " + settings.maxBytes() + " bytes");
      }
    } finally {
      structure.unlock();
    }
  }

  /** Under the structure lock. */
  private void drop(Segment segment, AtomicLong counter, AtomicBoolean alarmed, String why) {
    long lost = segment.isEmpty() ? 0 : acks.markGone(segment.firstId, segment.lastId, counter);
    remove(segment);
    if (lost == 0) {
      return;
    }
    long total = counter.addAndGet(lost);
    if (alarmed.compareAndSet(false, true)) {
      log.warn(
          "Journal {} is {}: dropped {} undelivered records (ids {}..{}), oldest first, because"
              + " the link is not delivering fast enough. Further drops for this reason are counted"
              + " in the journal stats and logged at debug",
          dir,
          why,
          lost,
          segment.firstId,
          segment.lastId);
    } else {
      log.debug(
          "Journal {} is {}: dropped {} more undelivered records, {} in total",
          dir,
          why,
          lost,
          total);
    }
  }

  private void deleteDelivered() {
    Segment head = firstSegment();
    if (head == null || head == active || head.lastId > acks.watermark()) {
      return;
    }
    structure.lock();
    try {
      while ((head = firstSegment()) != null && head != active && head.lastId <= acks.watermark()) {
        remove(head);
      }
    } finally {
      structure.unlock();
    }
  }

  /** Under the structure lock. */
  private void remove(Segment segment) {
    segments.remove(segment.firstId);
    rolled.remove(segment);
    window.forget(segment);
    if (cursorSegment == segment) {
      cursorSegment = null;
    }
    diskBytes.addAndGet(-segment.size);
    directoryDirty = true;
    try {
      segment.delete();
    } catch (IOException e) {
      log.warn("Journal {}: deleting segment {} failed", dir, segment, e);
    }
  }

  private Segment firstSegment() {
    Map.Entry<Long, Segment> first = segments.firstEntry();
    return first == null ? null : first.getValue();
  }

  /** Under the structure lock: the position of record {@code id}, which must be published. */
  private long locate(Segment segment, long id, long limit) throws IOException {
    if (segment == cursorSegment && id == cursorId) {
      return cursorPos;
    }
    long[] floor = segment.indexFloor(id);
    long pos = floor[0];
    for (long at = floor[1]; at < id; at++) {
      int off = window.ensure(segment, pos, HEADER, limit);
      if (off < 0) {
        throw new IOException("segment " + segment + " is shorter than its index says");
      }
      pos += HEADER + window.view().getInt(off);
    }
    return pos;
  }

  private void remember(Segment segment, long id, long pos) {
    cursorSegment = segment;
    cursorId = id;
    cursorPos = pos;
  }

  /** Under the structure lock: a record that passed recovery is damaged now. */
  private void corruptOnRead(Segment segment, long id, long pos) {
    long lost = acks.markGone(id, segment.lastId, corruptRecords);
    corruptRecords.addAndGet(lost);
    log.error(
        "Journal {}: record {} at offset {} of segment {} is damaged on disk; skipping it and the"
            + " {} undelivered records after it in that segment",
        dir,
        id,
        pos,
        segment,
        Math.max(0, lost - 1));
  }

  private void runSyncThread() {
    long intervalNanos = settings.syncInterval().toNanos();
    while (!closed.get()) {
      long deadline = System.nanoTime() + intervalNanos;
      long left;
      while (!closed.get() && (left = deadline - System.nanoTime()) > 0) {
        LockSupport.parkNanos(this, left);
      }
      if (closed.get()) {
        return;
      }
      try {
        syncNow(settings.sync() == SyncPolicy.GROUP);
        if (maxAgeMillis > 0) {
          dropExpired(clock.millis() - maxAgeMillis);
        }
        deleteDelivered();
      } catch (IOException | RuntimeException e) {
        if (syncFailureLogged.compareAndSet(false, true)) {
          log.warn(
              "Journal {}: background sync failed; retrying every {} (logged once, then at debug)",
              dir,
              settings.syncInterval(),
              e);
        } else {
          log.debug("Journal {}: background sync failed", dir, e);
        }
      }
    }
  }

  /**
   * If {@code force}: forces and closes the writers of rolled segments, then forces the directory
   * and the active segment. Then writes the checkpoint if the watermark moved. Under {@code NONE}
   * the sync thread calls this without {@code force}, so rolled segments keep their writer open
   * until {@link #sync} or {@link #close} forces them.
   */
  private void syncNow(boolean force) throws IOException {
    synchronized (syncLock) {
      long appendedSoFar = appended;
      if (force) {
        Segment segment;
        while ((segment = rolled.poll()) != null) {
          segment.syncAndCloseWriter(true);
        }
        if (directoryDirty) {
          directoryDirty = false;
          Checkpoint.forceDirectory(dir);
        }
        if (appendedSoFar != syncedAppended) {
          active.syncWriter();
          syncedAppended = appendedSoFar;
        }
      }
      long watermark = acks.watermark();
      if (watermark != checkpointed) {
        Checkpoint.write(dir, watermark, settings.sync() != SyncPolicy.NONE || closed.get());
        checkpointed = watermark;
      }
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing {} failed", channel, e);
    }
  }
}
