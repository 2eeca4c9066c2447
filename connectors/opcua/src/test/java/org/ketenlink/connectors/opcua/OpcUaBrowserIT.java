package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.simulator.Simulator;

class OpcUaBrowserIT {

  @TempDir Path dir;

  @Test
  void findsTheVariablesBelowObjectsWithTypeUnitAndRestartProofNodeIds() throws Exception {
    try (Simulator sim = Fixtures.simulator(dir.resolve("sim")).start();
        OpcUaPki pki = Fixtures.gatewayPki(dir.resolve("gateway"))) {
      Fixtures.trustEachOther(sim, pki, dir);

      List<BrowsedVariable> found =
          OpcUaBrowser.browse(
              sim.endpointUrl(),
              SecurityPolicy.BASIC256SHA256,
              SecurityMode.SIGN_AND_ENCRYPT,
              Identity.anonymous(),
              pki,
              6);

      BrowsedVariable speed =
          found.stream()
              .filter(v -> v.path().equals("line1/cnc1/Monitoring/SpindleSpeed"))
              .findFirst()
              .orElseThrow();
      assertThat(speed.nodeId()).isEqualTo(Fixtures.nsu("line1/cnc1/Monitoring/SpindleSpeed"));
      assertThat(speed.namespaceUri()).isEqualTo(Fixtures.NS);
      assertThat(speed.dataType()).isEqualTo("Double");
      assertThat(speed.unit()).isEqualTo(Optional.of(new Unit("RPM", "r/min")));
      assertThat(speed.readable()).isTrue();
      assertThat(found)
          .noneMatch(v -> v.path().endsWith("/EngineeringUnits") || v.path().endsWith("/EURange"))
          .noneMatch(v -> v.path().startsWith("Server/"))
          .anyMatch(
              v ->
                  v.path().equals("line1/cnc1/Production/GoodCount")
                      && v.dataType().equals("UInt32")
                      && v.unit().isEmpty());
    }
  }

  @Test
  void theDepthLimitIsHonoured() throws Exception {
    try (Simulator sim = Fixtures.simulator(dir.resolve("sim")).start();
        OpcUaPki pki = Fixtures.gatewayPki(dir.resolve("gateway"))) {
      Fixtures.trustEachOther(sim, pki, dir);

      List<BrowsedVariable> found =
          OpcUaBrowser.browse(
              sim.endpointUrl(),
              SecurityPolicy.BASIC256SHA256,
              SecurityMode.SIGN_AND_ENCRYPT,
              Identity.anonymous(),
              pki,
              3);

      assertThat(found).isNotEmpty().allMatch(v -> v.browsePath().size() <= 3);
    }
  }

  @Test
  void anUntrustedServerIsExplainedWithTheCommandToTrustIt() throws Exception {
    try (Simulator sim = Fixtures.simulator(dir.resolve("sim")).start();
        OpcUaPki pki = Fixtures.gatewayPki(dir.resolve("gateway"))) {
      sim.trustClientCertificate(pki.certificate());

      assertThatThrownBy(
              () ->
                  OpcUaBrowser.browse(
                      sim.endpointUrl(),
                      SecurityPolicy.BASIC256SHA256,
                      SecurityMode.SIGN_AND_ENCRYPT,
                      Identity.anonymous(),
                      pki,
                      2))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("server certificate not trusted")
          .hasMessageContaining("ketenlink trust " + pki.rejected().get(0));
    }
  }
}
