package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Status codes in payloads read as they always have: 0x and eight upper-case hex digits. */
class StatusTextTest {

  @Test
  void everyStatusCodeReadsAsStringFormatWroteIt() {
    long[] known = {0L, 0x808C0000L, 0x80000000L, 0x40000000L, 0xFFFFFFFFL, 0x00A70000L, 1L};
    for (long s : known) {
      assertThat(PayloadEncoder.statusText(s)).isEqualTo(String.format("0x%08X", s));
    }
    Random r = new Random(7);
    for (int i = 0; i < 10_000; i++) {
      long s = r.nextInt() & 0xFFFFFFFFL;
      assertThat(PayloadEncoder.statusText(s)).isEqualTo(String.format("0x%08X", s));
    }
  }
}
