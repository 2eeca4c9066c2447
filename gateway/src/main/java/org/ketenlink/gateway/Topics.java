package org.ketenlink.gateway;

import org.ketenlink.gateway.config.ConfigLoader;
import org.ketenlink.gateway.config.GatewayConfig;

/**
 * The topic namespace (ISA-95 unified namespace), documented in docs/topics-and-payloads.md:
 *
 * <pre>
 * ketenlink/v1/{enterprise}/{site}/{area}/{line}/{machine}/{kind}/{name}
 * ketenlink/v1/{enterprise}/{site}/{area}/{line}/{machine}/batch
 * ketenlink/v1/{enterprise}/{site}/{area}/_gateway/{gatewayId}/status
 * ketenlink/v1/partners/{partner}/{enterprise}/{site}/{area}/{line}/{machine}/{kind}/{name}
 * </pre>
 *
 * Configuration validation guarantees that no level contains '/', '+', '#' or starts with '_'.
 */
final class Topics {

  static final String ROOT = "ketenlink/v1";

  /** Under a partner's prefix: where it may publish commands (issue: partner commands). */
  static final String COMMANDS = "_commands";

  /** The level of a machine's batches (after the machine, instead of kind/name). */
  static final String BATCH = "batch";

  /** The kind level of order streams. */
  static final String ORDER = "order";

  private final String prefix;
  private final String site;
  private final String gatewayId;

  Topics(GatewayConfig.Identity gateway) {
    this.site = gateway.enterprise() + "/" + gateway.site() + "/" + gateway.area();
    this.prefix = ROOT + "/" + site;
    this.gatewayId = gateway.id();
  }

  /** A machine's ISA-95 asset path, {@code enterprise/site/area/line/machine}. */
  String asset(String line, String machine) {
    return site + "/" + line + "/" + machine;
  }

  String signal(String line, String machine, GatewayConfig.Kind kind, String name) {
    return prefix + "/" + line + "/" + machine + "/" + kind.topicName() + "/" + name;
  }

  /**
   * A stream's topic in a partner's view: the same levels under the partner's own prefix, so one
   * broker ACL pattern ({@code ketenlink/v1/partners/<partner>/#}) covers everything it may see.
   */
  static String partner(String partner, String streamTopic) {
    return partnerPrefix(partner) + streamTopic.substring(ROOT.length());
  }

  /** Everything one partner may subscribe to lives under this prefix. */
  static String partnerPrefix(String partner) {
    return ROOT + "/" + ConfigLoader.PARTNERS_LEVEL + "/" + partner;
  }

  /** A batched source's values, one message per publishing cycle. */
  String batch(String line, String machine) {
    return prefix + "/" + line + "/" + machine + "/" + BATCH;
  }

  /** An order's stream: its events, the last one retained. */
  String order(String line, String machine, String orderId) {
    return prefix + "/" + line + "/" + machine + "/" + ORDER + "/" + orderId;
  }

  /** A stream the gateway derives for a machine, e.g. {@code state/timeline}. */
  String derived(String line, String machine, String kind, String name) {
    return prefix + "/" + line + "/" + machine + "/" + kind + "/" + name;
  }

  String gatewayStatus() {
    return prefix + "/_gateway/" + gatewayId + "/status";
  }

  /** The filter that matches everything this gateway publishes. */
  String all() {
    return prefix + "/#";
  }
}
