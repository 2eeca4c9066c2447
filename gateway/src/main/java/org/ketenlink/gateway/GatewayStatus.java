package org.ketenlink.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.ketenlink.connectors.api.LinkStatus;
import org.ketenlink.connectors.api.SourceStatus;

/**
 * What {@code /api/status} shows: the gateway, each source and link, and the pipeline.
 *
 * @param ready true when every source and every link is connected
 */
public record GatewayStatus(
    String gateway,
    String run,
    String version,
    Instant startedAt,
    boolean ready,
    List<SourceStatus> sources,
    List<LinkStatus> links,
    PipelineStatus pipeline,
    List<JournalStatus> journals,
    Optional<String> broker) {

  /**
   * The pipeline queue between sources and links, and what the gateway could not take.
   *
   * @param dropped values dropped so far, by {@code stage/reason} (e.g. {@code source/queue_full}
   *     when the gateway is overloaded); the same counts as {@code
   *     ketenlink_pipeline_dropped_total}
   */
  public record PipelineStatus(int queued, int capacity, java.util.Map<String, Long> dropped) {}

  /** One link's journal: its backlog and what it delivered or had to drop. */
  public record JournalStatus(String link, org.ketenlink.gateway.journal.JournalStats stats) {}
}
