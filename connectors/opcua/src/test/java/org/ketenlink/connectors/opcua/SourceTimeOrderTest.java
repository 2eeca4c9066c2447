package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.junit.jupiter.api.Test;

/** One publish's values are handed over in source-time order, each signal's in its own order. */
class SourceTimeOrderTest {

  private static DataValue at(long millis) {
    return new DataValue(
        new Variant(1), StatusCode.GOOD, new DateTime(Instant.ofEpochMilli(millis)), null);
  }

  @Test
  void valuesAlreadyInOrderAreHandedOverAsTheyCame() {
    assertThat(OpcUaSource.sourceTimeOrder(List.of(at(1), at(2), at(2), at(5)))).isNull();
    assertThat(OpcUaSource.sourceTimeOrder(List.of())).isNull();
  }

  @Test
  void aNotificationGroupedByItemIsPutBackIntoTheOrderThingsHappened() {
    // As a server sends it: the counter's two changes, then the state change between them.
    List<DataValue> values = List.of(at(1_000), at(3_000), at(2_000), at(3_000), at(500));
    assertThat(OpcUaSource.sourceTimeOrder(values)).containsExactly(4, 0, 2, 1, 3);
  }
}
