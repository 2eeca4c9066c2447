package org.ketenlink.gateway.journal;

/**
 * A snapshot of one journal's backlog and counters. Counters count since {@link Journal#open}; the
 * backlog describes what is on disk now.
 *
 * @param backlogRecords records not yet covered by the delivered watermark and not acknowledged
 * @param backlogBytes bytes on disk from the oldest unacknowledged record to the end of the journal
 *     (record headers included)
 * @param oldestAgeMillis age of the oldest unacknowledged record, 0 when the backlog is empty
 * @param diskBytes bytes of all segment files, delivered or not (what the disk budget limits)
 * @param segments number of segment files
 * @param deliveredWatermark every id up to this one is acknowledged, dropped or lost
 * @param lastId the id of the newest record appended (0 if none ever was)
 * @param appended records appended
 * @param acknowledged distinct records acknowledged
 * @param droppedByBudget undelivered records dropped because the disk budget was reached
 * @param droppedByAge undelivered records dropped because they were older than the maximum age
 * @param truncatedRecords records cut from the torn or corrupt tail of the last segment on open (a
 *     best estimate: the records whose start could still be found, at least one per truncation)
 * @param truncatedBytes bytes cut from the tail of the last segment on open
 * @param corruptRecords records lost to corruption elsewhere: in a segment that is not the last
 *     (found on open) or detected when reading
 * @param corruptBytes bytes removed with those records on open
 */
public record JournalStats(
    long backlogRecords,
    long backlogBytes,
    long oldestAgeMillis,
    long diskBytes,
    int segments,
    long deliveredWatermark,
    long lastId,
    long appended,
    long acknowledged,
    long droppedByBudget,
    long droppedByAge,
    long truncatedRecords,
    long truncatedBytes,
    long corruptRecords,
    long corruptBytes) {}
