package org.ketenlink.connectors.opcua;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.milo.opcua.sdk.client.BrowseHelper;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseDirection;
import org.eclipse.milo.opcua.stack.core.types.enumerated.BrowseResultMask;
import org.eclipse.milo.opcua.stack.core.types.enumerated.NodeClass;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowseDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePath;
import org.eclipse.milo.opcua.stack.core.types.structured.BrowsePathResult;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodRequest;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodResult;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.ReferenceDescription;
import org.ketenlink.connectors.api.OrderChange;
import org.ketenlink.connectors.api.OrderControl;
import org.ketenlink.connectors.api.OrderControlException;
import org.ketenlink.connectors.api.OrderFacts;

/**
 * Orders in the Ketenlink order model (the bundled simulator's, after OPC 40001-3 job orders): an
 * object holding one child object per order, named by the order id, with the variables OrderId,
 * CustomerId, Article, PlannedQuantity, GoodQuantity, ScrapQuantity, State, StartTime, EndTime and
 * DueDate; and, on the same object, the methods SetPlannedQuantity(OrderId, UInt32),
 * SetDueDate(OrderId, DateTime), HoldOrder(OrderId) and AbortOrder(OrderId).
 *
 * <p>Or, with {@link OpcUaSourceSettings.OrderModel#JOB_MANAGEMENT}, the job orders of an OPC
 * 40001-3 JobManagement object ({@link JobOrders}).
 *
 * <p>Every request resolves the nodes afresh by browse name (namespace indexes can change when the
 * server restarts). Requests run one at a time on their own thread, never on the source's.
 */
final class OpcUaOrders implements OrderControl, AutoCloseable {

  private static final List<String> FIELDS =
      List.of(
          "CustomerId",
          "Article",
          "PlannedQuantity",
          "GoodQuantity",
          "ScrapQuantity",
          "State",
          "StartTime",
          "EndTime",
          "DueDate");

  /** Requests waiting beyond this are refused: the machine is not keeping up. */
  private static final int MAX_WAITING = 64;

  private final String sourceId;
  private final NodeAddress ordersNode;
  private final OpcUaSourceSettings.OrderModel model;
  private final Supplier<OpcUaClient> session;
  private final ExecutorService thread;

  /**
   * @param session the client while its session is active, else null
   */
  OpcUaOrders(
      String sourceId,
      NodeAddress ordersNode,
      OpcUaSourceSettings.OrderModel model,
      Supplier<OpcUaClient> session) {
    this.sourceId = sourceId;
    this.ordersNode = ordersNode;
    this.model = model;
    this.session = session;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(MAX_WAITING),
            r -> {
              Thread t = new Thread(r, "ketenlink-opcua-" + sourceId + "-orders");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public CompletableFuture<List<OrderFacts>> all() {
    return run(this::readAll);
  }

  @Override
  public CompletableFuture<Optional<OrderFacts>> order(String orderId) {
    return run(() -> read(orderId));
  }

  @Override
  public CompletableFuture<Void> change(String orderId, OrderChange change) {
    return run(
        () -> {
          call(orderId, change);
          return null;
        });
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  private interface Request<T> {
    T run() throws UaException;
  }

  private <T> CompletableFuture<T> run(Request<T> request) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      thread.execute(
          () -> {
            try {
              result.complete(request.run());
            } catch (UaException e) {
              result.completeExceptionally(unavailable(e.getMessage()));
            } catch (OrderControlException e) {
              result.completeExceptionally(e);
            } catch (RuntimeException e) {
              result.completeExceptionally(unavailable(e.toString()));
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          unavailable(thread.isShutdown() ? "the source is closed" : "too many requests waiting"));
    }
    return result;
  }

  private OrderControlException unavailable(String why) {
    return new OrderControlException(true, "", "machine " + sourceId + " unavailable: " + why);
  }

  private OpcUaClient client() {
    OpcUaClient c = session.get();
    if (c == null) {
      throw unavailable("no session with the OPC UA server");
    }
    return c;
  }

  // ------------------------------------------------------------------------------------- reading

  private boolean jobs() {
    return model == OpcUaSourceSettings.OrderModel.JOB_MANAGEMENT;
  }

  private Optional<OrderFacts> read(String orderId) throws UaException {
    OpcUaClient c = client();
    NodeId orders = ordersNode(c);
    if (jobs()) {
      return JobOrders.order(c, orders, sourceId, orderId);
    }
    BrowsePathResult found = Batches.translate(c, List.of(path(orders, orderId))).get(0);
    if (NodeMetadata.target(found, c.getNamespaceTable()) == null) {
      return Optional.empty();
    }
    return Optional.of(facts(c, orders, List.of(orderId)).get(0));
  }

  /** The orders object's child objects are the orders, named by their ids. */
  private List<OrderFacts> readAll() throws UaException {
    OpcUaClient c = client();
    NodeId orders = ordersNode(c);
    if (jobs()) {
      return JobOrders.all(c, orders, sourceId);
    }
    BrowseDescription children =
        new BrowseDescription(
            orders,
            BrowseDirection.Forward,
            NodeIds.HierarchicalReferences,
            true,
            uint(NodeClass.Object.getValue()),
            uint(BrowseResultMask.All.getValue()));
    List<ReferenceDescription> refs;
    try {
      refs = BrowseHelper.browse(c, children, uint(1000)).get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new UaException(StatusCodes.Bad_UnexpectedError, String.valueOf(e.getCause()));
    } catch (java.util.concurrent.TimeoutException e) {
      throw new UaException(StatusCodes.Bad_Timeout, "browsing the orders took too long");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UaException(StatusCodes.Bad_Shutdown, "interrupted");
    }
    List<String> ids = new ArrayList<>();
    for (ReferenceDescription r : refs) {
      if (r.getBrowseName() != null && r.getBrowseName().name() != null) {
        ids.add(r.getBrowseName().name());
      }
    }
    return ids.isEmpty() ? List.of() : facts(c, orders, ids);
  }

  /** The facts of orders known to exist, read with one translate and one read. */
  private List<OrderFacts> facts(OpcUaClient c, NodeId orders, List<String> ids)
      throws UaException {
    List<BrowsePath> paths = new ArrayList<>();
    for (String id : ids) {
      for (String f : FIELDS) {
        paths.add(path(orders, id, f));
      }
    }
    List<BrowsePathResult> found = Batches.translate(c, paths);
    NamespaceTable ns = c.getNamespaceTable();
    List<ReadValueId> reads = new ArrayList<>();
    List<Integer> slotOf = new ArrayList<>();
    for (int i = 0; i < found.size(); i++) {
      NodeId node = NodeMetadata.target(found.get(i), ns);
      if (node != null) {
        reads.add(new ReadValueId(node, AttributeId.Value.uid(), null, QualifiedName.NULL_VALUE));
        slotOf.add(i);
      }
    }
    Object[] values = new Object[found.size()];
    List<DataValue> read = Batches.read(c, reads);
    for (int i = 0; i < read.size(); i++) {
      DataValue v = read.get(i);
      if (v.statusCode() == null || v.statusCode().isGood()) {
        values[slotOf.get(i)] = v.value().value();
      }
    }
    List<OrderFacts> result = new ArrayList<>(ids.size());
    for (int k = 0; k < ids.size(); k++) {
      int b = k * FIELDS.size();
      result.add(
          new OrderFacts(
              ids.get(k),
              text(values[b]),
              text(values[b + 1]),
              count(values[b + 2]),
              count(values[b + 3]),
              count(values[b + 4]),
              text(values[b + 5]),
              time(values[b + 6]),
              time(values[b + 7]),
              time(values[b + 8])));
    }
    return result;
  }

  private static String text(Object v) {
    return v instanceof String s ? s : "";
  }

  private static long count(Object v) {
    return v instanceof UInteger u ? u.longValue() : v instanceof Number n ? n.longValue() : -1;
  }

  private static Optional<Instant> time(Object v) {
    return v instanceof DateTime d && !d.isNull()
        ? Optional.of(d.getJavaInstant())
        : Optional.empty();
  }

  // ------------------------------------------------------------------------------------- calling

  private void call(String orderId, OrderChange change) throws UaException {
    OpcUaClient c = client();
    NodeId orders = ordersNode(c);
    if (jobs()) {
      JobOrders.change(c, orders, sourceId, orderId, change);
      return;
    }
    String method;
    Variant[] inputs;
    if (change instanceof OrderChange.PlannedQuantity q) {
      method = "SetPlannedQuantity";
      inputs = new Variant[] {new Variant(orderId), new Variant(uint(q.quantity()))};
    } else if (change instanceof OrderChange.DueDate d) {
      method = "SetDueDate";
      inputs = new Variant[] {new Variant(orderId), new Variant(new DateTime(d.due()))};
    } else if (change instanceof OrderChange.Hold) {
      method = "HoldOrder";
      inputs = new Variant[] {new Variant(orderId)};
    } else {
      method = "AbortOrder";
      inputs = new Variant[] {new Variant(orderId)};
    }
    NodeId methodId =
        NodeMetadata.target(
            Batches.translate(c, List.of(path(orders, method))).get(0), c.getNamespaceTable());
    if (methodId == null) {
      throw new OrderControlException(
          false,
          "Bad_MethodInvalid",
          "machine " + sourceId + " has no method " + method + " on its orders object");
    }
    CallMethodResult result =
        c.call(List.of(new CallMethodRequest(orders, methodId, inputs))).getResults()[0];
    StatusCode status = result.getStatusCode();
    if (status != null && !status.isGood()) {
      throw new OrderControlException(
          false,
          StatusNames.name(status),
          "machine " + sourceId + " refused " + method + ": " + StatusNames.name(status));
    }
  }

  // ----------------------------------------------------------------------------------- resolving

  private NodeId ordersNode(OpcUaClient c) throws UaException {
    NamespaceTable ns = c.getNamespaceTable();
    if (ordersNode instanceof NodeAddress.ById byId) {
      return NodeIdText.resolve(byId.nodeId(), ns)
          .orElseThrow(
              () ->
                  new OrderControlException(
                      false,
                      "Bad_NodeIdUnknown",
                      "machine "
                          + sourceId
                          + ": the orders node "
                          + byId.nodeId()
                          + " is not on the server"));
    }
    NodeAddress.ByPath byPath = (NodeAddress.ByPath) ordersNode;
    Optional<BrowsePath> path = NodeMetadata.path(byPath, ns);
    NodeId node =
        path.isEmpty()
            ? null
            : NodeMetadata.target(Batches.translate(c, List.of(path.get())).get(0), ns);
    if (node == null) {
      throw new OrderControlException(
          false,
          "Bad_NoMatch",
          "machine " + sourceId + ": no orders object at " + byPath + " on the server");
    }
    return node;
  }

  /** A browse path below the orders object, in the orders object's namespace. */
  private static BrowsePath path(NodeId orders, String... names) {
    return NodeMetadata.path(orders, orders.getNamespaceIndex(), List.of(names));
  }
}
