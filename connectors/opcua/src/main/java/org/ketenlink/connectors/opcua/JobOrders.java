package org.ketenlink.connectors.opcua;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.core.types.DynamicStructType;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.encoding.EncodingContext;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodResult;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePath;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePathElement;
import org.ketenlink.connectors.api.OrderChange;
import org.ketenlink.connectors.api.OrderControlException;
import org.ketenlink.connectors.api.OrderFacts;

/**
 * Orders of an OPC 40001-3 Machinery Job Management server: the job orders in {@code
 * JobOrderControl/JobOrderList} (ISA95JobOrderAndStateDataType[], ISA95-JOBCONTROL_V2), their
 * counts in {@code JobOrderResults/JobOrderResponseList} (ISA95JobResponseDataType[]), decoded with
 * the structure definitions the server publishes; changed through the job order methods Pause,
 * Abort and Update. The conventions of OPC 40001-3 say where an order's facts are:
 *
 * <ul>
 *   <li>customer: job order parameter {@code Customers} (the first);
 *   <li>article and planned quantity: the material requirement whose MaterialUse is "Material
 *       produced" (MaterialDefinitionID, Quantity), else parameter {@code PlannedOrderQuantity};
 *   <li>due: the job order's EndTime (its proposed end);
 *   <li>good: response parameter {@code GoodQuantity}; scrap: {@code ScrapQuantity} where the
 *       server gives it, else {@code ProducedQuantity − GoodQuantity};
 *   <li>state: the job order state's number (1 NotAllowedToStart … 6 Aborted).
 * </ul>
 *
 * Stateless: every call resolves and reads afresh. Runs on {@link OpcUaOrders}' thread.
 */
final class JobOrders {

  static final String JOBS = "http://opcfoundation.org/UA/Machinery/Jobs/";
  static final String ISA95 = "http://opcfoundation.org/UA/ISA95-JOBCONTROL_V2/";

  /** Job order states by number (OPC 10031-4). */
  private static final String[] STATES = {
    "", "NotAllowedToStart", "AllowedToStart", "Running", "Interrupted", "Ended", "Aborted"
  };

  /** ReturnStatus bits (OPC 10031-4 Annex B.2) and the names a refusal carries. */
  private static final Map<Integer, String> RETURN_BITS =
      Map.of(
          1, "UnknownJobOrderId",
          3, "InvalidJobOrderStatus",
          4, "UnableToAcceptJobOrder",
          32, "InvalidRequest");

  private JobOrders() {}

  /** Every job order's facts. */
  static List<OrderFacts> all(OpcUaClient c, NodeId jobManagement, String sourceId)
      throws UaException {
    return read(c, jobManagement, sourceId).facts();
  }

  /** One job order's facts, if the server has it. */
  static Optional<OrderFacts> order(
      OpcUaClient c, NodeId jobManagement, String sourceId, String orderId) throws UaException {
    return all(c, jobManagement, sourceId).stream()
        .filter(o -> o.orderId().equals(orderId))
        .findFirst();
  }

  /** Applies {@code change} through the job order method it maps to. */
  static void change(
      OpcUaClient c, NodeId jobManagement, String sourceId, String orderId, OrderChange change)
      throws UaException {
    Namespaces ns = namespaces(c, sourceId);
    NodeId control = resolve(c, jobManagement, sourceId, ns.jobs("JobOrderControl"));
    String method;
    Variant first;
    if (change instanceof OrderChange.Hold) {
      method = "Pause";
      first = new Variant(orderId);
    } else if (change instanceof OrderChange.Abort) {
      method = "Abort";
      first = new Variant(orderId);
    } else {
      method = "Update";
      Snapshot s = read(c, jobManagement, sourceId);
      DynamicStructType job = s.jobs().get(orderId);
      if (job == null) {
        throw refused(sourceId, method, "UnknownJobOrderId");
      }
      first = new Variant(ExtensionObject.encode(s.context(), updated(job, change)));
    }
    NodeId methodId = resolve(c, control, sourceId, ns.isa95(method));
    Variant[] inputs = {first, new Variant(new LocalizedText[0])};
    CallMethodResult result =
        c.call(List.of(new CallMethodRequest(control, methodId, inputs))).getResults()[0];
    StatusCode status = result.getStatusCode();
    if (status != null && status.isBad()) {
      throw new OrderControlException(
          false,
          StatusNames.name(status),
          "machine " + sourceId + " refused " + method + ": " + StatusNames.name(status));
    }
    Variant[] out = result.getOutputArguments();
    long returnStatus =
        out != null && out.length > 0 && out[0].value() instanceof Number n ? n.longValue() : 1;
    if (returnStatus != 1) {
      throw refused(sourceId, method, returnStatusName(returnStatus));
    }
  }

  /** The names of the ReturnStatus bits set, e.g. {@code InvalidJobOrderStatus}. */
  static String returnStatusName(long returnStatus) {
    List<String> names = new ArrayList<>();
    for (int bit = 1; bit < 64; bit++) {
      if ((returnStatus & (1L << bit)) != 0) {
        names.add(RETURN_BITS.getOrDefault(bit, "ReturnStatusBit" + bit));
      }
    }
    return names.isEmpty() ? "ReturnStatus" + returnStatus : String.join("+", names);
  }

  private static OrderControlException refused(String sourceId, String method, String why) {
    return new OrderControlException(
        false, why, "machine " + sourceId + " refused " + method + ": " + why);
  }

  /** The job order as the server holds it, with the planned quantity or due date changed. */
  private static DynamicStructType updated(DynamicStructType job, OrderChange change) {
    LinkedHashMap<String, Object> m = new LinkedHashMap<>(job.getMembers());
    if (change instanceof OrderChange.DueDate d) {
      m.put("EndTime", new DateTime(d.due()));
    } else if (change instanceof OrderChange.PlannedQuantity q) {
      replace(
          m, "MaterialRequirements", JobOrders::produced, "Quantity", Long.toString(q.quantity()));
      replace(
          m,
          "JobOrderParameters",
          p -> "PlannedOrderQuantity".equals(p.getMembers().get("ID")),
          "Value",
          new Variant((double) q.quantity()));
    }
    return new DynamicStructType(job.getDataType(), m);
  }

  /**
   * In the structure array {@code members[array]}, sets {@code field} to {@code value} in every
   * element that {@code which} picks; an absent or empty array stays as it is.
   */
  private static void replace(
      Map<String, Object> members,
      String array,
      java.util.function.Predicate<DynamicStructType> which,
      String field,
      Object value) {
    Object[] elements = array(members.get(array));
    if (elements.length == 0) {
      return;
    }
    Object[] copy =
        (Object[])
            java.lang.reflect.Array.newInstance(
                elements.getClass().getComponentType(), elements.length);
    for (int i = 0; i < elements.length; i++) {
      copy[i] = elements[i];
      if (elements[i] instanceof DynamicStructType e && which.test(e)) {
        LinkedHashMap<String, Object> em = new LinkedHashMap<>(e.getMembers());
        em.put(field, value);
        copy[i] = new DynamicStructType(e.getDataType(), em);
      }
    }
    members.put(array, copy);
  }

  // ------------------------------------------------------------------------------------ reading

  private record Snapshot(
      List<OrderFacts> facts, Map<String, DynamicStructType> jobs, EncodingContext context) {}

  private static Snapshot read(OpcUaClient c, NodeId jobManagement, String sourceId)
      throws UaException {
    Namespaces ns = namespaces(c, sourceId);
    NodeId list =
        resolve(c, jobManagement, sourceId, ns.jobs("JobOrderControl"), ns.isa95("JobOrderList"));
    Optional<NodeId> responses =
        tryResolve(c, jobManagement, ns.jobs("JobOrderResults"), ns.isa95("JobOrderResponseList"));
    List<ReadValueId> reads = new ArrayList<>();
    reads.add(NodeMetadata.attribute(list, AttributeId.Value));
    responses.ifPresent(r -> reads.add(NodeMetadata.attribute(r, AttributeId.Value)));
    List<DataValue> values = Batches.read(c, reads);
    EncodingContext context = c.getDynamicEncodingContext();
    Map<String, DynamicStructType> results = new HashMap<>();
    if (values.size() > 1) {
      for (DynamicStructType r : decode(values.get(1), context)) {
        results.put(text(r.getMembers().get("JobOrderID")), r);
      }
    }
    List<OrderFacts> facts = new ArrayList<>();
    Map<String, DynamicStructType> jobs = new LinkedHashMap<>();
    for (DynamicStructType entry : decode(values.get(0), context)) {
      if (!(entry.getMembers().get("JobOrder") instanceof DynamicStructType job)) {
        continue;
      }
      String id = text(job.getMembers().get("JobOrderID"));
      jobs.put(id, job);
      facts.add(facts(id, job, stateNumber(entry.getMembers().get("State")), results.get(id)));
    }
    return new Snapshot(List.copyOf(facts), jobs, context);
  }

  private static OrderFacts facts(
      String id, DynamicStructType job, int state, DynamicStructType response) {
    Map<String, Object> j = job.getMembers();
    String customer = "";
    Object customers = parameter(j.get("JobOrderParameters"), "Customers");
    if (customers instanceof String[] a && a.length > 0) {
      customer = a[0];
    } else if (customers instanceof String s) {
      customer = s;
    }
    String article = "";
    long planned = -1;
    for (Object o : array(j.get("MaterialRequirements"))) {
      if (o instanceof DynamicStructType mat && produced(mat)) {
        article = text(mat.getMembers().get("MaterialDefinitionID"));
        planned = decimal(mat.getMembers().get("Quantity"));
        break;
      }
    }
    if (planned < 0) {
      planned = decimal(parameter(j.get("JobOrderParameters"), "PlannedOrderQuantity"));
    }
    // A job order that has not started has made nothing; one without its response, unknown.
    long good = state == 1 || state == 2 ? 0 : -1;
    long scrap = good;
    Optional<Instant> start = Optional.empty();
    Optional<Instant> end = Optional.empty();
    if (response != null) {
      Map<String, Object> r = response.getMembers();
      Object data = r.get("JobResponseData");
      good = decimal(parameter(data, "GoodQuantity"));
      long explicitScrap = decimal(parameter(data, "ScrapQuantity"));
      long produced = decimal(parameter(data, "ProducedQuantity"));
      scrap =
          explicitScrap >= 0 ? explicitScrap : good >= 0 && produced >= good ? produced - good : -1;
      start = time(r.get("StartTime"));
      end = time(r.get("EndTime"));
    }
    if (start.isEmpty() && state >= 3) {
      start = time(j.get("StartTime"));
    }
    if (state != 5 && state != 6) {
      end = Optional.empty(); // an end is the end of an ended or aborted order
    }
    String stateName = state > 0 && state < STATES.length ? STATES[state] : "";
    return new OrderFacts(
        id, customer, article, planned, good, scrap, stateName, start, end, time(j.get("EndTime")));
  }

  private static boolean produced(DynamicStructType material) {
    return text(material.getMembers().get("MaterialUse"))
        .toLowerCase(Locale.ROOT)
        .contains("produced");
  }

  private static List<DynamicStructType> decode(DataValue v, EncodingContext context) {
    List<DynamicStructType> out = new ArrayList<>();
    if (v.statusCode() != null && !v.statusCode().isGood()) {
      return out;
    }
    for (Object o : array(v.value().value())) {
      if (o instanceof ExtensionObject xo && xo.decode(context) instanceof DynamicStructType s) {
        out.add(s);
      }
    }
    return out;
  }

  /** The value of the ISA95ParameterDataType with {@code id} in {@code parameters}, or null. */
  private static Object parameter(Object parameters, String id) {
    for (Object o : array(parameters)) {
      if (o instanceof DynamicStructType p && id.equals(p.getMembers().get("ID"))) {
        Object v = p.getMembers().get("Value");
        return v instanceof Variant var ? var.value() : v;
      }
    }
    return null;
  }

  private static int stateNumber(Object states) {
    Object[] a = array(states);
    if (a.length > 0 && a[0] instanceof DynamicStructType s) {
      Object n = s.getMembers().get("StateNumber");
      return n instanceof Number num ? num.intValue() : 0;
    }
    return 0;
  }

  private static Object[] array(Object v) {
    if (v instanceof Object[] a) {
      return a;
    }
    return v == null ? new Object[0] : new Object[] {v};
  }

  private static String text(Object v) {
    if (v instanceof LocalizedText t) {
      return t.text() == null ? "" : t.text();
    }
    return v instanceof String s ? s : "";
  }

  private static long decimal(Object v) {
    if (v instanceof String s) {
      try {
        return new BigDecimal(s.trim()).longValue();
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return v instanceof Number n ? Math.round(n.doubleValue()) : -1;
  }

  private static Optional<Instant> time(Object v) {
    return v instanceof DateTime d && !d.isNull() && d.getUtcTime() > 0
        ? Optional.of(d.getJavaInstant())
        : Optional.empty();
  }

  // ---------------------------------------------------------------------------------- resolving

  private record Namespaces(UShort jobs, UShort isa95) {
    QualifiedName jobs(String name) {
      return new QualifiedName(jobs, name);
    }

    QualifiedName isa95(String name) {
      return new QualifiedName(isa95, name);
    }
  }

  private static Namespaces namespaces(OpcUaClient c, String sourceId) {
    NamespaceTable table = c.getNamespaceTable();
    UShort jobs = table.getIndex(JOBS);
    UShort isa95 = table.getIndex(ISA95);
    if (jobs == null || isa95 == null) {
      throw new OrderControlException(
          false,
          "Bad_NoMatch",
          "machine "
              + sourceId
              + ": the server has no OPC 40001-3 Job Management ("
              + (jobs == null ? JOBS : ISA95)
              + " is not in its namespace table)");
    }
    return new Namespaces(jobs, isa95);
  }

  private static NodeId resolve(
      OpcUaClient c, NodeId start, String sourceId, QualifiedName... names) throws UaException {
    return tryResolve(c, start, names)
        .orElseThrow(
            () ->
                new OrderControlException(
                    false,
                    "Bad_NoMatch",
                    "machine "
                        + sourceId
                        + ": no "
                        + String.join(
                            "/", java.util.Arrays.stream(names).map(QualifiedName::name).toList())
                        + " below its JobManagement object"));
  }

  private static Optional<NodeId> tryResolve(OpcUaClient c, NodeId start, QualifiedName... names)
      throws UaException {
    RelativePathElement[] elements = new RelativePathElement[names.length];
    for (int i = 0; i < names.length; i++) {
      elements[i] = new RelativePathElement(NodeIds.HierarchicalReferences, false, true, names[i]);
    }
    BrowsePath path = new BrowsePath(start, new RelativePath(elements));
    return Optional.ofNullable(
        NodeMetadata.target(Batches.translate(c, List.of(path)).get(0), c.getNamespaceTable()));
  }
}
