package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.configuration.service.InternalConfigurations;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HiveMQ's QoS 1 delivery window is an internal setting (see EmbeddedBroker#tuneHiveMq); this pins
 * that it still exists under these names and that starting the embedded broker raises it. The
 * throughput it buys is measured by EndToEndBenchmark, not here.
 */
class EmbeddedBrokerTuningIT {

  @TempDir Path dir;

  @Test
  void startingTheBrokerRaisesHiveMqsQos1DeliveryWindow() {
    try (EmbeddedBroker broker = EmbeddedBroker.start(BrokerSettings.loopback(dir, 0))) {
      assertThat(broker.port()).isPositive();
      assertThat(InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES)
          .isEqualTo(EmbeddedBroker.SUBSCRIBER_WINDOW);
      assertThat(InternalConfigurations.PUBLISH_POLL_BATCH_SIZE)
          .isEqualTo(EmbeddedBroker.SUBSCRIBER_WINDOW);
    }
  }
}
