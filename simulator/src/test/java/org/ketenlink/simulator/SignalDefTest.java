package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SignalDefTest {

  @Test
  void aStandardViewPathChoosesBrowseNamespacesAndKeepsThePlainPathForNodeIdAndKey() {
    SignalDef def =
        SignalDef.standard(
            "pack1", "PackML/packml:Status/packml:CurMachSpeed", SignalType.FLOAT, "speed");

    assertThat(def.path()).isEqualTo("PackML/Status/CurMachSpeed");
    assertThat(def.key()).isEqualTo("pack1/PackML/Status/CurMachSpeed");
    assertThat(def.name()).isEqualTo("CurMachSpeed");
    assertThat(def.folder()).isEqualTo("PackML/Status");
    assertThat(def.browseNamespaces())
        .containsExactly(BrowseNamespace.FIELDLAB, BrowseNamespace.PACKML, BrowseNamespace.PACKML);
    assertThat(def.nameNamespace()).isEqualTo(BrowseNamespace.PACKML);
    assertThat(def.standardView()).isTrue();
    assertThat(def.browsePath()).isEqualTo("PackML/packml:Status/packml:CurMachSpeed");
  }

  @Test
  void aPlainSignalIsEntirelyInTheSimulatorNamespace() {
    SignalDef def = SignalDef.plain("cnc1", "State/MachineryItemState", SignalType.STRING, "s");

    assertThat(def.browseNamespaces())
        .isEqualTo(List.of(BrowseNamespace.FIELDLAB, BrowseNamespace.FIELDLAB));
    assertThat(def.standardView()).isFalse();
    assertThat(def.browsePath()).isEqualTo("State/MachineryItemState");
  }

  @Test
  void anUnknownPrefixOrAnEmptySegmentIsRefused() {
    assertThatThrownBy(
            () -> SignalDef.standard("cnc1", "machinry:X/ua:CurrentState", SignalType.STRING, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown browse-name prefix 'machinry'");
    assertThatThrownBy(() -> SignalDef.standard("cnc1", "X/ua:", SignalType.STRING, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty segment");
  }
}
