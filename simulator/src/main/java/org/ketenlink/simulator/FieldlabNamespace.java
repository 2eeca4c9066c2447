package org.ketenlink.simulator;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ubyte;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ulong;
import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.ushort;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.core.ValueRanks;
import org.eclipse.milo.opcua.sdk.core.types.DynamicStructType;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.methods.AbstractMethodInvocationHandler;
import org.eclipse.milo.opcua.sdk.server.model.objects.BaseEventTypeNode;
import org.eclipse.milo.opcua.sdk.server.model.objects.ServerTypeNode;
import org.eclipse.milo.opcua.sdk.server.model.variables.AnalogItemTypeNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaMethodNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaObjectNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.nodes.factories.NodeFactory;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.ByteString;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.DiagnosticInfo;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UShort;
import org.eclipse.milo.opcua.stack.core.types.structured.Argument;
import org.eclipse.milo.opcua.stack.core.types.structured.CallMethodResult;
import org.eclipse.milo.opcua.stack.core.types.structured.EUInformation;
import org.eclipse.milo.opcua.stack.core.types.structured.Range;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator's address space: the plant's signals as variables under Objects/{line}/{machine},
 * the order methods, the Simulation object with ground truth and fault methods, and the load-mode
 * variables. Beside that layout, the standard views: Objects/Machines (OPC 40001-1) organizing the
 * machine objects, and each machine's signals whose {@link SignalDef#standardView()} is true
 * (MachineryBuildingBlocks, PackML), and each machine's OPC 40001-3 Job Management view, whose job
 * order and response lists are rebuilt from the order model. Every node id is a string in this
 * namespace, except the ISA-95 DataTypes ({@link Isa95Types}); only browse names of the standard
 * views are in the Machinery, Jobs, ISA95, PackML or OPC UA namespace.
 *
 * <p>Values are pushed, not sampled: every change the model reports is written straight into the
 * subscribed monitored items ({@code DataItem.setValue}), which apply their own filter, deadband
 * and queue. Everything that touches the bindings or pushes runs on the simulation thread; Milo's
 * threads only hand work over to it.
 */
final class FieldlabNamespace extends ManagedNamespaceWithLifecycle {

  /** Stable namespace URI; clients resolve the index from it. */
  static final String NAMESPACE_URI = "urn:ketenlink:simulator:fieldlab";

  private static final Logger log = LoggerFactory.getLogger(FieldlabNamespace.class);
  private static final String SIMULATION = "Simulation";

  /** OPC 40001-1 entry point listing every machine; Machinery namespace. */
  private static final String MACHINES = "Machines";

  /** OPC 40001-1 6.3: a FolderType object whose building blocks are AddIns of it. */
  private static final String BUILDING_BLOCKS = "MachineryBuildingBlocks";

  private final Simulator simulator;
  private final SubscriptionModel sampled;
  private final Map<BrowseNamespace, UShort> namespaceIndex = new EnumMap<>(BrowseNamespace.class);
  private final QualifiedName buildingBlocks;
  private final Isa95Types isaTypes;
  private final JobOrderMapping jobMapping;

  /** NodeIds whose Value is pushed; read from Milo threads, written on the simulation thread. */
  private final Set<NodeId> pushed = ConcurrentHashMap.newKeySet();

  // Simulation-thread confined.
  private final Map<NodeId, Binding> byNodeId = new HashMap<>();
  private final Map<String, Binding> byKey = new HashMap<>();
  private final Map<String, UaNode> containers = new HashMap<>();
  private Binding[] load = new Binding[0];
  private Binding simulatedTime;
  private final Map<String, JobView> jobViews = new HashMap<>();

  /** One variable and the monitored items that watch its value. */
  static final class Binding {
    final SignalDef def;
    final UaVariableNode node;
    final List<DataItem> items = new ArrayList<>(1);
    Object modelValue;
    long modelTime;

    Binding(SignalDef def, UaVariableNode node) {
      this.def = def;
      this.node = node;
    }
  }

  FieldlabNamespace(OpcUaServer server, Simulator simulator) {
    super(server, NAMESPACE_URI);
    this.simulator = simulator;
    NamespaceTable table = server.getNamespaceTable();
    for (BrowseNamespace ns : BrowseNamespace.values()) {
      UShort index = table.getIndex(ns.uri);
      namespaceIndex.put(ns, index != null ? index : table.add(ns.uri));
    }
    this.buildingBlocks = qualifiedName(BrowseNamespace.MACHINERY, BUILDING_BLOCKS);
    this.sampled = new SubscriptionModel(server, this);
    this.isaTypes = new Isa95Types(server);
    this.jobMapping = new JobOrderMapping(isaTypes);
    getLifecycleManager().addLifecycle(sampled);
    // Registered before build(), which adds the ISA-95 DataTypes and then rebuilds the type tree.
    getLifecycleManager().addLifecycle(isaTypes);
    getLifecycleManager().addStartupTask(() -> simulator.onSimulationThread(this::build));
  }

  // ---------------------------------------------------------------------------------------------
  // Building the address space (simulation thread)

  private void build() {
    enableServerEvents();
    isaTypes.register();
    UaFolderNode line = folder(simulator.scenario().lineId(), simulator.scenario().lineName());
    line.addReference(
        new Reference(
            line.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
    UaFolderNode machines =
        folder(MACHINES, qualifiedName(BrowseNamespace.MACHINERY, MACHINES), MACHINES);
    machines.addReference(
        new Reference(
            machines.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
    for (Machine m : simulator.fieldlab().machines()) {
      String machinePath = lineId() + "/" + m.id();
      UaObjectNode machine = object(machinePath, m.spec().name());
      line.addOrganizes(machine);
      machines.addOrganizes(machine);
      for (SignalDef def : m.signalDefinitions()) {
        signalAdded(def, m.signalValue(def.path()), m.simMillis());
      }
      addOrderMethods(m.id());
      addJobManagement(m);
    }
    buildSimulationObject();
    buildLoad(simulator.loadSignals());
    simulator.namespaceReady(this);
  }

  private String lineId() {
    return simulator.scenario().lineId();
  }

  /** A new variable (also for orders stored later). Simulation thread only. */
  void signalAdded(SignalDef def, Object value, long simMillis) {
    String parentPath = lineId() + "/" + def.machineId();
    UaNode parent = containers.get(parentPath);
    if (parent == null) {
      return;
    }
    String folder = def.folder();
    if (!folder.isEmpty()) {
      String[] parts = folder.split("/");
      String path = parentPath;
      for (int i = 0; i < parts.length; i++) {
        path = path + "/" + parts[i];
        QualifiedName name = qualifiedName(def.browseNamespaces().get(i), parts[i]);
        UaNode child = containers.get(path);
        if (child == null) {
          // Standard views use objects, MachineryBuildingBlocks a folder (OPC 40001-1 6.3); the
          // simulator's own grouping uses folders, an order is an object.
          boolean isFolder =
              def.standardView()
                  ? name.equals(buildingBlocks)
                  : !(i == 1 && parts[0].equals("Orders"));
          child = isFolder ? folder(path, name, parts[i]) : object(path, name, parts[i]);
          link(parent, child);
        } else if (!child.getBrowseName().equals(name)) {
          throw new IllegalStateException(
              def.key() + ": " + path + " already exists as " + child.getBrowseName());
        }
        parent = child;
      }
    }
    Binding b = variable(parentPath + "/" + def.path(), def);
    link(parent, b.node);
    b.modelValue = value;
    b.modelTime = simMillis;
    emit(b);
  }

  /**
   * Folders organize objects (MachineryBuildingBlocks has them as AddIns); everything else is a
   * component of its parent.
   */
  private void link(UaNode parent, UaNode child) {
    if (parent instanceof UaFolderNode folder && !(child instanceof UaVariableNode)) {
      if (folder.getBrowseName().equals(buildingBlocks)) {
        folder.addReference(
            new Reference(
                folder.getNodeId(), NodeIds.HasAddIn, child.getNodeId().expanded(), true));
      } else {
        folder.addOrganizes(child);
      }
    } else {
      parent.addReference(
          new Reference(
              parent.getNodeId(), NodeIds.HasComponent, child.getNodeId().expanded(), true));
    }
  }

  private QualifiedName qualifiedName(BrowseNamespace ns, String name) {
    return new QualifiedName(namespaceIndex.get(ns), name);
  }

  private UaFolderNode folder(String path, String displayName) {
    return folder(path, newQualifiedName(browseName(path)), displayName);
  }

  private UaFolderNode folder(String path, QualifiedName browseName, String displayName) {
    UaFolderNode node =
        new UaFolderNode(
            getNodeContext(), newNodeId(path), browseName, LocalizedText.english(displayName));
    getNodeManager().addNode(node);
    containers.put(path, node);
    return node;
  }

  private UaObjectNode object(String path, String displayName) {
    return object(path, newQualifiedName(browseName(path)), displayName);
  }

  private UaObjectNode object(String path, QualifiedName browseName, String displayName) {
    UaObjectNode node =
        UaObjectNode.builder(getNodeContext())
            .setNodeId(newNodeId(path))
            .setBrowseName(browseName)
            .setDisplayName(LocalizedText.english(displayName))
            .setTypeDefinition(NodeIds.BaseObjectType)
            .build();
    getNodeManager().addNode(node);
    containers.put(path, node);
    return node;
  }

  private static String browseName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private Binding variable(String path, SignalDef def) {
    NodeId nodeId = newNodeId(path);
    UaVariableNode node;
    if (def.unit().isPresent()) {
      node = analogNode(nodeId, def);
    } else {
      node =
          UaVariableNode.builder(getNodeContext())
              .setNodeId(nodeId)
              .setBrowseName(qualifiedName(def.nameNamespace(), def.name()))
              .setDisplayName(LocalizedText.english(def.name()))
              .setDescription(LocalizedText.english(def.description()))
              .setDataType(dataType(def.type()))
              .setTypeDefinition(NodeIds.BaseDataVariableType)
              .setAccessLevel(AccessLevel.READ_ONLY)
              .setUserAccessLevel(AccessLevel.READ_ONLY)
              .setMinimumSamplingInterval(0.0)
              .build();
      getNodeManager().addNode(node);
    }
    Binding b = new Binding(def, node);
    byNodeId.put(nodeId, b);
    byKey.put(def.key(), b);
    pushed.add(nodeId);
    return b;
  }

  private UaVariableNode analogNode(NodeId nodeId, SignalDef def) {
    try {
      AnalogItemTypeNode node =
          (AnalogItemTypeNode)
              getNodeFactory()
                  .createNode(
                      nodeId,
                      NodeIds.AnalogItemType,
                      new NodeFactory.InstantiationCallback() {
                        @Override
                        public boolean includeOptionalNode(
                            NodeId typeDefinitionId, QualifiedName name) {
                          return name.name().equals("EngineeringUnits");
                        }
                      });
      node.setBrowseName(qualifiedName(def.nameNamespace(), def.name()));
      node.setDisplayName(LocalizedText.english(def.name()));
      node.setDescription(LocalizedText.english(def.description()));
      node.setDataType(dataType(def.type()));
      node.setAccessLevel(AccessLevel.toValue(AccessLevel.READ_ONLY));
      node.setUserAccessLevel(AccessLevel.toValue(AccessLevel.READ_ONLY));
      node.setMinimumSamplingInterval(0.0);
      EngineeringUnit unit = def.unit().orElseThrow();
      node.setEngineeringUnits(
          new EUInformation(
              EngineeringUnit.UNECE_NAMESPACE,
              unit.unitId(),
              LocalizedText.english(unit.symbol()),
              LocalizedText.english(unit.description())));
      def.range().ifPresent(r -> node.setEuRange(new Range(r.low(), r.high())));
      getNodeManager().addNode(node);
      return node;
    } catch (UaException e) {
      throw new IllegalStateException("cannot create AnalogItemType node " + nodeId, e);
    }
  }

  private static NodeId dataType(SignalType type) {
    return switch (type) {
      case BOOLEAN -> NodeIds.Boolean;
      case INT32 -> NodeIds.Int32;
      case UINT16 -> NodeIds.UInt16;
      case UINT32 -> NodeIds.UInt32;
      case FLOAT -> NodeIds.Float;
      case DOUBLE -> NodeIds.Double;
      case STRING -> NodeIds.String;
      case LOCALIZED_TEXT -> NodeIds.LocalizedText;
      case DATE_TIME -> NodeIds.DateTime;
    };
  }

  private static Variant variant(SignalType type, Object value) {
    return switch (type) {
      case UINT16 -> new Variant(ushort((Integer) value));
      case UINT32 -> new Variant(uint((Long) value));
      case LOCALIZED_TEXT -> new Variant(LocalizedText.english((String) value));
      case DATE_TIME ->
          SignalTable.NO_TIME.equals(value)
              ? new Variant(DateTime.NULL_VALUE)
              : new Variant(new DateTime((Instant) value));
      default -> new Variant(value);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Publishing (simulation thread)

  /** The model changed a value. */
  void signalChanged(SignalDef def, Object value, long simMillis) {
    Binding b = byKey.get(def.key());
    if (b == null) {
      return;
    }
    b.modelValue = value;
    b.modelTime = simMillis;
    if (simulator.faults().frozen(def.machineId())) {
      return;
    }
    emit(b);
    if (def.path().equals("Alarms/AlarmActive") && Boolean.TRUE.equals(value)) {
      fireAlarmEvent(def.machineId());
    }
  }

  /** Re-publishes a machine's values after a fault on it changed (unfreeze, quality). */
  void refresh(String machineId) {
    for (Binding b : byKey.values()) {
      if (b.def.machineId().equals(machineId)) {
        emit(b);
      }
    }
    JobView view = jobViews.get(machineId);
    if (view != null && !simulator.faults().frozen(machineId)) {
      publishJobs(view);
    }
  }

  private void emit(Binding b) {
    DataValue value =
        new DataValue(
            variant(b.def.type(), b.modelValue),
            simulator.faults().status(b.def.key()),
            new DateTime(Instant.ofEpochMilli(b.modelTime)),
            DateTime.now());
    push(b, value);
  }

  private static void push(Binding b, DataValue value) {
    b.node.setValue(value);
    for (int i = 0; i < b.items.size(); i++) {
      DataItem item = b.items.get(i);
      if (item.isSamplingEnabled()) {
        item.setValue(DataValue.derivedValue(value, item.getTimestampsToReturn()));
      }
    }
  }

  void updateSimulatedTime(Instant now) {
    if (simulatedTime != null) {
      push(
          simulatedTime,
          new DataValue(new Variant(new DateTime(now)), StatusCode.GOOD, DateTime.now()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Load mode

  private void buildLoad(List<SignalDef> defs) {
    if (defs.isEmpty()) {
      return;
    }
    UaFolderNode root = folder("Load", "Load");
    root.addReference(
        new Reference(
            root.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
    load = new Binding[defs.size()];
    for (int i = 0; i < defs.size(); i++) {
      SignalDef def = defs.get(i);
      String machinePath = "Load/" + def.machineId();
      UaNode machine = containers.get(machinePath);
      if (machine == null) {
        machine = folder(machinePath, def.machineId());
        root.addOrganizes(machine);
      }
      Binding b = variable(machinePath + "/" + def.path(), def);
      link(machine, b.node);
      b.modelValue = 0.0;
      load[i] = b;
    }
  }

  /** Sets load variable {@code index}; called by the load generator on the simulation thread. */
  void publishLoad(int index, double value, DateTime sourceTime, DateTime serverTime) {
    Binding b = load[index];
    push(b, new DataValue(new Variant(value), StatusCode.GOOD, sourceTime, serverTime));
  }

  int loadSize() {
    return load.length;
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  private void enableServerEvents() {
    getServer()
        .getAddressSpaceManager()
        .getManagedNode(NodeIds.Server)
        .filter(ServerTypeNode.class::isInstance)
        .map(ServerTypeNode.class::cast)
        .ifPresent(server -> server.setEventNotifier(ubyte(1)));
  }

  private void fireAlarmEvent(String machineId) {
    Machine.Alarm alarm =
        simulator.fieldlab().machine(machineId).map(Machine::alarm).orElse(Machine.Alarm.NONE);
    try {
      BaseEventTypeNode event =
          getServer()
              .getEventFactory()
              .createEvent(newNodeId(UUID.randomUUID()), NodeIds.BaseEventType);
      UaNode source = containers.get(lineId() + "/" + machineId);
      event.setBrowseName(newQualifiedName("Alarm"));
      event.setDisplayName(LocalizedText.english("Alarm"));
      event.setEventId(
          ByteString.of(
              UUID.randomUUID().toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      event.setEventType(NodeIds.BaseEventType);
      event.setSourceNode(source == null ? NodeIds.Server : source.getNodeId());
      event.setSourceName(machineId);
      event.setTime(DateTime.now());
      event.setReceiveTime(DateTime.NULL_VALUE);
      event.setMessage(LocalizedText.english(alarm.code() + " " + alarm.text()));
      event.setSeverity(ushort(alarm.severity()));
      getServer().getEventNotifier().fire(event);
      event.delete();
    } catch (UaException e) {
      log.warn("Could not fire the alarm event for {}: {}", machineId, e.getMessage());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Methods

  /** A method body; runs on a Milo thread, hands model work to the simulation thread. */
  private interface Body {
    Variant[] call(Variant[] in) throws UaException;
  }

  private void method(
      UaNode parent, String name, String description, Argument[] in, Argument[] out, Body body) {
    method(parent, newQualifiedName(name), description, in, out, body);
  }

  private void method(
      UaNode parent,
      QualifiedName browseName,
      String description,
      Argument[] in,
      Argument[] out,
      Body body) {
    UaMethodNode node = methodNode(parent, browseName, description);
    AbstractMethodInvocationHandler handler =
        new AbstractMethodInvocationHandler(node) {
          @Override
          public Argument[] getInputArguments() {
            return in;
          }

          @Override
          public Argument[] getOutputArguments() {
            return out;
          }

          @Override
          protected Variant[] invoke(InvocationContext context, Variant[] inputs)
              throws UaException {
            return body.call(inputs);
          }
        };
    node.setInputArguments(in);
    node.setOutputArguments(out);
    node.setInvocationHandler(handler);
    getNodeManager().addNode(node);
    parent.addReference(
        new Reference(parent.getNodeId(), NodeIds.HasComponent, node.getNodeId().expanded(), true));
  }

  private UaMethodNode methodNode(UaNode parent, QualifiedName browseName, String description) {
    String path = parent.getNodeId().getIdentifier() + "/" + browseName.name();
    return UaMethodNode.builder(getNodeContext())
        .setNodeId(newNodeId(path))
        .setBrowseName(browseName)
        .setDisplayName(LocalizedText.english(browseName.name()))
        .setDescription(LocalizedText.english(description))
        .build();
  }

  private static Argument arg(String name, NodeId type, String description) {
    return new Argument(name, type, -1, null, LocalizedText.english(description));
  }

  private static final Argument[] NONE = new Argument[0];
  private static final Variant[] NO_OUTPUT = new Variant[0];

  private static String text(Variant[] in, int i, String name) throws UaException {
    Object v = in[i].value();
    if (!(v instanceof String s)) {
      throw new UaException(StatusCodes.Bad_InvalidArgument, name + " must not be null");
    }
    return s;
  }

  private static long unsigned(Variant[] in, int i, String name) throws UaException {
    Object v = in[i].value();
    if (!(v instanceof UInteger u)) {
      throw new UaException(StatusCodes.Bad_InvalidArgument, name + " must not be null");
    }
    return u.longValue();
  }

  private static Instant time(Variant[] in, int i, String name) throws UaException {
    Object v = in[i].value();
    if (!(v instanceof DateTime d) || d.isNull()) {
      throw new UaException(StatusCodes.Bad_InvalidArgument, name + " must be a set DateTime");
    }
    return d.getJavaInstant();
  }

  private static double number(Variant[] in, int i, String name) throws UaException {
    Object v = in[i].value();
    if (!(v instanceof Double d) || d.isNaN() || d.isInfinite()) {
      throw new UaException(StatusCodes.Bad_InvalidArgument, name + " must be a finite number");
    }
    return d;
  }

  private static Variant[] check(Outcome outcome) throws UaException {
    long code =
        switch (outcome.status()) {
          case OK -> StatusCodes.Good;
          case NOT_FOUND -> StatusCodes.Bad_NotFound;
          case INVALID_ARGUMENT -> StatusCodes.Bad_InvalidArgument;
          case INVALID_STATE -> StatusCodes.Bad_InvalidState;
          case ALREADY_EXISTS -> StatusCodes.Bad_EntryExists;
        };
    if (code != StatusCodes.Good) {
      throw new UaException(code, outcome.message());
    }
    return NO_OUTPUT;
  }

  private void addOrderMethods(String machineId) {
    UaNode orders = containers.get(lineId() + "/" + machineId + "/Orders");
    Argument orderId = arg("OrderId", NodeIds.String, "The order's id");
    method(
        orders,
        "StoreOrder",
        "Queues a new order as NotAllowedToStart",
        new Argument[] {
          orderId,
          arg("CustomerId", NodeIds.String, "The customer's id"),
          arg("Article", NodeIds.String, "The article to produce"),
          arg("PlannedQuantity", NodeIds.UInt32, "Good parts ordered, 1-1000000"),
          arg("DueDate", NodeIds.DateTime, "When the order is due")
        },
        NONE,
        in -> {
          String id = text(in, 0, "OrderId");
          String customer = text(in, 1, "CustomerId");
          String article = text(in, 2, "Article");
          long quantity = unsigned(in, 3, "PlannedQuantity");
          Instant due = time(in, 4, "DueDate");
          return check(
              simulator.command(
                  lab -> lab.storeOrder(machineId, id, customer, article, quantity, due)));
        });
    orderIdMethod(
        orders,
        "StartOrder",
        "Releases a NotAllowedToStart order, or resumes an Interrupted one",
        (lab, id) -> lab.startOrder(machineId, id));
    orderIdMethod(
        orders,
        "HoldOrder",
        "Interrupts the Running order; StartOrder resumes it",
        (lab, id) -> lab.holdOrder(machineId, id));
    orderIdMethod(
        orders,
        "AbortOrder",
        "Aborts an order that has not ended",
        (lab, id) -> lab.abortOrder(machineId, id));
    method(
        orders,
        "SetPlannedQuantity",
        "Changes the planned quantity; not below the good parts already made",
        new Argument[] {orderId, arg("PlannedQuantity", NodeIds.UInt32, "New planned quantity")},
        NONE,
        in -> {
          String id = text(in, 0, "OrderId");
          long quantity = unsigned(in, 1, "PlannedQuantity");
          return check(simulator.command(lab -> lab.setPlannedQuantity(machineId, id, quantity)));
        });
    method(
        orders,
        "SetDueDate",
        "Changes the due date",
        new Argument[] {orderId, arg("DueDate", NodeIds.DateTime, "New due date")},
        NONE,
        in -> {
          String id = text(in, 0, "OrderId");
          Instant due = time(in, 1, "DueDate");
          return check(simulator.command(lab -> lab.setDueDate(machineId, id, due)));
        });
  }

  /** A method whose only input is the order id. */
  private void orderIdMethod(
      UaNode orders,
      String name,
      String description,
      java.util.function.BiFunction<Fieldlab, String, Outcome> command) {
    method(
        orders,
        name,
        description,
        new Argument[] {arg("OrderId", NodeIds.String, "The order's id")},
        NONE,
        in -> {
          String id = text(in, 0, "OrderId");
          return check(simulator.command(lab -> command.apply(lab, id)));
        });
  }

  // ---------------------------------------------------------------------------------------------
  // OPC 40001-3 Job Management view (simulation thread, except the method bodies)

  /** A machine's job order and response lists and the order snapshot they were built from. */
  private static final class JobView {
    final Binding orderList;
    final Binding responseList;
    List<GroundTruth.OrderTruth> latest = List.of();
    long latestTime;
    List<GroundTruth.OrderTruth> published;

    JobView(Binding orderList, Binding responseList) {
      this.orderList = orderList;
      this.responseList = responseList;
    }
  }

  /**
   * MachineryBuildingBlocks --HasAddIn--> JobManagement with JobOrderControl (JobOrderList and the
   * Pause, Resume, Abort and Update methods) and JobOrderResults (JobOrderResponseList).
   */
  private void addJobManagement(Machine m) {
    String blocksPath = lineId() + "/" + m.id() + "/" + BUILDING_BLOCKS;
    UaNode blocks = containers.get(blocksPath);
    if (blocks == null) {
      throw new IllegalStateException(m.id() + " has no " + BUILDING_BLOCKS + " folder");
    }
    String jmPath = blocksPath + "/JobManagement";
    UaObjectNode jobManagement = jobsObject(blocks, jmPath);
    UaObjectNode control = jobsObject(jobManagement, jmPath + "/JobOrderControl");
    UaObjectNode results = jobsObject(jobManagement, jmPath + "/JobOrderResults");

    JobView view =
        new JobView(
            jobList(
                control,
                m.id(),
                "JobOrderList",
                Isa95Types.Type.JOB_ORDER_AND_STATE,
                "The machine's orders as ISA-95 job orders with their states"),
            jobList(
                results,
                m.id(),
                "JobOrderResponseList",
                Isa95Types.Type.JOB_RESPONSE,
                "Results of the orders that have started or ended"));
    jobViews.put(m.id(), view);
    addJobMethods(control, m.id());
    view.latest = m.orders().stream().map(Order::truth).toList();
    view.latestTime = m.simMillis();
    publishJobs(view);
  }

  private Binding jobList(
      UaNode parent, String machineId, String name, Isa95Types.Type type, String description) {
    UaVariableNode node =
        UaVariableNode.builder(getNodeContext())
            .setNodeId(newNodeId(parent.getNodeId().getIdentifier() + "/" + name))
            .setBrowseName(qualifiedName(BrowseNamespace.ISA95, name))
            .setDisplayName(LocalizedText.english(name))
            .setDescription(LocalizedText.english(description))
            .setDataType(isaTypes.id(type))
            .setValueRank(ValueRanks.OneDimension)
            .setArrayDimensions(new UInteger[] {uint(0)})
            .setTypeDefinition(NodeIds.BaseDataVariableType)
            .setAccessLevel(AccessLevel.READ_ONLY)
            .setUserAccessLevel(AccessLevel.READ_ONLY)
            .setMinimumSamplingInterval(0.0)
            .build();
    getNodeManager().addNode(node);
    link(parent, node);
    // Not in byKey: the lists are no signal; they are rebuilt from order snapshots.
    Binding b = new Binding(SignalDef.plain(machineId, name, SignalType.STRING, description), node);
    byNodeId.put(node.getNodeId(), b);
    pushed.add(node.getNodeId());
    return b;
  }

  /** The machine's orders after a step; pushed when they changed and the machine is not frozen. */
  void ordersPublished(String machineId, List<GroundTruth.OrderTruth> orders, long simMillis) {
    JobView view = jobViews.get(machineId);
    if (view == null || orders.equals(view.latest)) {
      return;
    }
    view.latest = orders;
    view.latestTime = simMillis;
    if (!simulator.faults().frozen(machineId)) {
      publishJobs(view);
    }
  }

  private void publishJobs(JobView view) {
    if (view.latest.equals(view.published)) {
      return;
    }
    DateTime source = new DateTime(Instant.ofEpochMilli(view.latestTime));
    DateTime server = DateTime.now();
    push(
        view.orderList,
        new DataValue(
            new Variant(isaTypes.encode(jobMapping.jobOrderList(view.latest))),
            StatusCode.GOOD,
            source,
            server));
    push(
        view.responseList,
        new DataValue(
            new Variant(isaTypes.encode(jobMapping.jobResponseList(view.latest))),
            StatusCode.GOOD,
            source,
            server));
    view.published = view.latest;
  }

  private void addJobMethods(UaNode control, String machineId) {
    Argument jobOrderId = arg("JobOrderID", NodeIds.String, "The job order's id (the order id)");
    Argument comment =
        new Argument(
            "Comment",
            NodeIds.LocalizedText,
            ValueRanks.OneDimension,
            new UInteger[] {uint(0)},
            LocalizedText.english("Comment; may be empty; not kept"));
    Argument[] returnStatus = {
      arg("ReturnStatus", NodeIds.UInt64, "1 = ok, else the OPC 10031-4 Annex B.2 error bits")
    };
    jobMethod(
        control,
        "Pause",
        "Interrupts a Running job order (HoldOrder)",
        jobOrderId,
        comment,
        returnStatus,
        (lab, id) -> lab.holdOrder(machineId, id));
    jobMethod(
        control,
        "Resume",
        "Resumes an Interrupted job order: AllowedToStart, Running once the machine is free",
        jobOrderId,
        comment,
        returnStatus,
        (lab, id) -> lab.resumeOrder(machineId, id));
    jobMethod(
        control,
        "Abort",
        "Aborts a job order that has not ended (AbortOrder)",
        jobOrderId,
        comment,
        returnStatus,
        (lab, id) -> lab.abortOrder(machineId, id));
    addUpdateMethod(control, machineId, comment, returnStatus);
  }

  private void jobMethod(
      UaNode control,
      String name,
      String description,
      Argument jobOrderId,
      Argument comment,
      Argument[] returnStatus,
      java.util.function.BiFunction<Fieldlab, String, Outcome> command) {
    method(
        control,
        qualifiedName(BrowseNamespace.ISA95, name),
        description,
        new Argument[] {jobOrderId, comment},
        returnStatus,
        in -> {
          // The spec reports a refused job command in ReturnStatus with a Good call result.
          long status =
              in[0].value() instanceof String id
                  ? JobOrderMapping.returnStatus(simulator.command(lab -> command.apply(lab, id)))
                  : JobOrderMapping.RETURN_UNKNOWN_JOB_ORDER;
          return new Variant[] {new Variant(ulong(status))};
        });
  }

  /**
   * Update takes an ISA95JobOrderDataType, which Milo 1.1.2's AbstractMethodInvocationHandler would
   * decode with the static encoding context and fail on; this handler decodes it with the dynamic
   * context itself.
   */
  private void addUpdateMethod(
      UaNode control, String machineId, Argument comment, Argument[] returnStatus) {
    Argument[] in = {
      new Argument(
          "JobOrder",
          isaTypes.id(Isa95Types.Type.JOB_ORDER),
          ValueRanks.Scalar,
          null,
          LocalizedText.english(
              "The job order; only the produced material's Quantity and EndTime are applied")),
      comment
    };
    UaMethodNode node =
        methodNode(
            control,
            qualifiedName(BrowseNamespace.ISA95, "Update"),
            "Changes planned quantity and due date of a job order that has not started");
    node.setInputArguments(in);
    node.setOutputArguments(returnStatus);
    node.setInvocationHandler(
        (access, request) -> {
          Variant[] args =
              request.getInputArguments() == null ? new Variant[0] : request.getInputArguments();
          if (args.length != in.length) {
            return callResult(
                args.length < in.length
                    ? StatusCodes.Bad_ArgumentsMissing
                    : StatusCodes.Bad_TooManyArguments,
                new StatusCode[0],
                new Variant[0]);
          }
          Optional<DynamicStructType> order =
              isaTypes.decode(args[0].value(), Isa95Types.Type.JOB_ORDER);
          boolean commentOk = args[1].value() == null || args[1].value() instanceof LocalizedText[];
          if (order.isEmpty() || !commentOk) {
            return callResult(
                StatusCodes.Bad_InvalidArgument,
                new StatusCode[] {argumentResult(order.isPresent()), argumentResult(commentOk)},
                new Variant[0]);
          }
          long status = updateJobOrder(machineId, order.get());
          return callResult(
              StatusCodes.Good, new StatusCode[0], new Variant[] {new Variant(ulong(status))});
        });
    getNodeManager().addNode(node);
    control.addReference(
        new Reference(
            control.getNodeId(), NodeIds.HasComponent, node.getNodeId().expanded(), true));
  }

  private static CallMethodResult callResult(long status, StatusCode[] args, Variant[] out) {
    return new CallMethodResult(new StatusCode(status), args, new DiagnosticInfo[0], out);
  }

  private static StatusCode argumentResult(boolean ok) {
    return ok ? StatusCode.GOOD : new StatusCode(StatusCodes.Bad_TypeMismatch);
  }

  /** Applies an Update: the produced material's Quantity (else PlannedOrderQuantity), EndTime. */
  private long updateJobOrder(String machineId, DynamicStructType jobOrder) {
    Map<String, Object> m = jobOrder.getMembers();
    if (!(m.get("JobOrderID") instanceof String id)) {
      return JobOrderMapping.RETURN_UNKNOWN_JOB_ORDER;
    }
    OptionalLong quantity = OptionalLong.empty();
    try {
      quantity = plannedQuantity(m);
    } catch (ArithmeticException | NumberFormatException e) {
      return JobOrderMapping.RETURN_INVALID_REQUEST;
    }
    Optional<Instant> due =
        m.get("EndTime") instanceof DateTime end && !end.isNull()
            ? Optional.of(end.getJavaInstant())
            : Optional.empty();
    OptionalLong planned = quantity;
    return JobOrderMapping.returnStatus(
        simulator.command(lab -> lab.updateOrder(machineId, id, planned, due)));
  }

  /**
   * The planned quantity in a job order: the "Material produced" requirement's Quantity, else the
   * PlannedOrderQuantity parameter; empty if neither is given.
   *
   * @throws ArithmeticException if it is not a whole number
   */
  private static OptionalLong plannedQuantity(Map<String, Object> jobOrder) {
    for (DynamicStructType material : structs(jobOrder.get("MaterialRequirements"))) {
      Map<String, Object> mm = material.getMembers();
      if (mm.get("MaterialUse") instanceof String use
          && (use.equalsIgnoreCase(JobOrderMapping.MATERIAL_PRODUCED)
              || use.equalsIgnoreCase("Produced"))
          && mm.get("Quantity") instanceof String q) {
        return OptionalLong.of(new BigDecimal(q.trim()).longValueExact());
      }
    }
    for (DynamicStructType p : structs(jobOrder.get("JobOrderParameters"))) {
      Map<String, Object> pm = p.getMembers();
      if ("PlannedOrderQuantity".equals(pm.get("ID"))
          && pm.get("Value") instanceof Variant v
          && v.value() instanceof Number n) {
        return OptionalLong.of(new BigDecimal(n.toString()).longValueExact());
      }
    }
    return OptionalLong.empty();
  }

  private static List<DynamicStructType> structs(Object array) {
    if (!(array instanceof Object[] values)) {
      return List.of();
    }
    List<DynamicStructType> structs = new ArrayList<>(values.length);
    for (Object v : values) {
      if (v instanceof DynamicStructType s) {
        structs.add(s);
      }
    }
    return structs;
  }

  private void buildSimulationObject() {
    UaObjectNode sim = object(SIMULATION, "Simulation");
    sim.addReference(
        new Reference(sim.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
    simulatedTime =
        constant(
            sim,
            "SimulatedTime",
            NodeIds.DateTime,
            new Variant(new DateTime(simulator.fieldlab().now())),
            "The simulated time");
    constant(
        sim,
        "TimeScale",
        NodeIds.Double,
        new Variant(simulator.timeScale()),
        "Simulated seconds per real second");
    constant(sim, "Seed", NodeIds.Int64, new Variant(simulator.seed()), "Random seed of this run");
    constant(
        sim, "Scenario", NodeIds.String, new Variant(simulator.scenario().name()), "Scenario name");

    Argument machine = arg("MachineId", NodeIds.String, "The machine's id, e.g. cnc1");
    method(
        sim,
        "GetOrderGroundTruth",
        "What really happened to an order, regardless of faults on its variables",
        new Argument[] {arg("OrderId", NodeIds.String, "The order's id")},
        new Argument[] {
          arg("State", NodeIds.String, "Job order state"),
          arg("GoodQuantity", NodeIds.UInt32, "Good parts produced"),
          arg("ScrapQuantity", NodeIds.UInt32, "Scrap parts produced")
        },
        in -> {
          String id = text(in, 0, "OrderId");
          GroundTruth.OrderTruth o =
              simulator
                  .groundTruth()
                  .order(id)
                  .orElseThrow(() -> new UaException(StatusCodes.Bad_NotFound, "no order " + id));
          return new Variant[] {
            new Variant(o.state()), new Variant(uint(o.good())), new Variant(uint(o.scrap()))
          };
        });
    method(
        sim,
        "GetMachineGroundTruth",
        "A machine's real totals since the run started",
        new Argument[] {machine},
        new Argument[] {
          arg("GoodCount", NodeIds.UInt32, "Good parts"),
          arg("ScrapCount", NodeIds.UInt32, "Scrap parts"),
          arg("RunSeconds", NodeIds.Double, "Time executing cycles"),
          arg("DownSeconds", NodeIds.Double, "Time out of service"),
          arg("SetupSeconds", NodeIds.Double, "Changeover and tool-change time"),
          arg("Breakdowns", NodeIds.UInt32, "Number of breakdowns")
        },
        in -> {
          String id = text(in, 0, "MachineId");
          GroundTruth.MachineTruth m =
              simulator
                  .groundTruth()
                  .machine(id)
                  .orElseThrow(() -> new UaException(StatusCodes.Bad_NotFound, "no machine " + id));
          return new Variant[] {
            new Variant(uint(m.good())),
            new Variant(uint(m.scrap())),
            new Variant(m.runTime().toMillis() / 1000.0),
            new Variant(m.downTime().toMillis() / 1000.0),
            new Variant(m.setupTime().toMillis() / 1000.0),
            new Variant(uint(m.breakdowns()))
          };
        });
    method(
        sim,
        "InjectBreakdown",
        "Breaks the machine down with an alarm; repaired after RepairSeconds (simulated)",
        new Argument[] {machine, arg("RepairSeconds", NodeIds.Double, "Repair time, > 0")},
        NONE,
        in -> {
          String id = text(in, 0, "MachineId");
          double seconds = number(in, 1, "RepairSeconds");
          if (seconds <= 0) {
            throw new UaException(StatusCodes.Bad_InvalidArgument, "RepairSeconds must be > 0");
          }
          return check(
              simulator.faults().applyBreakdown(id, Duration.ofMillis((long) (seconds * 1000))));
        });
    method(
        sim,
        "SetSignalQuality",
        "Forces a signal's status: Good, Uncertain or Bad",
        new Argument[] {
          machine,
          arg("Signal", NodeIds.String, "Path below the machine, e.g. Monitoring/Power"),
          arg("Quality", NodeIds.String, "Good, Uncertain or Bad")
        },
        NONE,
        in ->
            check(
                simulator
                    .faults()
                    .signalQuality(
                        text(in, 0, "MachineId"), text(in, 1, "Signal"), text(in, 2, "Quality"))));
    method(
        sim,
        "FreezeMachine",
        "Stops (true) or resumes (false) value changes of all the machine's variables",
        new Argument[] {machine, arg("Frozen", NodeIds.Boolean, "true to freeze")},
        NONE,
        in -> {
          if (!(in[1].value() instanceof Boolean frozen)) {
            throw new UaException(StatusCodes.Bad_InvalidArgument, "Frozen must not be null");
          }
          return check(simulator.faults().applyFreeze(text(in, 0, "MachineId"), frozen));
        });
    method(
        sim,
        "ResetCounters",
        "Resets the machine's production counters to zero, as a PLC reset does",
        new Argument[] {machine},
        NONE,
        in -> check(simulator.faults().resetCountersOutcome(text(in, 0, "MachineId"))));
    method(
        sim,
        "DropAllSessions",
        "Closes every client session",
        NONE,
        NONE,
        in -> check(simulator.faults().dropAllSessionsAsync()));
    method(
        sim,
        "RestartServer",
        "Restarts the server after this call returns; subscriptions become invalid",
        new Argument[] {
          arg("DowntimeSeconds", NodeIds.Double, "Real seconds the server stays down")
        },
        NONE,
        in -> {
          double seconds = number(in, 0, "DowntimeSeconds");
          if (seconds < 0 || seconds > 3600) {
            throw new UaException(
                StatusCodes.Bad_InvalidArgument, "DowntimeSeconds must be 0-3600");
          }
          return check(simulator.faults().restartAsync(Duration.ofMillis((long) (seconds * 1000))));
        });
    method(
        sim,
        "SetResponseDelay",
        "Delays every service response by DelayMillis; 0 turns it off",
        new Argument[] {arg("DelayMillis", NodeIds.UInt32, "Delay in milliseconds, at most 60000")},
        NONE,
        in -> {
          long ms = unsigned(in, 0, "DelayMillis");
          if (ms > 60_000) {
            throw new UaException(StatusCodes.Bad_InvalidArgument, "DelayMillis must be <= 60000");
          }
          return check(simulator.faults().slow(Duration.ofMillis(ms)));
        });
  }

  private Binding constant(
      UaNode parent, String name, NodeId type, Variant value, String description) {
    String path = SIMULATION + "/" + name;
    UaVariableNode node =
        UaVariableNode.builder(getNodeContext())
            .setNodeId(newNodeId(path))
            .setBrowseName(newQualifiedName(name))
            .setDisplayName(LocalizedText.english(name))
            .setDescription(LocalizedText.english(description))
            .setDataType(type)
            .setTypeDefinition(NodeIds.BaseDataVariableType)
            .setAccessLevel(AccessLevel.READ_ONLY)
            .setUserAccessLevel(AccessLevel.READ_ONLY)
            .build();
    node.setValue(new DataValue(value));
    getNodeManager().addNode(node);
    link(parent, node);
    Binding b =
        new Binding(SignalDef.plain(SIMULATION, name, SignalType.STRING, description), node);
    byNodeId.put(node.getNodeId(), b);
    pushed.add(node.getNodeId());
    return b;
  }

  // ---------------------------------------------------------------------------------------------
  // Monitored items (Milo threads hand over to the simulation thread)

  private boolean isPushed(DataItem item) {
    return item.getReadValueId().getAttributeId().equals(AttributeId.Value.uid())
        && pushed.contains(item.getReadValueId().getNodeId());
  }

  /**
   * Hands pushed items to {@code onSimulationThread} (with their binding) and the rest to the
   * sampling model.
   */
  private void split(
      List<DataItem> items,
      java.util.function.Consumer<List<DataItem>> sampledCallback,
      java.util.function.BiConsumer<Binding, DataItem> onSimulationThread) {
    List<DataItem> push = new ArrayList<>();
    List<DataItem> sample = new ArrayList<>();
    for (DataItem item : items) {
      (isPushed(item) ? push : sample).add(item);
    }
    if (!sample.isEmpty()) {
      sampledCallback.accept(sample);
    }
    if (!push.isEmpty()) {
      simulator.execute(
          () -> {
            for (DataItem item : push) {
              Binding b = byNodeId.get(item.getReadValueId().getNodeId());
              if (b != null) {
                onSimulationThread.accept(b, item);
              }
            }
          });
    }
  }

  @Override
  public void onDataItemsCreated(List<DataItem> items) {
    split(
        items,
        sampled::onDataItemsCreated,
        (b, item) -> {
          b.items.add(item);
          sendCurrent(b, item);
        });
  }

  private static void sendCurrent(Binding b, DataItem item) {
    DataValue current = b.node.getValue();
    if (current != null && item.isSamplingEnabled()) {
      item.setValue(DataValue.derivedValue(current, item.getTimestampsToReturn()));
    }
  }

  @Override
  public void onDataItemsModified(List<DataItem> items) {
    List<DataItem> sample = items.stream().filter(i -> !isPushed(i)).toList();
    if (!sample.isEmpty()) {
      sampled.onDataItemsModified(sample);
    }
  }

  @Override
  public void onDataItemsDeleted(List<DataItem> items) {
    split(items, sampled::onDataItemsDeleted, (b, item) -> b.items.remove(item));
  }

  @Override
  public void onMonitoringModeChanged(List<MonitoredItem> items) {
    List<MonitoredItem> sample = new ArrayList<>();
    List<DataItem> push = new ArrayList<>();
    for (MonitoredItem item : items) {
      if (item instanceof DataItem d && isPushed(d)) {
        push.add(d);
      } else {
        sample.add(item);
      }
    }
    if (!sample.isEmpty()) {
      sampled.onMonitoringModeChanged(sample);
    }
    if (!push.isEmpty()) {
      simulator.execute(
          () -> {
            for (DataItem item : push) {
              Binding b = byNodeId.get(item.getReadValueId().getNodeId());
              if (b != null) {
                sendCurrent(b, item);
              }
            }
          });
    }
  }

  /** An object below {@code parent} whose browse name (its path's last level) is in Jobs' ns. */
  private UaObjectNode jobsObject(UaNode parent, String path) {
    String name = browseName(path);
    UaObjectNode node = object(path, qualifiedName(BrowseNamespace.JOBS, name), name);
    link(parent, node);
    return node;
  }
}
