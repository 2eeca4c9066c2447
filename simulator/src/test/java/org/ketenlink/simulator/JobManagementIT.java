package org.ketenlink.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.ketenlink.simulator.TestClients.await;
import static org.ketenlink.simulator.TestClients.call;
import static org.ketenlink.simulator.TestClients.node;
import static org.ketenlink.simulator.TestClients.read;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.core.types.DynamicStructType;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.ULong;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathResult;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodResult;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePath;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePathElement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OPC 40001-3 Job Management view as a generic OPC UA client decodes and drives it. */
class JobManagementIT {

  private static final String ISA95 = "http://opcfoundation.org/UA/ISA95-JOBCONTROL_V2/";
  private static final String JOBS = "http://opcfoundation.org/UA/Machinery/Jobs/";
  private static final String MACHINERY = "http://opcfoundation.org/UA/Machinery/";
  private static final ULong OK = ULong.valueOf(1);
  private static final String[] ORDER_NODES = {
    "OrderId",
    "CustomerId",
    "Article",
    "PlannedQuantity",
    "GoodQuantity",
    "ScrapQuantity",
    "State",
    "StateNumber",
    "StartTime",
    "EndTime",
    "DueDate"
  };

  @TempDir static Path pki;
  static Simulator sim;
  static OpcUaClient client;
  static NodeId control;

  @BeforeAll
  static void start() throws Exception {
    Scenario scenario =
        Scenario.load(Path.of(JobManagementIT.class.getResource("it-scenario.yaml").toURI()));
    sim = Simulator.builder().port(0).scenario(scenario).seed(11).timeScale(60).pkiDir(pki).start();
    client = TestClients.connectTrusted(sim);
    control = jobPath("JobOrderControl");
    await(
        Duration.ofSeconds(10),
        "ORD-1 running",
        () -> "Running".equals(readQuietly("line1/cnc1/Orders/ORD-1/State")));
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

  @Test
  void theJobOrderAndResponseListsShowTheSameOrdersAsTheOwnOrderNodes() throws Exception {
    Instant due = sim.simulatedTime().plus(Duration.ofHours(2));
    storeOrder("JM-LIST", 12, due);
    NodeId orderList = jobPath("JobOrderControl", "isa95:JobOrderList");
    NodeId responseList = jobPath("JobOrderResults", "isa95:JobOrderResponseList");
    assertThat(client.getAddressSpace().getVariableNode(orderList).getDataType())
        .isEqualTo(new NodeId(ns(ISA95), uint(3015)));

    await(
        Duration.ofSeconds(10),
        "ORD-1 running",
        () -> "Running".equals(readQuietly("line1/cnc1/Orders/ORD-1/State")));

    // Frozen, the lists and the order nodes hold one snapshot of the model.
    sim.faults().freeze("cnc1", true);
    try {
      List<NodeId> ids = new ArrayList<>(List.of(orderList, responseList));
      for (String order : List.of("ORD-1", "JM-LIST")) {
        for (String n : ORDER_NODES) {
          ids.add(node(client, "line1/cnc1/Orders/" + order + "/" + n));
        }
      }
      List<DataValue> values = client.readValues(0, TimestampsToReturn.Both, ids);
      // The nodeset's Default Binary ids, so clients that know the standard ids decode too.
      assertThat(((ExtensionObject[]) values.get(0).value().value())[0].getEncodingOrTypeId())
          .isEqualTo(new NodeId(ns(ISA95), uint(5032)));
      assertThat(((ExtensionObject[]) values.get(1).value().value())[0].getEncodingOrTypeId())
          .isEqualTo(new NodeId(ns(ISA95), uint(5026)));
      List<DynamicStructType> jobs = decode(values.get(0));
      List<DynamicStructType> responses = decode(values.get(1));

      assertThat(jobs.stream().map(e -> member(e, "JobOrder").getMembers().get("JobOrderID")))
          .startsWith("ORD-1")
          .contains("JM-LIST")
          .doesNotHaveDuplicates();
      for (int i = 0; i < 2; i++) {
        Map<String, Object> own = own(values, 2 + i * ORDER_NODES.length);
        DynamicStructType entry = entry(jobs, (String) own.get("OrderId"));
        Map<String, Object> job = member(entry, "JobOrder").getMembers();
        GroundTruth.OrderTruth truth =
            sim.groundTruth().order((String) own.get("OrderId")).orElseThrow();
        assertThat(job.get("JobOrderID")).isEqualTo(own.get("OrderId"));
        assertThat(parameter(job.get("JobOrderParameters"), "Customers"))
            .isEqualTo(new String[] {truth.customer()});
        assertThat(parameter(job.get("JobOrderParameters"), "PlannedOrderQuantity"))
            .isEqualTo((double) ((UInteger) own.get("PlannedQuantity")).longValue());
        DynamicStructType material = structs(job.get("MaterialRequirements")).get(0);
        assertThat(material.getMembers())
            .containsEntry("MaterialDefinitionID", truth.article())
            .containsEntry("MaterialUse", "Material produced")
            .containsEntry("Quantity", own.get("PlannedQuantity").toString());
        assertThat(job.get("EndTime")).isEqualTo(own.get("DueDate"));
        DynamicStructType state = structs(entry.getMembers().get("State")).get(0);
        assertThat(state.getMembers().get("StateNumber"))
            .isEqualTo(uint(((UInteger) own.get("StateNumber")).longValue() + 1));
        assertThat(state.getMembers().get("StateText"))
            .isEqualTo(LocalizedText.english((String) own.get("State")));
      }
      assertThat(number(entry(jobs, "JM-LIST").getMembers().get("State"))).isEqualTo(1L);

      // Only ORD-1 has started; the NotAllowedToStart orders have no response yet.
      assertThat(responses).hasSize(1);
      Map<String, Object> response = responses.get(0).getMembers();
      Map<String, Object> ord1 = own(values, 2);
      long good = ((UInteger) ord1.get("GoodQuantity")).longValue();
      long scrap = ((UInteger) ord1.get("ScrapQuantity")).longValue();
      assertThat(response.get("JobOrderID")).isEqualTo("ORD-1");
      assertThat(response.get("StartTime")).isEqualTo(ord1.get("StartTime"));
      assertThat(number(response.get("JobState"))).isEqualTo(3L);
      assertThat(parameter(response.get("JobResponseData"), "GoodQuantity"))
          .isEqualTo((double) good);
      assertThat(parameter(response.get("JobResponseData"), "ProducedQuantity"))
          .isEqualTo((double) (good + scrap));
      assertThat(structs(response.get("MaterialActuals")).get(0).getMembers())
          .containsEntry("MaterialDefinitionID", "flange")
          .containsEntry("Quantity", Long.toString(good));

      // The lists change in the step an order node changes, with its source time.
      DateTime newest =
          values.subList(2, values.size()).stream()
              .map(DataValue::sourceTime)
              .max((a, b) -> Long.compare(a.getUtcTime(), b.getUtcTime()))
              .orElseThrow();
      assertThat(values.get(0).sourceTime()).isEqualTo(newest);
      assertThat(values.get(1).sourceTime()).isEqualTo(newest);
    } finally {
      sim.faults().freeze("cnc1", false);
    }
  }

  @Test
  void pauseInterruptsARunningOrderAndResumeContinuesIt() throws Exception {
    await(
        Duration.ofSeconds(10),
        "ORD-1 running",
        () -> "Running".equals(readQuietly("line1/cnc1/Orders/ORD-1/State")));

    assertThat(returnStatus(jobMethod("Pause", "ORD-1"))).isEqualTo(OK);

    assertThat(read(client, "line1/cnc1/Orders/ORD-1/State")).isEqualTo("Interrupted");
    List<DynamicStructType> state = jobState("ORD-1");
    assertThat(number(state.toArray())).isEqualTo(4L);
    assertThat(state).hasSize(2);
    assertThat(state.get(1).getMembers())
        .containsEntry("StateText", LocalizedText.english("Held"))
        .containsEntry("StateNumber", uint(1));

    assertThat(returnStatus(jobMethod("Pause", "ORD-1"))).isEqualTo(ULong.valueOf(1L << 3));
    assertThat(returnStatus(jobMethod("Resume", "ORD-1"))).isEqualTo(OK);
    assertThat(read(client, "line1/cnc1/Orders/ORD-1/State")).isIn("AllowedToStart", "Running");
  }

  @Test
  void abortOfAnUnknownOrderIsRefusedInTheReturnStatus() throws Exception {
    CallMethodResult result = jobMethod("Abort", "NO-SUCH-ORDER");

    assertThat(result.getStatusCode().isGood()).isTrue();
    assertThat(returnStatus(result)).isEqualTo(ULong.valueOf(1L << 1));
  }

  @Test
  void updateChangesQuantityAndDueDateOfAnOrderThatHasNotStarted() throws Exception {
    storeOrder("JM-UPDATE", 12, sim.simulatedTime().plus(Duration.ofHours(3)));
    Instant newDue =
        sim.simulatedTime()
            .plus(Duration.ofHours(5))
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    DynamicStructType order = jobOrder("JM-UPDATE");
    LinkedHashMap<String, Object> members = new LinkedHashMap<>(order.getMembers());
    DynamicStructType material = structs(members.get("MaterialRequirements")).get(0);
    LinkedHashMap<String, Object> materialMembers = new LinkedHashMap<>(material.getMembers());
    materialMembers.put("Quantity", "25");
    members.put(
        "MaterialRequirements",
        new DynamicStructType[] {new DynamicStructType(material.getDataType(), materialMembers)});
    members.put("EndTime", new DateTime(newDue));
    EncodingContext ctx = client.getDynamicEncodingContext();
    Variant updated =
        new Variant(
            ExtensionObject.encode(ctx, new DynamicStructType(order.getDataType(), members)));

    CallMethodResult result = callJob("Update", updated);
    assertThat(result.getStatusCode().isGood()).as("%s", result).isTrue();
    assertThat(returnStatus(result)).isEqualTo(OK);
    assertThat(read(client, "line1/cnc1/Orders/JM-UPDATE/PlannedQuantity")).isEqualTo(uint(25));
    assertThat(read(client, "line1/cnc1/Orders/JM-UPDATE/DueDate")).isEqualTo(new DateTime(newDue));

    // ORD-1 has started: Update is refused with "Invalid Job Order Status".
    LinkedHashMap<String, Object> started = new LinkedHashMap<>(jobOrder("ORD-1").getMembers());
    CallMethodResult refused =
        callJob(
            "Update",
            new Variant(
                ExtensionObject.encode(ctx, new DynamicStructType(order.getDataType(), started))));
    assertThat(returnStatus(refused)).isEqualTo(ULong.valueOf(1L << 3));
  }

  // ---------------------------------------------------------------------------------------------

  private static Object readQuietly(String path) {
    try {
      return read(client, path);
    } catch (Exception e) {
      return null;
    }
  }

  private static void storeOrder(String id, long quantity, Instant due) throws Exception {
    CallMethodResult stored =
        call(
            client,
            "line1/cnc1/Orders",
            "StoreOrder",
            id,
            "BOLT",
            "shaft",
            uint(quantity),
            new DateTime(due));
    assertThat(stored.getStatusCode().isGood()).as("%s", stored).isTrue();
  }

  private static int ns(String uri) {
    return client.getNamespaceTable().getIndex(uri).intValue();
  }

  /**
   * Objects/Machinery:Machines/cnc1/Machinery:MachineryBuildingBlocks/Jobs:JobManagement/Jobs:
   * {@code first}, then {@code rest} written {@code isa95:Name}.
   */
  private static NodeId jobPath(String first, String... rest) throws Exception {
    List<QualifiedName> path =
        new ArrayList<>(
            List.of(
                new QualifiedName(ns(MACHINERY), "Machines"),
                new QualifiedName(ns(FieldlabNamespace.NAMESPACE_URI), "cnc1"),
                new QualifiedName(ns(MACHINERY), "MachineryBuildingBlocks"),
                new QualifiedName(ns(JOBS), "JobManagement"),
                new QualifiedName(ns(JOBS), first)));
    for (String r : rest) {
      path.add(new QualifiedName(ns(ISA95), r.substring(r.indexOf(':') + 1)));
    }
    RelativePathElement[] elements =
        path.stream()
            .map(n -> new RelativePathElement(NodeIds.HierarchicalReferences, false, true, n))
            .toArray(RelativePathElement[]::new);
    BrowsePathResult result =
        client.translateBrowsePaths(
                List.of(new BrowsePath(NodeIds.ObjectsFolder, new RelativePath(elements))))
            .getResults()[0];
    assertThat(result.getStatusCode().isGood()).as("%s: %s", path, result).isTrue();
    assertThat(result.getTargets()).hasSize(1);
    return result.getTargets()[0].getTargetId().toNodeId(client.getNamespaceTable()).orElseThrow();
  }

  private static CallMethodResult jobMethod(String method, String jobOrderId) throws Exception {
    return callJob(method, new Variant(jobOrderId));
  }

  private static CallMethodResult callJob(String method, Variant first) throws Exception {
    NodeId methodId = jobPath("JobOrderControl", "isa95:" + method);
    CallMethodRequest request =
        new CallMethodRequest(
            control, methodId, new Variant[] {first, new Variant(new LocalizedText[0])});
    return client.call(List.of(request)).getResults()[0];
  }

  private static ULong returnStatus(CallMethodResult result) {
    assertThat(result.getStatusCode().isGood()).as("%s", result).isTrue();
    return (ULong) result.getOutputArguments()[0].value();
  }

  private static List<DynamicStructType> decode(DataValue value) throws Exception {
    assertThat(value.statusCode().isGood()).isTrue();
    EncodingContext ctx = client.getDynamicEncodingContext();
    return Arrays.stream((ExtensionObject[]) value.value().value())
        .map(xo -> (DynamicStructType) xo.decode(ctx))
        .toList();
  }

  private static List<DynamicStructType> jobList() throws Exception {
    return decode(
        client.readValue(
            0, TimestampsToReturn.Both, jobPath("JobOrderControl", "isa95:JobOrderList")));
  }

  private static DynamicStructType jobOrder(String id) throws Exception {
    return jobList().stream()
        .map(e -> member(e, "JobOrder"))
        .filter(j -> id.equals(j.getMembers().get("JobOrderID")))
        .findFirst()
        .orElseThrow();
  }

  private static List<DynamicStructType> jobState(String id) throws Exception {
    return jobList().stream()
        .filter(e -> id.equals(member(e, "JobOrder").getMembers().get("JobOrderID")))
        .map(e -> structs(e.getMembers().get("State")))
        .findFirst()
        .orElseThrow();
  }

  private static DynamicStructType entry(List<DynamicStructType> jobs, String id) {
    return jobs.stream()
        .filter(e -> id.equals(member(e, "JobOrder").getMembers().get("JobOrderID")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no job order " + id));
  }

  private static Map<String, Object> own(List<DataValue> values, int from) {
    Map<String, Object> own = new LinkedHashMap<>();
    for (int i = 0; i < ORDER_NODES.length; i++) {
      own.put(ORDER_NODES[i], values.get(from + i).value().value());
    }
    return own;
  }

  private static DynamicStructType member(DynamicStructType s, String name) {
    return (DynamicStructType) s.getMembers().get(name);
  }

  private static List<DynamicStructType> structs(Object array) {
    return Arrays.stream((Object[]) array).map(DynamicStructType.class::cast).toList();
  }

  /** State[0].StateNumber of a decoded ISA95StateDataType array. */
  private static long number(Object states) {
    return ((UInteger) structs(states).get(0).getMembers().get("StateNumber")).longValue();
  }

  private static Object parameter(Object parameters, String id) {
    return structs(parameters).stream()
        .filter(p -> id.equals(p.getMembers().get("ID")))
        .map(p -> ((Variant) p.getMembers().get("Value")).value())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no parameter " + id));
  }
}
