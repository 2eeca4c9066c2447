package org.ketenlink.gateway.journal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.ketenlink.gateway.journal.JournalSettings.OverflowPolicy;
import org.ketenlink.gateway.journal.JournalSettings.SyncPolicy;

class JournalTest {

  private static final long SEGMENT = 4096;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00Z"));

  static JournalSettings settings(long segmentBytes) {
    return new JournalSettings(
        1L << 30,
        Duration.ZERO,
        segmentBytes,
        SyncPolicy.GROUP,
        Duration.ofMillis(20),
        OverflowPolicy.DROP_OLDEST);
  }

  private Journal open() {
    return open(settings(SEGMENT));
  }

  private Journal open(JournalSettings settings) {
    return Journal.open(dir, settings, clock);
  }

  private static byte[] record(long n) {
    return ("record-" + n + "-" + "x".repeat(100)).getBytes(UTF_8);
  }

  private static void appendRecords(Journal journal, long from, long to) {
    for (long n = from; n <= to; n++) {
      journal.append(record(n));
    }
  }

  /** Everything readable after {@code afterId}, in batches as a sender would read it. */
  private static List<Journal.Entry> readAll(Journal journal, long afterId) {
    List<Journal.Entry> all = new ArrayList<>();
    List<Journal.Entry> batch;
    long after = afterId;
    while (!(batch = journal.readFrom(after, 7, 1000)).isEmpty()) {
      all.addAll(batch);
      after = batch.get(batch.size() - 1).id();
    }
    return all;
  }

  private static List<Long> ids(List<Journal.Entry> entries) {
    return entries.stream().map(Journal.Entry::id).toList();
  }

  private static List<Long> range(long from, long to) {
    return Stream.iterate(from, n -> n <= to, n -> n + 1).toList();
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  @ParameterizedTest
  @EnumSource(SyncPolicy.class)
  void recordsComeBackInOrderWithTheirPayloadsAndIdsContinueAfterReopen(SyncPolicy policy) {
    JournalSettings settings = settings(SEGMENT).withSync(policy, Duration.ofMillis(20));
    try (Journal journal = open(settings)) {
      assertThat(journal.append(record(1))).isEqualTo(1);
      assertThat(journal.append(record(2))).isEqualTo(2);
      List<Journal.Entry> entries = journal.readFrom(0, 10, 1 << 20);
      assertThat(ids(entries)).containsExactly(1L, 2L);
      assertThat(entries.get(1).payload()).isEqualTo(record(2));
      assertThat(entries.get(1).appendedAtMillis()).isEqualTo(clock.millis());
      journal.acknowledge(1);
      journal.acknowledge(2);
      assertThat(journal.deliveredWatermark()).isEqualTo(2);
      assertThat(journal.readFrom(0, 10, 1 << 20)).isEmpty();
    }
    try (Journal journal = open(settings)) {
      assertThat(journal.append(record(3))).isEqualTo(3);
      assertThat(ids(journal.readFrom(0, 10, 1 << 20))).containsExactly(3L);
    }
  }

  @Test
  void acknowledgedRecordsAreNotReadAgainAfterReopenButUnacknowledgedOnesAre() {
    try (Journal journal = open()) {
      appendRecords(journal, 1, 100);
      for (long id = 1; id <= 60; id++) {
        journal.acknowledge(id);
      }
    }
    try (Journal journal = open()) {
      assertThat(journal.deliveredWatermark()).isEqualTo(60);
      assertThat(ids(readAll(journal, 0))).isEqualTo(range(61, 100));
      assertThat(journal.stats().backlogRecords()).isEqualTo(40);
    }
  }

  @Test
  void outOfOrderAcksAdvanceTheWatermarkOnlyOverContiguousIds() {
    try (Journal journal = open()) {
      appendRecords(journal, 1, 6);
      journal.acknowledge(2);
      journal.acknowledge(3);
      journal.acknowledge(5);
      assertThat(journal.deliveredWatermark()).isZero();
      journal.acknowledge(1);
      assertThat(journal.deliveredWatermark()).isEqualTo(3);
      journal.acknowledge(3);
      journal.acknowledge(4);
      assertThat(journal.deliveredWatermark()).isEqualTo(5);
      assertThat(ids(journal.readFrom(0, 10, 1 << 20))).containsExactly(6L);
      assertThat(journal.stats().acknowledged()).isEqualTo(5);
      assertThatThrownBy(() -> journal.acknowledge(7))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("never appended");
    }
  }

  @Test
  void segmentsRollAndFullyDeliveredSegmentsAreDeleted() throws IOException {
    try (Journal journal = open()) {
      appendRecords(journal, 1, 200);
      int segmentsBefore = segmentFiles().size();
      assertThat(segmentsBefore).isGreaterThan(4);
      assertThat(journal.stats().segments()).isEqualTo(segmentsBefore);

      List<Journal.Entry> all = readAll(journal, 0);
      assertThat(ids(all)).isEqualTo(range(1, 200));
      all.forEach(e -> journal.acknowledge(e.id()));

      assertThat(segmentFiles()).hasSize(1);
      JournalStats stats = journal.stats();
      assertThat(stats.backlogRecords()).isZero();
      assertThat(stats.backlogBytes()).isZero();
      assertThat(stats.segments()).isEqualTo(1);
      assertThat(stats.diskBytes()).isEqualTo(Files.size(segmentFiles().get(0)));
    }
  }

  @Test
  void aTornTailIsTruncatedAndEverythingBeforeItIsDelivered() throws IOException {
    try (Journal journal = open()) {
      appendRecords(journal, 1, 50);
    }
    Path last = segmentFiles().get(segmentFiles().size() - 1);
    long size = Files.size(last);
    try (RandomAccessFile raf = new RandomAccessFile(last.toFile(), "rw")) {
      raf.setLength(size - 40); // mid-way into the last record's payload
    }
    try (Journal journal = open()) {
      JournalStats stats = journal.stats();
      assertThat(stats.truncatedRecords()).isEqualTo(1);
      assertThat(stats.truncatedBytes()).isEqualTo(size - 40 - (size - record(50).length - 24));
      assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 49));
      assertThat(journal.append(record(51))).isEqualTo(50);
      assertThat(journal.readFrom(49, 10, 1 << 20).get(0).payload()).isEqualTo(record(51));
    }
    try (Journal journal = open()) {
      assertThat(journal.stats().truncatedBytes()).isZero();
      assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 50));
    }
  }

  @Test
  void aFlippedByteInTheLastRecordFailsItsChecksumAndIsTruncated() throws IOException {
    try (Journal journal = open()) {
      appendRecords(journal, 1, 50);
    }
    Path last = segmentFiles().get(segmentFiles().size() - 1);
    long size = Files.size(last);
    try (RandomAccessFile raf = new RandomAccessFile(last.toFile(), "rw")) {
      raf.seek(size - 5);
      int b = raf.read();
      raf.seek(size - 5);
      raf.write(b ^ 0x01);
    }
    try (Journal journal = open()) {
      JournalStats stats = journal.stats();
      assertThat(stats.truncatedRecords()).isEqualTo(1);
      assertThat(stats.truncatedBytes()).isEqualTo(24 + record(50).length);
      assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 49));
      assertThat(journal.append(record(51))).isEqualTo(50);
      assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 50));
    }
  }

  @Test
  void corruptionInAMiddleSegmentLosesOnlyTheRestOfThatSegment() throws IOException {
    try (Journal journal = open()) {
      appendRecords(journal, 1, 200);
    }
    List<Path> files = segmentFiles();
    assertThat(files.size()).isGreaterThanOrEqualTo(5);
    Path middle = files.get(2);
    long middleFirst = Long.parseLong(middle.getFileName().toString().substring(0, 20));
    long nextFirst = Long.parseLong(files.get(3).getFileName().toString().substring(0, 20));
    // Damage the payload of the middle segment's third record.
    long thirdRecordPayload = 16 + 2L * (24 + record(1).length) + 24 + 3;
    try (RandomAccessFile raf = new RandomAccessFile(middle.toFile(), "rw")) {
      raf.seek(thirdRecordPayload);
      int b = raf.read();
      raf.seek(thirdRecordPayload);
      raf.write(b ^ 0xFF);
    }
    try (Journal journal = open()) {
      List<Long> expected = new ArrayList<>(range(1, middleFirst + 1));
      expected.addAll(range(nextFirst, 200));
      assertThat(ids(readAll(journal, 0))).isEqualTo(expected);
      JournalStats stats = journal.stats();
      assertThat(stats.corruptRecords()).isEqualTo(nextFirst - (middleFirst + 2));
      assertThat(stats.truncatedRecords()).isZero();

      // The gap does not hold the watermark back.
      readAll(journal, 0).forEach(e -> journal.acknowledge(e.id()));
      assertThat(journal.deliveredWatermark()).isEqualTo(200);
    }
  }

  @Test
  void overTheDiskBudgetTheOldestUndeliveredSegmentsAreDroppedCountedAndSkipped() {
    JournalSettings settings = settings(SEGMENT).withMaxBytes(4 * SEGMENT);
    try (Journal journal = open(settings)) {
      appendRecords(journal, 1, 300);
      JournalStats stats = journal.stats();
      assertThat(stats.diskBytes()).isLessThanOrEqualTo(4 * SEGMENT);
      assertThat(stats.droppedByBudget()).isPositive();
      assertThat(journal.deliveredWatermark()).isEqualTo(stats.droppedByBudget());

      List<Journal.Entry> left = readAll(journal, 0);
      assertThat(ids(left)).isEqualTo(range(stats.droppedByBudget() + 1, 300));
      assertThat(left.get(left.size() - 1).payload()).isEqualTo(record(300));
      assertThat(stats.backlogRecords()).isEqualTo(left.size());
    }
  }

  @Test
  void recordsDroppedWhileTheLinkHoldsThemCountOnlyIfTheyAreNeverAcknowledged() {
    JournalSettings settings = settings(SEGMENT).withMaxBytes(4 * SEGMENT);
    Journal journal = open(settings);
    appendRecords(journal, 1, 10);
    List<Journal.Entry> held = journal.readFrom(0, 10, Integer.MAX_VALUE); // the link has 1..10

    appendRecords(journal, 11, 300); // the budget drops the oldest segments, 1..10 among them
    long dropped = journal.stats().droppedByBudget();
    assertThat(journal.deliveredWatermark()).isGreaterThan(10);
    assertThat(dropped)
        .as("dropped before the link held them")
        .isEqualTo(journal.deliveredWatermark() - 10);

    // The link delivers 1..7 after all; 8..10 it never gets acknowledged before closing.
    held.subList(0, 7).forEach(e -> journal.acknowledge(e.id()));
    assertThat(journal.stats().droppedByBudget()).isEqualTo(dropped);
    assertThat(journal.stats().acknowledged()).isEqualTo(7);
    journal.close();
    assertThat(journal.stats().droppedByBudget()).isEqualTo(dropped + 3);
  }

  @Test
  void segmentsWhoseNewestRecordIsOlderThanTheMaximumAgeAreDroppedAndCounted() throws IOException {
    JournalSettings settings = settings(SEGMENT).withMaxAge(Duration.ofMinutes(10));
    try (Journal journal = open(settings)) {
      appendRecords(journal, 1, 100);
      clock.advance(Duration.ofMinutes(5));
      appendRecords(journal, 101, 110);
      assertThat(journal.stats().oldestAgeMillis()).isEqualTo(Duration.ofMinutes(5).toMillis());
      long firstOfTheSegmentWith100 =
          segmentFiles().stream()
              .mapToLong(p -> Long.parseLong(p.getFileName().toString().substring(0, 20)))
              .filter(first -> first <= 100)
              .max()
              .orElseThrow();
      clock.advance(Duration.ofMinutes(6));

      journal.append(record(111));

      // Whole segments go: the one holding 100 also holds 101..110, which are only 6 minutes old.
      JournalStats stats = journal.stats();
      assertThat(stats.droppedByAge()).isEqualTo(firstOfTheSegmentWith100 - 1);
      assertThat(ids(readAll(journal, 0))).isEqualTo(range(firstOfTheSegmentWith100, 111));
      assertThat(journal.deliveredWatermark()).isEqualTo(firstOfTheSegmentWith100 - 1);
    }
  }

  @Test
  void whenEverythingHasExpiredTheNextAppendStartsAFreshSegment() {
    JournalSettings settings = settings(SEGMENT).withMaxAge(Duration.ofMinutes(10));
    try (Journal journal = open(settings)) {
      appendRecords(journal, 1, 3);
      clock.advance(Duration.ofMinutes(11));
      long id = journal.append(record(4));
      assertThat(journal.stats().droppedByAge()).isEqualTo(3);
      assertThat(ids(readAll(journal, 0))).containsExactly(id);
    }
  }

  @Test
  void aSecondJournalOnTheSameDirectoryIsRefused() {
    try (Journal journal = open()) {
      assertThatThrownBy(this::open)
          .isInstanceOf(JournalException.class)
          .hasMessageContaining("already open");
    }
  }

  @Test
  void aPathThatIsNotADirectoryIsRefusedWithItsName() throws IOException {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    assertThatThrownBy(() -> Journal.open(file, settings(SEGMENT), Clock.systemUTC()))
        .isInstanceOf(JournalException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void settingsListEveryProblem() {
    assertThatThrownBy(
            () ->
                new JournalSettings(
                    5,
                    Duration.ofSeconds(-1),
                    10,
                    SyncPolicy.GROUP,
                    Duration.ZERO,
                    OverflowPolicy.DROP_OLDEST))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("journal.segmentBytes")
        .hasMessageContaining("journal.maxBytes")
        .hasMessageContaining("journal.maxAge")
        .hasMessageContaining("journal.syncInterval");
  }

  @Test
  void aRecordLargerThanASegmentIsRejectedAndTheJournalStaysUsable() {
    try (Journal journal = open()) {
      assertThatThrownBy(() -> journal.append(new byte[(int) SEGMENT]))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(journal.append(record(1))).isEqualTo(1);
    }
  }

  @Test
  void replayReadsTheBacklogWhileLiveRecordsAreAppendedBehindIt() throws Exception {
    try (Journal journal = open(settings(64 * 1024))) {
      appendRecords(journal, 1, 2000);
      Thread appender =
          new Thread(
              () -> {
                appendRecords(journal, 2001, 6000);
              });
      appender.start();
      long after = 0;
      long expected = 1;
      while (expected <= 6000) {
        for (Journal.Entry entry : journal.readFrom(after, 500, 64 * 1024)) {
          assertThat(entry.id()).isEqualTo(expected);
          assertThat(entry.payload()).isEqualTo(record(expected));
          journal.acknowledge(entry.id());
          after = entry.id();
          expected++;
        }
      }
      appender.join(10_000);
      assertThat(journal.deliveredWatermark()).isEqualTo(6000);
      assertThat(journal.stats().segments()).isEqualTo(1);
    }
  }
}
