package org.ketenlink.simulator;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.core.types.DynamicStructType;
import org.eclipse.milo.opcua.sdk.core.types.codec.DynamicStructCodec;
import org.eclipse.milo.opcua.sdk.core.typetree.DataType;
import org.eclipse.milo.opcua.sdk.core.typetree.DataTypeTree;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.model.objects.DataTypeEncodingTypeNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaDataTypeNode;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExtensionObject;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.StructureType;
import org.eclipse.milo.opcua.stack.core.types.structured.EUInformation;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePath;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePathElement;
import org.eclipse.milo.opcua.stack.core.types.structured.StructureDefinition;
import org.eclipse.milo.opcua.stack.core.types.structured.StructureField;

/**
 * The ISA95-JOBCONTROL_V2 (OPC 10031-4) structure DataTypes that OPC 40001-3 job order and response
 * lists need, hosted in their own namespace with the nodeset's numeric DataType and Default Binary
 * ids, so a client that knows the standard ids and a generic client that reads DataTypeDefinitions
 * both decode them. Values are built as {@link DynamicStructType}s and encoded by Milo's dynamic
 * codecs.
 *
 * <p>Milo 1.1.2's {@code DynamicStructCodec} writes a wrong EncodingMask when an optional field is
 * absent and a later one present (eclipse-milo/milo#1882). {@link #struct} therefore always fills
 * every field, so the mask is all ones; fields the caller leaves out get a value that encodes as
 * "nothing" (null, empty path, {@link #NO_UNIT}).
 *
 * <p>{@link #register} must run once, during namespace startup, before any value is built.
 */
final class Isa95Types extends ManagedNamespaceWithLifecycle {

  static final String NAMESPACE_URI = BrowseNamespace.ISA95.uri;

  /** OPC UA Part 8: UnitId -1 is "no unit"; used where the encoder needs an EUInformation. */
  static final EUInformation NO_UNIT =
      new EUInformation(null, -1, LocalizedText.NULL_VALUE, LocalizedText.NULL_VALUE);

  /** The DataTypes, with the ids of ISA95-JOBCONTROL_V2 2.0.0 (DataType, Default Binary). */
  enum Type {
    PROPERTY("ISA95PropertyDataType", 3002, 5002),
    PARAMETER("ISA95ParameterDataType", 3003, 5005),
    EQUIPMENT("ISA95EquipmentDataType", 3005, 5008),
    STATE("ISA95StateDataType", 3006, 5029),
    WORK_MASTER("ISA95WorkMasterDataType", 3007, 5011),
    JOB_ORDER("ISA95JobOrderDataType", 3008, 5014),
    MATERIAL("ISA95MaterialDataType", 3010, 5017),
    PERSONNEL("ISA95PersonnelDataType", 3011, 5020),
    PHYSICAL_ASSET("ISA95PhysicalAssetDataType", 3012, 5023),
    JOB_RESPONSE("ISA95JobResponseDataType", 3013, 5026),
    JOB_ORDER_AND_STATE("ISA95JobOrderAndStateDataType", 3015, 5032);

    final String browseName;
    final long id;
    final long binaryEncodingId;

    Type(String browseName, long id, long binaryEncodingId) {
      this.browseName = browseName;
      this.id = id;
      this.binaryEncodingId = binaryEncodingId;
    }
  }

  /**
   * One field as the nodeset declares it; {@code dataType} is a namespace-0 NodeId or a {@link
   * Type} of this namespace.
   */
  private record Field(String name, Object dataType, boolean array, boolean optional) {}

  private static Field required(String name, Object type) {
    return new Field(name, type, false, false);
  }

  private static Field requiredArray(String name, Object type) {
    return new Field(name, type, true, false);
  }

  private static Field optional(String name, Object type) {
    return new Field(name, type, false, true);
  }

  private static Field optionalArray(String name, Object type) {
    return new Field(name, type, true, true);
  }

  /** Field lists in declaration order, from opc.ua.isa95-jobcontrol.nodeset2.xml (model 2.0.0). */
  private static List<Field> fields(Type type) {
    return switch (type) {
      case PROPERTY ->
          List.of(
              required("ID", NodeIds.String),
              required("Value", NodeIds.BaseDataType),
              optionalArray("Description", NodeIds.LocalizedText),
              optional("EngineeringUnits", NodeIds.EUInformation),
              optionalArray("Subproperties", Type.PROPERTY));
      case PARAMETER ->
          List.of(
              required("ID", NodeIds.String),
              required("Value", NodeIds.BaseDataType),
              optionalArray("Description", NodeIds.LocalizedText),
              optional("EngineeringUnits", NodeIds.EUInformation),
              optionalArray("Subparameters", Type.PARAMETER));
      case EQUIPMENT -> resource("EquipmentUse");
      case PERSONNEL -> resource("PersonnelUse");
      case PHYSICAL_ASSET -> resource("PhysicalAssetUse");
      case STATE ->
          List.of(
              required("BrowsePath", NodeIds.RelativePath),
              required("StateText", NodeIds.LocalizedText),
              required("StateNumber", NodeIds.UInt32));
      case WORK_MASTER ->
          List.of(
              required("ID", NodeIds.String),
              optional("Description", NodeIds.LocalizedText),
              optionalArray("Parameters", Type.PARAMETER));
      case JOB_ORDER ->
          List.of(
              required("JobOrderID", NodeIds.String),
              optionalArray("Description", NodeIds.LocalizedText),
              optionalArray("WorkMasterID", Type.WORK_MASTER),
              optional("StartTime", NodeIds.DateTime),
              optional("EndTime", NodeIds.DateTime),
              optional("Priority", NodeIds.Int16),
              optionalArray("JobOrderParameters", Type.PARAMETER),
              optionalArray("PersonnelRequirements", Type.PERSONNEL),
              optionalArray("EquipmentRequirements", Type.EQUIPMENT),
              optionalArray("PhysicalAssetRequirements", Type.PHYSICAL_ASSET),
              optionalArray("MaterialRequirements", Type.MATERIAL));
      case MATERIAL ->
          List.of(
              optional("MaterialClassID", NodeIds.String),
              optional("MaterialDefinitionID", NodeIds.String),
              optional("MaterialLotID", NodeIds.String),
              optional("MaterialSublotID", NodeIds.String),
              optionalArray("Description", NodeIds.LocalizedText),
              optional("MaterialUse", NodeIds.String),
              optional("Quantity", NodeIds.DecimalString),
              optional("EngineeringUnits", NodeIds.EUInformation),
              optionalArray("Properties", Type.PROPERTY));
      case JOB_RESPONSE ->
          List.of(
              required("JobResponseID", NodeIds.String),
              optional("Description", NodeIds.LocalizedText),
              required("JobOrderID", NodeIds.String),
              optional("StartTime", NodeIds.DateTime),
              optional("EndTime", NodeIds.DateTime),
              requiredArray("JobState", Type.STATE),
              optionalArray("JobResponseData", Type.PARAMETER),
              optionalArray("PersonnelActuals", Type.PERSONNEL),
              optionalArray("EquipmentActuals", Type.EQUIPMENT),
              optionalArray("PhysicalAssetActuals", Type.PHYSICAL_ASSET),
              optionalArray("MaterialActuals", Type.MATERIAL));
      case JOB_ORDER_AND_STATE ->
          List.of(required("JobOrder", Type.JOB_ORDER), requiredArray("State", Type.STATE));
    };
  }

  /** Equipment, personnel and physical asset share one shape; only the "use" field differs. */
  private static List<Field> resource(String useField) {
    return List.of(
        required("ID", NodeIds.String),
        optionalArray("Description", NodeIds.LocalizedText),
        optional(useField, NodeIds.String),
        optional("Quantity", NodeIds.DecimalString),
        optional("EngineeringUnits", NodeIds.EUInformation),
        optionalArray("Properties", Type.PROPERTY));
  }

  private final SubscriptionModel sampled;
  private final Map<Type, DataType> dataTypes = new EnumMap<>(Type.class);

  Isa95Types(OpcUaServer server) {
    super(server, NAMESPACE_URI);
    this.sampled = new SubscriptionModel(server, this);
    getLifecycleManager().addLifecycle(sampled);
  }

  /** The DataType's node id, e.g. {@code ISA;i=3015} for ISA95JobOrderAndStateDataType. */
  NodeId id(Type type) {
    return newNodeId(type.id);
  }

  /**
   * Adds the DataType and Default Binary encoding nodes with their StructureDefinitions, rebuilds
   * the server's DataType tree and registers a dynamic codec per type. The types reference each
   * other (ISA95ParameterDataType itself), so the tree is built only after all nodes exist.
   */
  void register() {
    for (Type type : Type.values()) {
      addDataType(type);
    }
    DataTypeTree tree = getServer().updateDataTypeTree();
    for (Type type : Type.values()) {
      DataType dataType = tree.getDataType(id(type));
      if (dataType == null || dataType.getBinaryEncodingId() == null) {
        throw new IllegalStateException(type.browseName + " is not in the DataType tree");
      }
      dataTypes.put(type, dataType);
      getServer()
          .getDynamicDataTypeManager()
          .registerType(
              id(type),
              new DynamicStructCodec(dataType, tree),
              newNodeId(type.binaryEncodingId),
              null,
              null);
    }
  }

  private void addDataType(Type type) {
    NodeId typeId = id(type);
    NodeId encodingId = newNodeId(type.binaryEncodingId);
    UaDataTypeNode node =
        new UaDataTypeNode(
            getNodeContext(),
            typeId,
            newQualifiedName(type.browseName),
            LocalizedText.english(type.browseName),
            LocalizedText.NULL_VALUE,
            uint(0),
            uint(0),
            false);
    node.addReference(
        new Reference(
            typeId, NodeIds.HasSubtype, NodeIds.Structure.expanded(), Reference.Direction.INVERSE));
    getNodeManager().addNode(node);

    DataTypeEncodingTypeNode encoding =
        new DataTypeEncodingTypeNode(
            getNodeContext(),
            encodingId,
            new QualifiedName(0, "Default Binary"),
            LocalizedText.english("Default Binary"),
            LocalizedText.NULL_VALUE,
            uint(0),
            uint(0),
            null,
            null,
            null);
    encoding.addReference(
        new Reference(
            encodingId,
            NodeIds.HasTypeDefinition,
            NodeIds.DataTypeEncodingType.expanded(),
            Reference.Direction.FORWARD));
    // The inverse HasEncoding is mirrored onto the type node, where the tree builder looks.
    encoding.addReference(
        new Reference(
            encodingId, NodeIds.HasEncoding, typeId.expanded(), Reference.Direction.INVERSE));
    getNodeManager().addNode(encoding);

    List<Field> fields = fields(type);
    boolean anyOptional = fields.stream().anyMatch(Field::optional);
    StructureField[] definition =
        fields.stream()
            .map(
                f ->
                    new StructureField(
                        f.name(),
                        LocalizedText.NULL_VALUE,
                        f.dataType() instanceof Type t ? id(t) : (NodeId) f.dataType(),
                        f.array() ? 1 : -1,
                        null,
                        uint(0),
                        f.optional()))
            .toArray(StructureField[]::new);
    node.setDataTypeDefinition(
        new StructureDefinition(
            encodingId,
            NodeIds.Structure,
            anyOptional ? StructureType.StructureWithOptionalFields : StructureType.Structure,
            definition));
  }

  /**
   * A value of {@code type} with the given members and every other field present with an empty
   * value (see the class comment). Nested structures are {@link DynamicStructType}s, arrays of them
   * {@code DynamicStructType[]}; a BaseDataType field is a {@link Variant}.
   *
   * @throws IllegalArgumentException for a member the type does not have, or a missing required
   *     nested structure
   */
  DynamicStructType struct(Type type, Map<String, Object> members) {
    List<Field> fields = fields(type);
    for (String name : members.keySet()) {
      if (fields.stream().noneMatch(f -> f.name().equals(name))) {
        throw new IllegalArgumentException(type.browseName + " has no field " + name);
      }
    }
    LinkedHashMap<String, Object> all = new LinkedHashMap<>();
    for (Field f : fields) {
      Object value = members.containsKey(f.name()) ? members.get(f.name()) : empty(type, f);
      if (value instanceof List<?> list) {
        value = list.toArray(DynamicStructType[]::new);
      }
      all.put(f.name(), value);
    }
    return new DynamicStructType(dataTypes.get(type), all);
  }

  /** The value an absent field gets; one the binary encoder accepts for that field. */
  private static Object empty(Type owner, Field f) {
    if (f.array()) {
      return null;
    }
    if (f.dataType() instanceof Type nested) {
      throw new IllegalArgumentException(owner.browseName + "." + f.name() + " needs a " + nested);
    }
    NodeId t = (NodeId) f.dataType();
    if (t.equals(NodeIds.BaseDataType)) {
      return Variant.NULL_VALUE;
    }
    if (t.equals(NodeIds.EUInformation)) {
      return NO_UNIT;
    }
    if (t.equals(NodeIds.RelativePath)) {
      return new RelativePath(new RelativePathElement[0]);
    }
    if (t.equals(NodeIds.LocalizedText)) {
      return LocalizedText.NULL_VALUE;
    }
    if (t.equals(NodeIds.Int16)) {
      return (short) 0;
    }
    return null;
  }

  /** Encodes values for a variable of DataType {@code type}[]. */
  ExtensionObject[] encode(List<DynamicStructType> values) {
    List<ExtensionObject> encoded = new ArrayList<>(values.size());
    for (DynamicStructType v : values) {
      encoded.add(ExtensionObject.encode(getServer().getDynamicEncodingContext(), v));
    }
    return encoded.toArray(ExtensionObject[]::new);
  }

  /** Decodes a method argument of type {@code type}; empty if it is not an encoded {@code type}. */
  Optional<DynamicStructType> decode(Object value, Type type) {
    if (!(value instanceof ExtensionObject xo)) {
      return Optional.empty();
    }
    try {
      Object decoded = xo.decode(getServer().getDynamicEncodingContext());
      if (decoded instanceof DynamicStructType s && s.getDataType().getNodeId().equals(id(type))) {
        return Optional.of(s);
      }
    } catch (RuntimeException e) {
      // A malformed or foreign structure is the caller's argument error, reported as such.
    }
    return Optional.empty();
  }

  @Override
  public void onDataItemsCreated(List<DataItem> items) {
    sampled.onDataItemsCreated(items);
  }

  @Override
  public void onDataItemsModified(List<DataItem> items) {
    sampled.onDataItemsModified(items);
  }

  @Override
  public void onDataItemsDeleted(List<DataItem> items) {
    sampled.onDataItemsDeleted(items);
  }

  @Override
  public void onMonitoringModeChanged(List<MonitoredItem> items) {
    sampled.onMonitoringModeChanged(items);
  }
}
