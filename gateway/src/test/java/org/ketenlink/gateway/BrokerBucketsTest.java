package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How many buckets the embedded broker gives HiveMQ's persistences (EmbeddedBroker#bucketsIn). */
class BrokerBucketsTest {

  @TempDir Path persistence;

  @Test
  void a_new_data_folder_gets_four_buckets() {
    assertThat(EmbeddedBroker.bucketsIn(persistence.resolve("missing"), store -> true))
        .isEqualTo(4);
    assertThat(EmbeddedBroker.bucketsIn(persistence, store -> true)).isEqualTo(4);
  }

  @Test
  void a_folder_written_with_hivemqs_default_of_64_keeps_64_even_when_some_buckets_were_never_made()
      throws IOException {
    bucket("client_session_store", "040000", 0);
    bucket("client_session_store", "040000", 63);
    bucket("retained_messages", "040500_R", 21);
    bucket("publish_payload_store", "040500_R", 0);
    bucket("publish_payload_store", "040500_R", 7);

    assertThat(
            EmbeddedBroker.bucketsIn(persistence, store -> !store.equals("publish_payload_store")))
        .isEqualTo(64);
    assertThat(EmbeddedBroker.bucketsIn(persistence, "publish_payload_store"::equals)).isEqualTo(8);
  }

  @Test
  void files_that_are_not_buckets_do_not_count() throws IOException {
    Path version = Files.createDirectories(persistence.resolve("client_queue").resolve("040000"));
    Files.createFile(version.resolve("client_queue_x"));
    Files.createFile(version.resolve("00000000000.xd"));
    Files.createDirectories(
        persistence.resolve("other_store").resolve("1").resolve("other_store_99"));

    assertThat(EmbeddedBroker.bucketsIn(persistence, "client_queue"::equals)).isEqualTo(4);
  }

  private void bucket(String store, String version, int number) throws IOException {
    Files.createDirectories(
        persistence.resolve(store).resolve(version).resolve(store + "_" + number));
  }
}
