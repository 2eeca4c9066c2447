package org.ketenlink.connectors.api;

import java.time.Instant;
import java.util.Optional;

/**
 * What a machine reports about one production order (OPC 40001-3 job order terms).
 *
 * @param orderId the order's id
 * @param customer the customer's id as the machine knows it; empty if the machine does not say
 * @param article the article produced
 *     <p>A count the machine could not give (a Bad or missing value) is {@code -1}; a text, empty.
 * @param planned good parts ordered
 * @param good good parts produced so far
 * @param scrap scrap parts produced so far
 * @param state the job order state, e.g. {@code Running}, {@code Interrupted}, {@code Ended}
 * @param start when production started, if it has
 * @param end when the order ended, if it has
 * @param due when the order is due, if set
 */
public record OrderFacts(
    String orderId,
    String customer,
    String article,
    long planned,
    long good,
    long scrap,
    String state,
    Optional<Instant> start,
    Optional<Instant> end,
    Optional<Instant> due) {}
