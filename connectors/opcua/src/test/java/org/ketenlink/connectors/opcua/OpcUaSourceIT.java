package org.ketenlink.connectors.opcua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ketenlink.connectors.opcua.Fixtures.await;
import static org.ketenlink.connectors.opcua.Fixtures.byPath;
import static org.ketenlink.connectors.opcua.Fixtures.nsu;
import static org.ketenlink.connectors.opcua.Fixtures.signal;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ketenlink.connectors.api.ConnectionState;
import org.ketenlink.connectors.api.Quality;
import org.ketenlink.connectors.api.Range;
import org.ketenlink.connectors.api.Sample;
import org.ketenlink.connectors.api.SignalInfo;
import org.ketenlink.connectors.api.SourceStatus;
import org.ketenlink.connectors.api.Unit;
import org.ketenlink.connectors.api.Value;
import org.ketenlink.simulator.Simulator;

/** The OPC UA source against the bundled simulator over Basic256Sha256/SignAndEncrypt. */
class OpcUaSourceIT {

  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir static Path dir;
  static Simulator sim;
  static OpcUaPki pki;

  private final List<OpcUaSource> sources = new ArrayList<>();

  @BeforeAll
  static void startSimulator() throws Exception {
    sim = Fixtures.simulator(dir.resolve("sim")).user("operator", "correct-horse-battery").start();
    pki = Fixtures.gatewayPki(dir.resolve("gateway"));
    Fixtures.trustEachOther(sim, pki, dir);
  }

  @AfterAll
  static void stopSimulator() {
    pki.close();
    sim.close();
  }

  @AfterEach
  void closeSources() {
    sources.forEach(OpcUaSource::close);
  }

  private TestSink start(OpcUaSourceSettings settings) {
    OpcUaSource source = new OpcUaSource(settings, pki);
    sources.add(source);
    TestSink sink = new TestSink();
    source.start(sink);
    return sink;
  }

  private OpcUaSource last() {
    return sources.get(sources.size() - 1);
  }

  private static OpcUaSourceSettings settings(String id, SignalSettings... signals) {
    return Fixtures.settings(id, sim.endpointUrl(), List.of(signals));
  }

  @Test
  void deliversSamplesWithTheirValuesQualityAndSourceTimestamps() throws Exception {
    Instant before = Instant.now();
    TestSink sink =
        start(
            settings(
                "cnc1",
                signal("speed", NodeAddress.id(nsu("line1/cnc1/Monitoring/SpindleSpeed"))),
                signal("good", NodeAddress.id(nsu("line1/cnc1/Production/GoodCount"))),
                signal("alarm", NodeAddress.id(nsu("line1/cnc1/Alarms/AlarmActive"))),
                signal("maker", NodeAddress.id(nsu("line1/cnc1/Identification/Manufacturer"))),
                signal(
                    "year", NodeAddress.id(nsu("line1/cnc1/Identification/YearOfConstruction")))));

    await(
        WAIT,
        "one sample of every signal",
        () -> sink.samples.stream().map(Sample::signalId).distinct().count() == 5);

    assertThat(sink.of("maker").get(0).value()).isEqualTo(new Value.Text("Brabant Machinefabriek"));
    assertThat(sink.of("year").get(0).value()).isEqualTo(new Value.Int(2019));
    assertThat(sink.of("speed").get(0).value()).isInstanceOf(Value.Real.class);
    assertThat(sink.of("good").get(0).value()).isInstanceOf(Value.Int.class);
    assertThat(sink.of("alarm").get(0).value()).isInstanceOf(Value.Bool.class);
    Instant simulatedNow = sim.simulatedTime();
    for (Sample s : sink.samples) {
      assertThat(s.sourceId()).isEqualTo("cnc1");
      assertThat(s.quality()).isEqualTo(Quality.GOOD);
      assertThat(s.statusCode()).isZero();
      // The simulator stamps simulated time, which runs 60x ahead of the wall clock.
      assertThat(s.sourceTime())
          .isBetween(sim.simulatedStart().minusSeconds(1), simulatedNow.plusSeconds(1));
      assertThat(s.receivedTime()).isBetween(before, Instant.now());
    }
    SourceStatus status = last().status();
    assertThat(status.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(status.security()).isEqualTo("Basic256Sha256/SignAndEncrypt");
    assertThat(status.endpoint()).isEqualTo(sim.endpointUrl());
    assertThat(status.signalsConfigured()).isEqualTo(5);
    assertThat(status.signalsActive()).isEqualTo(5);
    assertThat(status.samplesReceived()).isEqualTo(sink.samples.size());
    assertThat(status.problems()).isEmpty();
    assertThat(status.lastError()).isEmpty();
  }

  @Test
  void resolvesSignalsByNamespaceUriNodeIdAndByBrowsePath() throws Exception {
    TestSink sink =
        start(
            settings(
                "cnc1",
                signal("byId", NodeAddress.id(nsu("line1/cnc1/Identification/Model"))),
                signal("byPath", byPath("line1/cnc1/Identification/Model"))));

    await(WAIT, "both signals", () -> sink.count("byId") > 0 && sink.count("byPath") > 0);

    assertThat(sink.of("byId").get(0).value()).isEqualTo(new Value.Text("BM-500 5X"));
    assertThat(sink.of("byPath").get(0).value()).isEqualTo(new Value.Text("BM-500 5X"));
  }

  @Test
  void reportsEngineeringUnitsRangeAndDataTypeBeforeTheFirstSample() throws Exception {
    TestSink sink =
        start(settings("cnc1", signal("speed", byPath("line1/cnc1/Monitoring/SpindleSpeed"))));

    await(WAIT, "a sample", () -> sink.count("speed") > 0);

    SignalInfo info = sink.infosOf("speed").get(0);
    assertThat(info.sourceId()).isEqualTo("cnc1");
    assertThat(info.dataType()).isEqualTo("Double");
    assertThat(info.unit()).contains(new Unit("RPM", "r/min"));
    assertThat(info.range()).contains(new Range(0, 24_000));
    assertThat(info.nodeId()).startsWith("ns=").endsWith(";s=line1/cnc1/Monitoring/SpindleSpeed");
    assertThat(sink.events.get(0)).isInstanceOf(SignalInfo.class);
  }

  @Test
  void aVariableWithoutEngineeringUnitsHasNoUnit() throws Exception {
    TestSink sink =
        start(settings("cnc1", signal("good", byPath("line1/cnc1/Production/GoodCount"))));

    await(WAIT, "the signal info", () -> !sink.infosOf("good").isEmpty());

    SignalInfo info = sink.infosOf("good").get(0);
    assertThat(info.dataType()).isEqualTo("UInt32");
    assertThat(info.unit()).isEmpty();
    assertThat(info.range()).isEmpty();
  }

  @Test
  void anAbsoluteDeadbandReducesNotifications() throws Exception {
    TestSink sink =
        start(
            settings(
                "cnc1",
                signal("all", byPath("line1/cnc1/Monitoring/CoolantTemperature")),
                signal("banded", byPath("line1/cnc1/Monitoring/CoolantTemperature"))
                    .withDeadband(Deadband.absolute(5.0))));
    await(WAIT, "both signals", () -> sink.count("all") > 0 && sink.count("banded") > 0);
    long all0 = sink.count("all");
    long banded0 = sink.count("banded");

    await(WAIT, "20 more values without deadband", () -> sink.count("all") >= all0 + 20);

    long all = sink.count("all") - all0;
    long banded = sink.count("banded") - banded0;
    assertThat(banded)
        .as("values with a 5 °C deadband while %s arrived without", all)
        .isLessThanOrEqualTo(all / 4);
  }

  @Test
  void aBadSignalIsDeliveredAsBadWithItsStatusNotDropped() throws Exception {
    TestSink sink = start(settings("cnc1", signal("power", byPath("line1/cnc1/Monitoring/Power"))));
    await(
        WAIT,
        "a good value",
        () -> sink.of("power").stream().anyMatch(s -> s.quality() == Quality.GOOD));

    sim.faults().signalQuality("cnc1", "Monitoring/Power", Simulator.Quality.BAD);
    try {
      await(
          WAIT,
          "a bad value",
          () -> sink.of("power").stream().anyMatch(s -> s.quality() == Quality.BAD));
    } finally {
      sim.faults().signalQuality("cnc1", "Monitoring/Power", Simulator.Quality.GOOD);
    }

    Sample bad =
        sink.of("power").stream().filter(s -> s.quality() == Quality.BAD).findFirst().orElseThrow();
    assertThat(bad.statusCode() & 0xFFFF0000L).isEqualTo(StatusCodes.Bad_SensorFailure);
    assertThat(last().status().problems()).isEmpty();
  }

  @Test
  void aSignalWhoseNodeAppearsLaterStartsByItselfWithinTheRetryInterval() throws Exception {
    TestSink sink =
        start(
            settings(
                    "pack1",
                    signal(
                        "lateById", NodeAddress.id(nsu("line1/pack1/Orders/LATE-1/GoodQuantity"))),
                    signal("lateByPath", byPath("line1/pack1/Orders/LATE-1/GoodQuantity")),
                    signal("speed", byPath("line1/pack1/Monitoring/Speed")))
                .withNodeRetryInterval(Duration.ofSeconds(1)));
    await(WAIT, "the present signal", () -> sink.count("speed") > 0);
    await(WAIT, "two problems", () -> last().status().problems().size() == 2);
    assertThat(last().status().problems())
        .containsExactlyInAnyOrder(
            "lateById: Bad_NodeIdUnknown (no node "
                + nsu("line1/pack1/Orders/LATE-1/GoodQuantity")
                + "), retrying every 1s",
            "lateByPath: Bad_NoMatch (no node at line1/pack1/Orders/LATE-1/GoodQuantity),"
                + " retrying every 1s");
    assertThat(last().status().signalsActive()).isEqualTo(1);

    long stored;
    OpcUaClient client = Fixtures.client(sim, pki);
    try {
      assertThat(Fixtures.storeOrder(client, "pack1", "LATE-1").isGood()).isTrue();
      stored = System.nanoTime();
    } finally {
      client.disconnect();
    }

    await(
        Duration.ofSeconds(5),
        "the late signals",
        () -> sink.count("lateById") > 0 && sink.count("lateByPath") > 0);
    Duration took = Duration.ofNanos(System.nanoTime() - stored);
    assertThat(took).isLessThan(Duration.ofSeconds(3));
    assertThat(sink.of("lateById").get(0).value()).isEqualTo(new Value.Int(0));
    assertThat(sink.infosOf("lateByPath")).extracting(SignalInfo::dataType).contains("UInt32");
    await(WAIT, "no problems", () -> last().status().problems().isEmpty());
    assertThat(last().status().signalsActive()).isEqualTo(3);
  }

  @Test
  void aWrongPasswordIsExplainedAndRetriedAndTheRightOneWorks() throws Exception {
    start(
        settings("wrong", signal("speed", byPath("line1/pack1/Monitoring/Speed")))
            .withIdentity(new Identity.UserPassword("operator", "wrong-password")));
    OpcUaSource wrong = last();

    await(WAIT, "a second attempt", () -> wrong.connectAttempts() >= 2);

    SourceStatus status = wrong.status();
    assertThat(status.state()).isEqualTo(ConnectionState.CONNECTING);
    assertThat(status.lastError())
        .contains("Bad_UserAccessDenied: wrong user name or password for user 'operator'");

    TestSink right =
        start(
            settings("right", signal("speed", byPath("line1/pack1/Monitoring/Speed")))
                .withIdentity(new Identity.UserPassword("operator", "correct-horse-battery")));
    await(WAIT, "samples with the right password", () -> right.count("speed") > 0);
  }

  @Test
  void anX509UserTokenTheServerTrustsIsAcceptedAndAnotherIsExplained() throws Exception {
    Identity.X509 trusted = Fixtures.x509User(dir, "trusted-user");
    sim.trustClientCertificate(Pem.readCertificate(trusted.certificatePem()));
    Identity.X509 unknown = Fixtures.x509User(dir, "unknown-user");

    TestSink sink =
        start(
            settings("x509", signal("speed", byPath("line1/pack1/Monitoring/Speed")))
                .withIdentity(trusted));
    start(
        settings("x509bad", signal("speed", byPath("line1/pack1/Monitoring/Speed")))
            .withIdentity(unknown));
    OpcUaSource refused = last();

    await(WAIT, "samples with the trusted user certificate", () -> sink.count("speed") > 0);
    await(WAIT, "the refusal", () -> refused.status().lastError().isPresent());
    assertThat(refused.status().lastError().orElseThrow())
        .contains("the server refused the X.509 user certificate " + unknown.certificatePem());
  }

  @Test
  void aPercentDeadbandWorksOnAnalogItemsAndIsExplainedOnOthers() throws Exception {
    start(
        settings(
            "cnc1",
            signal("speed", byPath("line1/cnc1/Monitoring/SpindleSpeed"))
                .withDeadband(Deadband.percent(10)),
            signal("good", byPath("line1/cnc1/Production/GoodCount"))
                .withDeadband(Deadband.percent(10))));

    await(WAIT, "one problem", () -> last().status().problems().size() == 1);

    assertThat(last().status().problems().get(0))
        .startsWith("good: Bad_")
        .contains("a percent deadband needs a node with an EURange");
    assertThat(last().status().signalsActive()).isEqualTo(1);
  }

  @Test
  void valuesTheServerDiscardedFromAFullQueueAreCountedAsDropped() throws Exception {
    // The coolant temperature changes every 100 ms; a queue of 2 per 1 s publishing overflows.
    start(
        settings(
                "cnc1",
                signal("temp", byPath("line1/cnc1/Monitoring/CoolantTemperature")).withQueueSize(2))
            .withPublishingInterval(Duration.ofSeconds(1)));

    await(WAIT, "dropped samples", () -> last().status().samplesDropped() > 0);
  }

  @Test
  void aSecurityPolicyTheServerDoesNotOfferIsExplained() throws Exception {
    start(
        settings("insecure", signal("speed", byPath("line1/pack1/Monitoring/Speed")))
            .withSecurity(SecurityPolicy.NONE, SecurityMode.NONE));

    await(WAIT, "the error", () -> last().status().lastError().isPresent());

    assertThat(last().status().lastError().orElseThrow())
        .startsWith("security policy None/None not offered; server offers [")
        .contains("Basic256Sha256/SignAndEncrypt", "Aes256_Sha256_RsaPss/Sign");
  }

  @Test
  void samplesResumeAfterTheServerDropsAllSessions() throws Exception {
    TestSink sink =
        start(
            settings(
                "pack1", signal("processed", byPath("line1/pack1/Monitoring/ProcessedCount"))));
    await(WAIT, "samples", () -> sink.count("processed") > 3);

    sim.faults().dropAllSessions();

    await(Duration.ofSeconds(30), "a reconnect", () -> last().status().reconnects() >= 1);
    long after = sink.count("processed");
    await(
        Duration.ofSeconds(10),
        "samples after the reconnect",
        () -> sink.count("processed") > after + 3);
    SourceStatus status = last().status();
    assertThat(status.state()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(status.signalsActive()).isEqualTo(1);
    assertThat(status.lastError()).isEqualTo(Optional.empty());
  }

  @Test
  void closeIsIdempotentAndStops() throws Exception {
    TestSink sink =
        start(settings("pack1", signal("speed", byPath("line1/pack1/Monitoring/Speed"))));
    await(WAIT, "samples", () -> sink.count("speed") > 0);
    OpcUaSource source = last();

    source.close();
    source.close();

    assertThat(source.status().state()).isEqualTo(ConnectionState.STOPPED);
    long count = sink.samples.size();
    Thread.sleep(300);
    assertThat(sink.samples).hasSize((int) count);
    await(
        Duration.ofSeconds(2),
        "the source thread to end",
        () ->
            Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("ketenlink-opcua-pack1") && t.isAlive()));
  }
}
