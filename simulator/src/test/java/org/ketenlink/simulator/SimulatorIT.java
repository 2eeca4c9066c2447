package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.ketenlink.simulator.TestClients.await;
import static org.ketenlink.simulator.TestClients.call;
import static org.ketenlink.simulator.TestClients.node;
import static org.ketenlink.simulator.TestClients.read;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.SessionActivityListener;
import org.eclipse.milo.opcua.sdk.client.UaSession;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.sdk.client.identity.UsernameProvider;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaMonitoredItem;
import org.eclipse.milo.opcua.sdk.client.subscriptions.OpcUaSubscription;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathResult;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodResult;
import org.eclipse.milo.opcua.stack.core.types.structured.EUInformation;
import org.eclipse.milo.opcua.stack.core.types.structured.Range;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePath;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePathElement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator as a standard OPC UA client sees it, over a real secure channel. */
class SimulatorIT {

  @TempDir static Path pki;
  static Simulator sim;
  static OpcUaClient client;

  @BeforeAll
  static void start() throws Exception {
    Scenario scenario =
        Scenario.load(Path.of(SimulatorIT.class.getResource("it-scenario.yaml").toURI()));
    sim = Simulator.builder().port(0).scenario(scenario).seed(7).timeScale(60).pkiDir(pki).start();
    client = TestClients.connectTrusted(sim);
    await(
        Duration.ofSeconds(10),
        "cnc1 executing",
        () -> "Executing".equals(readQuietly("line1/cnc1/State/MachineryItemState")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (client != null) {
      client.disconnect();
    }
    if (sim != null) {
      sim.close();
    }
  }

  static Object readQuietly(String path) {
    try {
      return read(client, path);
    } catch (Exception e) {
      return null;
    }
  }

  private static List<ReferenceDescription> browse(NodeId node) throws UaException {
    return List.of(
        client
            .browse(
                new BrowseDescription(
                    node,
                    BrowseDirection.Forward,
                    NodeIds.HierarchicalReferences,
                    true,
                    uint(0),
                    uint(BrowseResultMask.All.getValue())))
            .getReferences());
  }

  private static List<String> names(List<ReferenceDescription> refs) {
    return refs.stream().map(r -> r.getBrowseName().name()).toList();
  }

  @Test
  void theAddressSpaceHasALineFolderWithOneObjectPerMachine() throws Exception {
    List<ReferenceDescription> objects = browse(NodeIds.ObjectsFolder);
    assertThat(names(objects)).contains("line1", "Simulation");
    assertThat(names(browse(node(client, "line1")))).containsExactly("cnc1", "mould1", "pack1");
    assertThat(names(browse(node(client, "line1/cnc1"))))
        .contains("Identification", "State", "Monitoring", "Production", "Alarms", "Orders");
    assertThat(names(browse(node(client, "line1/cnc1/Monitoring"))))
        .containsExactly(
            "SpindleSpeed",
            "SpindleLoad",
            "FeedOverride",
            "SpindlePower",
            "Power",
            "CoolantTemperature",
            "ToolWear");
    assertThat(names(browse(node(client, "line1/mould1/Monitoring"))))
        .contains(
            "CycleTime",
            "ShotCounter",
            "Cavities",
            "BarrelTemperature",
            "MouldTemperature",
            "InjectionPressure");
    assertThat(names(browse(node(client, "line1/pack1/State"))))
        .contains("PackMLState", "PackMLStateNumber");
    assertThat(names(browse(node(client, "line1/cnc1/Orders"))))
        .contains(
            "ActiveOrderId",
            "ORD-1",
            "StoreOrder",
            "StartOrder",
            "HoldOrder",
            "AbortOrder",
            "SetPlannedQuantity",
            "SetDueDate");
    assertThat(read(client, "line1/cnc1/Identification/Manufacturer"))
        .isEqualTo("Brabant Machinefabriek");
    assertThat(read(client, "line1/cnc1/Identification/YearOfConstruction"))
        .isEqualTo(org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ushort(2019));
    List<ReferenceDescription> orderRefs = browse(node(client, "line1/cnc1/Orders"));
    assertThat(orderRefs.stream().filter(r -> r.getNodeClass() == NodeClass.Method).count())
        .isEqualTo(6);
  }

  @Test
  void theStandardViewsAreFoundByStandardBrowsePathsAndShowTheSameValuesAsTheOwnLayout()
      throws Exception {
    int fieldlab = namespace(FieldlabNamespace.NAMESPACE_URI);
    int machinery = namespace("http://opcfoundation.org/UA/Machinery/");
    int packml = namespace("http://opcfoundation.org/UA/PackML/");
    assertThat(browse(NodeIds.ObjectsFolder))
        .anyMatch(r -> r.getBrowseName().equals(new QualifiedName(machinery, "Machines")));
    assertThat(names(browse(node(client, "Machines")))).containsExactly("cnc1", "mould1", "pack1");

    NodeId itemState =
        translate(
            new QualifiedName(machinery, "Machines"),
            new QualifiedName(fieldlab, "cnc1"),
            new QualifiedName(machinery, "MachineryBuildingBlocks"),
            new QualifiedName(machinery, "MachineryItemState"),
            new QualifiedName(0, "CurrentState"));
    QualifiedName[] packMl = {
      new QualifiedName(fieldlab, "line1"),
      new QualifiedName(fieldlab, "pack1"),
      new QualifiedName(fieldlab, "PackML")
    };
    NodeId packState =
        translate(
            packMl[0],
            packMl[1],
            packMl[2],
            new QualifiedName(packml, "BaseStateMachine"),
            new QualifiedName(0, "CurrentState"));
    NodeId curMachSpeed =
        translate(
            packMl[0],
            packMl[1],
            packMl[2],
            new QualifiedName(packml, "Status"),
            new QualifiedName(packml, "CurMachSpeed"));
    assertThat(itemState)
        .isEqualTo(
            node(client, "line1/cnc1/MachineryBuildingBlocks/MachineryItemState/CurrentState"));
    assertThat(client.getAddressSpace().getVariableNode(itemState).getDataType())
        .isEqualTo(NodeIds.LocalizedText);

    // Frozen machines hold one consistent snapshot, so old and new nodes can be compared.
    sim.faults().freeze("cnc1", true);
    sim.faults().freeze("pack1", true);
    try {
      List<DataValue> v =
          client.readValues(
              0,
              TimestampsToReturn.Both,
              List.of(
                  itemState,
                  node(client, "line1/cnc1/State/MachineryItemState"),
                  packState,
                  node(client, "line1/pack1/State/PackMLState"),
                  curMachSpeed,
                  node(client, "line1/pack1/Monitoring/Speed")));
      assertThat(v.get(0).value().value())
          .isEqualTo(LocalizedText.english((String) v.get(1).value().value()));
      assertThat(v.get(2).value().value())
          .isEqualTo(LocalizedText.english((String) v.get(3).value().value()));
      assertThat(v.get(4).value().value())
          .isEqualTo(((Double) v.get(5).value().value()).floatValue());
      for (int i = 0; i < v.size(); i += 2) {
        assertThat(v.get(i).statusCode().isGood()).isTrue();
        assertThat(v.get(i).sourceTime()).isEqualTo(v.get(i + 1).sourceTime());
      }

      sim.faults()
          .signalQuality(
              "cnc1",
              "MachineryBuildingBlocks/MachineryItemState/CurrentState",
              Simulator.Quality.BAD);
      assertThat(client.readValue(0, TimestampsToReturn.Both, itemState).statusCode().getValue())
          .isEqualTo(StatusCodes.Bad_SensorFailure);
    } finally {
      sim.faults()
          .signalQuality(
              "cnc1",
              "MachineryBuildingBlocks/MachineryItemState/CurrentState",
              Simulator.Quality.GOOD);
      sim.faults().freeze("cnc1", false);
      sim.faults().freeze("pack1", false);
    }
  }

  @Test
  void theMachineryItemStateViewFollowsABreakdownInTheSameStepAsTheOwnStateSignal()
      throws Exception {
    List<DataValue> own = new CopyOnWriteArrayList<>();
    List<DataValue> view = new CopyOnWriteArrayList<>();
    OpcUaSubscription sub = new OpcUaSubscription(client, 50.0);
    sub.create();
    try {
      OpcUaMonitoredItem ownItem =
          OpcUaMonitoredItem.newDataItem(node(client, "line1/cnc1/State/MachineryItemState"));
      OpcUaMonitoredItem viewItem =
          OpcUaMonitoredItem.newDataItem(
              node(client, "line1/cnc1/MachineryBuildingBlocks/MachineryItemState/CurrentState"));
      ownItem.setDataValueListener((i, v) -> own.add(v));
      viewItem.setDataValueListener((i, v) -> view.add(v));
      for (OpcUaMonitoredItem item : List.of(ownItem, viewItem)) {
        item.setSamplingInterval(50);
        item.setQueueSize(uint(10));
      }
      sub.addMonitoredItems(List.of(ownItem, viewItem));
      sub.synchronizeMonitoredItems();
      await(Duration.ofSeconds(5), "initial values", () -> !own.isEmpty() && !view.isEmpty());

      // One simulated minute: repaired after about one real second at time scale 60.
      sim.faults().breakdown("cnc1", Duration.ofMinutes(1));
      await(
          Duration.ofSeconds(10),
          "cnc1 broken down and repaired in both nodes",
          () -> repaired(texts(own)) && repaired(texts(view)));

      assertThat(texts(view)).isEqualTo(texts(own)).contains("OutOfService");
      assertThat(view).allMatch(v -> ((LocalizedText) v.value().value()).locale().equals("en"));
      assertThat(view.stream().map(DataValue::sourceTime).toList())
          .isEqualTo(own.stream().map(DataValue::sourceTime).toList());
    } finally {
      sub.delete();
    }
  }

  private static int namespace(String uri) {
    UShort index = client.getNamespaceTable().getIndex(uri);
    assertThat(index).as("namespace %s in the server's namespace array", uri).isNotNull();
    return index.intValue();
  }

  /** TranslateBrowsePathsToNodeIds from Objects along hierarchical references; one target. */
  private static NodeId translate(QualifiedName... path) throws UaException {
    RelativePathElement[] elements =
        Arrays.stream(path)
            .map(n -> new RelativePathElement(NodeIds.HierarchicalReferences, false, true, n))
            .toArray(RelativePathElement[]::new);
    BrowsePathResult result =
        client.translateBrowsePaths(
                List.of(new BrowsePath(NodeIds.ObjectsFolder, new RelativePath(elements))))
            .getResults()[0];
    assertThat(result.getStatusCode().isGood())
        .as("%s: %s", Arrays.toString(path), result)
        .isTrue();
    assertThat(result.getTargets()).hasSize(1);
    return result.getTargets()[0].getTargetId().toNodeId(client.getNamespaceTable()).orElseThrow();
  }

  private static List<String> texts(List<DataValue> values) {
    return values.stream()
        .map(v -> v.value().value())
        .map(o -> o instanceof LocalizedText t ? t.text() : (String) o)
        .toList();
  }

  /** OutOfService was seen and something else after it. */
  private static boolean repaired(List<String> states) {
    int broken = states.lastIndexOf("OutOfService");
    return broken >= 0 && broken < states.size() - 1;
  }

  @Test
  void analogSignalsCarryTheirUneceUnitAndRange() throws Exception {
    NodeId speed = node(client, "line1/cnc1/Monitoring/SpindleSpeed");
    List<ReferenceDescription> props =
        List.of(
            client
                .browse(
                    new BrowseDescription(
                        speed,
                        BrowseDirection.Forward,
                        NodeIds.HasProperty,
                        true,
                        uint(0),
                        uint(BrowseResultMask.All.getValue())))
                .getReferences());
    NodeId unitsNode = propertyNode(props, "EngineeringUnits");
    NodeId rangeNode = propertyNode(props, "EURange");
    EUInformation eu =
        (EUInformation)
            ((ExtensionObject)
                    client.readValue(0, TimestampsToReturn.Neither, unitsNode).value().value())
                .decode(client.getStaticEncodingContext());
    Range range =
        (Range)
            ((ExtensionObject)
                    client.readValue(0, TimestampsToReturn.Neither, rangeNode).value().value())
                .decode(client.getStaticEncodingContext());
    assertThat(eu.getNamespaceUri()).isEqualTo(EngineeringUnit.UNECE_NAMESPACE);
    assertThat(eu.getUnitId()).isEqualTo(('R' << 16) | ('P' << 8) | 'M');
    assertThat(eu.getDisplayName().text()).isEqualTo("r/min");
    assertThat(range.getLow()).isEqualTo(0.0);
    assertThat(range.getHigh()).isEqualTo(24_000.0);
  }

  private static NodeId propertyNode(List<ReferenceDescription> refs, String name) {
    return refs.stream()
        .filter(r -> r.getBrowseName().equals(new QualifiedName(0, name)))
        .findFirst()
        .flatMap(r -> r.getNodeId().toNodeId(client.getNamespaceTable()))
        .orElseThrow(() -> new AssertionError("no property " + name));
  }

  @Test
  void aRunningMillShowsCorrelatedSpindleValuesAndABrokenOneDrawsNoSpindlePower() throws Exception {
    assertThat(read(client, "line1/cnc1/State/MachineryItemState")).isEqualTo("Executing");
    assertThat((Double) read(client, "line1/cnc1/Monitoring/SpindleSpeed"))
        .isBetween(11_800.0, 12_200.0);
    double load = (Double) read(client, "line1/cnc1/Monitoring/SpindleLoad");
    double spindleKw = (Double) read(client, "line1/cnc1/Monitoring/SpindlePower");
    double totalKw = (Double) read(client, "line1/cnc1/Monitoring/Power");
    assertThat(load).isBetween(40.0, 90.0);
    assertThat(spindleKw).isGreaterThan(4.0);
    assertThat(totalKw).isGreaterThan(spindleKw);

    sim.faults().breakdown("mould1", Duration.ofMinutes(10));
    await(
        Duration.ofSeconds(5),
        "mould1 out of service",
        () -> "OutOfService".equals(readQuietly("line1/mould1/State/MachineryItemState")));
    assertThat(read(client, "line1/mould1/Alarms/AlarmActive")).isEqualTo(true);
    assertThat((Integer) read(client, "line1/mould1/Alarms/ActiveAlarmCode")).isGreaterThan(0);
    assertThat((String) read(client, "line1/mould1/Alarms/ActiveAlarmText")).isNotBlank();
    await(
        Duration.ofSeconds(5),
        "no injection pressure",
        () -> Double.valueOf(0.0).equals(readQuietly("line1/mould1/Monitoring/InjectionPressure")));
    // Repaired after 10 simulated minutes = 10 s real at time scale 60.
    await(
        Duration.ofSeconds(20),
        "mould1 repaired",
        () -> "Executing".equals(readQuietly("line1/mould1/State/MachineryItemState")));
    assertThat(read(client, "line1/mould1/Alarms/AlarmActive")).isEqualTo(false);
  }

  @Test
  void ordersCanBeStoredStartedChangedHeldAndAborted() throws Exception {
    String orders = "line1/pack1/Orders";
    DateTime due = new DateTime(Instant.now().plus(Duration.ofDays(2)));
    assertThat(
            call(client, orders, "StoreOrder", "IT-100", "VELO", "tray", uint(50), due)
                .getStatusCode()
                .isGood())
        .isTrue();
    assertThat(read(client, orders + "/IT-100/State")).isEqualTo("NotAllowedToStart");
    assertThat(read(client, orders + "/IT-100/CustomerId")).isEqualTo("VELO");

    assertThat(
            call(client, orders, "SetPlannedQuantity", "IT-100", uint(75)).getStatusCode().isGood())
        .isTrue();
    assertThat(read(client, orders + "/IT-100/PlannedQuantity")).isEqualTo(uint(75));
    DateTime later = new DateTime(Instant.now().plus(Duration.ofDays(3)));
    assertThat(call(client, orders, "SetDueDate", "IT-100", later).getStatusCode().isGood())
        .isTrue();
    assertThat(((DateTime) read(client, orders + "/IT-100/DueDate")).getJavaInstant())
        .isEqualTo(later.getJavaInstant());

    assertThat(call(client, orders, "StartOrder", "IT-100").getStatusCode().isGood()).isTrue();
    assertThat(read(client, orders + "/IT-100/State")).isEqualTo("AllowedToStart");

    assertThat(call(client, orders, "HoldOrder", "ORD-3").getStatusCode().isGood()).isTrue();
    assertThat(read(client, orders + "/ORD-3/State")).isEqualTo("Interrupted");
    // The line moves on to the released order and produces it to completion.
    await(
        Duration.ofSeconds(20),
        "IT-100 ended",
        () -> "Ended".equals(readQuietly(orders + "/IT-100/State")));
    assertThat(((UInteger) read(client, orders + "/IT-100/GoodQuantity")).longValue())
        .isEqualTo(75);
    assertThat(sim.groundTruth().order("IT-100").orElseThrow().good()).isEqualTo(75);

    assertThat(call(client, orders, "StartOrder", "ORD-3").getStatusCode().isGood()).isTrue();
    await(
        Duration.ofSeconds(5),
        "ORD-3 running again",
        () -> "Running".equals(readQuietly(orders + "/ORD-3/State")));
    assertThat(call(client, orders, "AbortOrder", "IT-100").getStatusCode().getValue())
        .isEqualTo(StatusCodes.Bad_InvalidState);
  }

  @Test
  void badMethodArgumentsAreRefusedWithTheRightStatusAndChangeNothing() throws Exception {
    String orders = "line1/cnc1/Orders";
    DateTime due = new DateTime(Instant.now().plus(Duration.ofDays(1)));
    List<GroundTruth.OrderTruth> before = sim.groundTruth().orders();

    CallMethodResult zero =
        call(client, orders, "StoreOrder", "IT-200", "ACME", "flange", uint(0), due);
    assertThat(zero.getStatusCode().getValue()).isEqualTo(StatusCodes.Bad_InvalidArgument);

    CallMethodResult wrongType =
        call(client, orders, "StoreOrder", "IT-200", "ACME", "flange", "many", due);
    assertThat(wrongType.getStatusCode().getValue()).isEqualTo(StatusCodes.Bad_InvalidArgument);
    assertThat(wrongType.getInputArgumentResults()[3].getValue())
        .isEqualTo(StatusCodes.Bad_TypeMismatch);
    assertThat(wrongType.getInputArgumentResults()[0].isGood()).isTrue();

    CallMethodResult badId =
        call(client, orders, "StoreOrder", "has spaces", "ACME", "flange", uint(5), due);
    assertThat(badId.getStatusCode().getValue()).isEqualTo(StatusCodes.Bad_InvalidArgument);

    CallMethodResult duplicate =
        call(client, orders, "StoreOrder", "ORD-2", "ACME", "flange", uint(5), due);
    assertThat(duplicate.getStatusCode().getValue()).isEqualTo(StatusCodes.Bad_EntryExists);

    CallMethodResult unknown = call(client, orders, "StartOrder", "NO-SUCH-ORDER");
    assertThat(unknown.getStatusCode().getValue()).isEqualTo(StatusCodes.Bad_NotFound);

    CallMethodResult missing = call(client, orders, "SetPlannedQuantity", "ORD-1");
    assertThat(missing.getStatusCode().getValue()).isEqualTo(StatusCodes.Bad_ArgumentsMissing);

    CallMethodResult otherMachine = call(client, orders, "HoldOrder", "ORD-2");
    assertThat(otherMachine.getStatusCode().getValue()).isEqualTo(StatusCodes.Bad_NotFound);

    List<GroundTruth.OrderTruth> after = sim.groundTruth().orders();
    assertThat(after.stream().map(GroundTruth.OrderTruth::orderId).toList())
        .isEqualTo(before.stream().map(GroundTruth.OrderTruth::orderId).toList());
    assertThat(
            after.stream()
                .filter(o -> o.orderId().equals("ORD-2"))
                .findFirst()
                .orElseThrow()
                .state())
        .isEqualTo(
            before.stream()
                .filter(o -> o.orderId().equals("ORD-2"))
                .findFirst()
                .orElseThrow()
                .state());
    assertThat(after.stream().map(GroundTruth.OrderTruth::planned).toList())
        .isEqualTo(before.stream().map(GroundTruth.OrderTruth::planned).toList());
  }

  @Test
  void anUntrustedClientCertificateIsRefusedAndLandsInRejected() {
    TestClients.Identity stranger = TestClients.Identity.create("untrusted test client");
    assertThatThrownBy(
            () ->
                TestClients.connect(
                    sim,
                    stranger,
                    SecurityPolicy.Basic256Sha256,
                    MessageSecurityMode.SignAndEncrypt,
                    new AnonymousProvider()))
        .isInstanceOf(UaException.class);
    assertThat(sim.rejectedClientCertificates()).contains(stranger.certificate());
  }

  @Test
  void aWrongPasswordIsRefusedAndTheRightOneAccepted() throws Exception {
    TestClients.Identity id = TestClients.Identity.create("password test client");
    sim.trustClientCertificate(id.certificate());
    assertThatThrownBy(
            () ->
                TestClients.connect(
                    sim,
                    id,
                    SecurityPolicy.Aes256_Sha256_RsaPss,
                    MessageSecurityMode.SignAndEncrypt,
                    new UsernameProvider("operator", "wrong-password")))
        .isInstanceOfSatisfying(
            UaException.class,
            e ->
                assertThat(e.getStatusCode().getValue())
                    .isEqualTo(StatusCodes.Bad_UserAccessDenied));
    OpcUaClient operator =
        TestClients.connect(
            sim,
            id,
            SecurityPolicy.Aes128_Sha256_RsaOaep,
            MessageSecurityMode.Sign,
            new UsernameProvider("operator", "correct-horse-battery"));
    try {
      assertThat(read(operator, "line1/cnc1/Identification/Model")).isEqualTo("BM-500 5X");
    } finally {
      operator.disconnect();
    }
  }

  @Test
  void securityPolicyNoneIsOnlyOfferedForDiscovery() throws Exception {
    var endpoints =
        org.eclipse.milo.opcua.sdk.client.DiscoveryClient.getEndpoints(sim.endpointUrl()).get();
    assertThat(endpoints).isNotEmpty();
    assertThat(endpoints)
        .noneMatch(
            e ->
                e.getSecurityPolicyUri().equals(SecurityPolicy.None.getUri())
                    && e.getEndpointUrl().equals(sim.endpointUrl()));
    assertThat(
            endpoints.stream()
                .map(
                    e ->
                        SecurityPolicy.fromUriSafe(e.getSecurityPolicyUri()).orElseThrow()
                            + "/"
                            + e.getSecurityMode())
                .toList())
        .contains(
            "Basic256Sha256/SignAndEncrypt",
            "Aes128_Sha256_RsaOaep/Sign",
            "Aes256_Sha256_RsaPss/SignAndEncrypt");
  }

  @Test
  void aBadSignalIsDeliveredWithBadStatusAndRecovers() throws Exception {
    List<DataValue> values = new CopyOnWriteArrayList<>();
    OpcUaSubscription sub = new OpcUaSubscription(client, 50.0);
    sub.create();
    try {
      OpcUaMonitoredItem item =
          OpcUaMonitoredItem.newDataItem(node(client, "line1/cnc1/Monitoring/Power"));
      item.setSamplingInterval(50);
      item.setDataValueListener((i, v) -> values.add(v));
      sub.addMonitoredItem(item);
      sub.synchronizeMonitoredItems();
      await(
          Duration.ofSeconds(5),
          "a good value",
          () -> values.stream().anyMatch(v -> v.statusCode().isGood()));

      sim.faults().signalQuality("cnc1", "Monitoring/Power", Simulator.Quality.BAD);
      await(
          Duration.ofSeconds(5),
          "a bad value",
          () ->
              values.stream()
                  .anyMatch(v -> v.statusCode().getValue() == StatusCodes.Bad_SensorFailure));
      sim.faults().signalQuality("cnc1", "Monitoring/Power", Simulator.Quality.UNCERTAIN);
      await(
          Duration.ofSeconds(5),
          "an uncertain value",
          () -> values.stream().anyMatch(v -> v.statusCode().isUncertain()));
      sim.faults().signalQuality("cnc1", "Monitoring/Power", Simulator.Quality.GOOD);
      int seen = values.size();
      await(
          Duration.ofSeconds(5),
          "good again",
          () -> values.size() > seen && values.get(values.size() - 1).statusCode().isGood());
    } finally {
      sub.delete();
    }
  }

  @Test
  void aFrozenMachineStopsChangingWhileOthersGoOn() throws Exception {
    AtomicInteger packChanges = new AtomicInteger();
    AtomicInteger cncChanges = new AtomicInteger();
    OpcUaSubscription sub = new OpcUaSubscription(client, 50.0);
    sub.create();
    try {
      OpcUaMonitoredItem cnc =
          OpcUaMonitoredItem.newDataItem(node(client, "line1/cnc1/Monitoring/SpindleSpeed"));
      OpcUaMonitoredItem pack =
          OpcUaMonitoredItem.newDataItem(node(client, "line1/pack1/Monitoring/Speed"));
      cnc.setDataValueListener((i, v) -> cncChanges.incrementAndGet());
      pack.setDataValueListener((i, v) -> packChanges.incrementAndGet());
      sub.addMonitoredItems(List.of(cnc, pack));
      sub.synchronizeMonitoredItems();
      await(Duration.ofSeconds(5), "initial values", () -> cncChanges.get() > 1);

      sim.faults().freeze("cnc1", true);
      Thread.sleep(300); // let notifications already queued before the freeze drain
      int cncAtFreeze = cncChanges.get();
      int packAtFreeze = packChanges.get();
      await(
          Duration.ofSeconds(5),
          "pack1 keeps changing",
          () -> packChanges.get() > packAtFreeze + 5);
      assertThat(cncChanges.get()).isEqualTo(cncAtFreeze);

      sim.faults().freeze("cnc1", false);
      await(Duration.ofSeconds(5), "cnc1 changes again", () -> cncChanges.get() > cncAtFreeze);
    } finally {
      sub.delete();
    }
  }

  @Test
  void droppedSessionsAreNoticedByTheClientWhichThenReconnects() throws Exception {
    OpcUaClient victim = TestClients.connectTrusted(sim);
    List<String> events = new CopyOnWriteArrayList<>();
    victim.addSessionActivityListener(
        new SessionActivityListener() {
          @Override
          public void onSessionActive(UaSession session) {
            events.add("active");
          }

          @Override
          public void onSessionInactive(UaSession session) {
            events.add("inactive");
          }
        });
    try {
      sim.faults().dropAllSessions();
      await(Duration.ofSeconds(10), "session inactive", () -> events.contains("inactive"));
      await(
          Duration.ofSeconds(20),
          "session active again",
          () -> events.lastIndexOf("active") > events.indexOf("inactive"));
      assertThat(read(victim, "line1/cnc1/Identification/Model")).isEqualTo("BM-500 5X");
    } finally {
      victim.disconnect();
    }
  }

  @Test
  void slowResponsesDelayEveryRead() throws Exception {
    sim.faults().responseDelay(Duration.ofMillis(400));
    try {
      long t0 = System.nanoTime();
      read(client, "line1/cnc1/Identification/Model");
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400));
    } finally {
      sim.faults().responseDelay(Duration.ZERO);
    }
  }

  @Test
  void aCounterResetStartsTheVisibleCountersFromZeroButNotTheGroundTruth() throws Exception {
    await(
        Duration.ofSeconds(10),
        "pack1 counted parts",
        () ->
            readQuietly("line1/pack1/Production/GoodCount") instanceof UInteger u
                && u.longValue() > 20);
    long truthBefore = sim.groundTruth().machine("pack1").orElseThrow().good();
    sim.faults().resetCounters("pack1");
    long afterReset = ((UInteger) read(client, "line1/pack1/Production/GoodCount")).longValue();
    assertThat(afterReset).isLessThan(20);
    assertThat(sim.groundTruth().machine("pack1").orElseThrow().good())
        .isGreaterThanOrEqualTo(truthBefore);
  }

  @Test
  void theSimulationObjectReportsGroundTruth() throws Exception {
    CallMethodResult truth = call(client, "Simulation", "GetMachineGroundTruth", "pack1");
    assertThat(truth.getStatusCode().isGood()).isTrue();
    long good = ((UInteger) truth.getOutputArguments()[0].value()).longValue();
    assertThat(good).isGreaterThan(0);
    CallMethodResult order = call(client, "Simulation", "GetOrderGroundTruth", "ORD-1");
    assertThat(order.getOutputArguments()[0].value()).isIn("Running", "Ended");
    assertThat(call(client, "Simulation", "GetOrderGroundTruth", "NOPE").getStatusCode().getValue())
        .isEqualTo(StatusCodes.Bad_NotFound);
    assertThat(read(client, "Simulation/TimeScale")).isEqualTo(60.0);
    assertThat(read(client, "Simulation/Seed")).isEqualTo(7L);
  }

  @Test
  void faultMethodsOnTheSimulationObjectWork() throws Exception {
    assertThat(
            call(client, "Simulation", "InjectBreakdown", "cnc1", 0.0).getStatusCode().getValue())
        .isEqualTo(StatusCodes.Bad_InvalidArgument);
    assertThat(
            call(client, "Simulation", "InjectBreakdown", "nope", 60.0).getStatusCode().getValue())
        .isEqualTo(StatusCodes.Bad_NotFound);
    assertThat(
            call(client, "Simulation", "SetSignalQuality", "pack1", "Monitoring/Speed", "Sparkly")
                .getStatusCode()
                .getValue())
        .isEqualTo(StatusCodes.Bad_InvalidArgument);
    assertThat(
            call(client, "Simulation", "SetSignalQuality", "pack1", "Monitoring/Nope", "Bad")
                .getStatusCode()
                .getValue())
        .isEqualTo(StatusCodes.Bad_NotFound);
    assertThat(
            call(client, "Simulation", "SetSignalQuality", "pack1", "Monitoring/Speed", "Bad")
                .getStatusCode()
                .isGood())
        .isTrue();
    DataValue bad =
        client.readValue(0, TimestampsToReturn.Both, node(client, "line1/pack1/Monitoring/Speed"));
    assertThat(bad.statusCode().getValue()).isEqualTo(StatusCodes.Bad_SensorFailure);
    assertThat(
            call(client, "Simulation", "SetSignalQuality", "pack1", "Monitoring/Speed", "Good")
                .getStatusCode()
                .isGood())
        .isTrue();
    assertThat(
            client
                .readValue(0, TimestampsToReturn.Both, node(client, "line1/pack1/Monitoring/Speed"))
                .statusCode()
                .isGood())
        .isTrue();
    assertThat(
            call(client, "Simulation", "SetResponseDelay", uint(120_000))
                .getStatusCode()
                .getValue())
        .isEqualTo(StatusCodes.Bad_InvalidArgument);
  }

  @Test
  void anAlarmIsAlsoAnOpcUaEvent() throws Exception {
    List<org.eclipse.milo.opcua.stack.core.types.builtin.Variant[]> events =
        new CopyOnWriteArrayList<>();
    OpcUaSubscription sub = new OpcUaSubscription(client, 50.0);
    sub.create();
    try {
      var filter =
          new org.eclipse.milo.opcua.stack.core.types.structured.EventFilter(
              new org.eclipse.milo.opcua.stack.core.types.structured.SimpleAttributeOperand[] {
                attribute("SourceName"), attribute("Message"), attribute("Severity")
              },
              new org.eclipse.milo.opcua.stack.core.types.structured.ContentFilter(null));
      OpcUaMonitoredItem item = OpcUaMonitoredItem.newEventItem(NodeIds.Server, filter);
      item.setEventValueListener((i, fields) -> events.add(fields));
      sub.addMonitoredItem(item);
      sub.synchronizeMonitoredItems();
      sim.faults().breakdown("pack1", Duration.ofMinutes(2));
      await(
          Duration.ofSeconds(5),
          "an alarm event",
          () -> events.stream().anyMatch(f -> "pack1".equals(f[0].value())));
      var fields =
          events.stream().filter(f -> "pack1".equals(f[0].value())).findFirst().orElseThrow();
      assertThat(fields[2].value()).isNotNull();
    } finally {
      sub.delete();
    }
  }

  private static org.eclipse.milo.opcua.stack.core.types.structured.SimpleAttributeOperand
      attribute(String name) {
    return new org.eclipse.milo.opcua.stack.core.types.structured.SimpleAttributeOperand(
        NodeIds.BaseEventType,
        new QualifiedName[] {new QualifiedName(0, name)},
        org.eclipse.milo.opcua.stack.core.AttributeId.Value.uid(),
        null);
  }
}
