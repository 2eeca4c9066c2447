package org.ketenlink.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.milo.opcua.sdk.core.types.DynamicStructType;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.UInteger;
import org.eclipse.milo.opcua.stack.core.types.structured.EUInformation;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePath;
import org.eclipse.milo.opcua.stack.core.types.structured.RelativePathElement;
import org.ketenlink.simulator.Isa95Types.Type;

/**
 * Maps the simulator's orders onto OPC 40001-3 job orders and job responses (ISA95-JOBCONTROL_V2
 * values). A function of the order snapshot only; see docs/simulator.md "Job Management view" for
 * the mapping table.
 */
final class JobOrderMapping {

  /** The MaterialUse of the produced article, as the 40001-3 examples write it. */
  static final String MATERIAL_PRODUCED = "Material produced";

  /** ReturnStatus bits of OPC 10031-4 v2 Annex B.2. */
  static final long RETURN_OK = 1L;

  static final long RETURN_UNKNOWN_JOB_ORDER = 1L << 1;
  static final long RETURN_INVALID_STATUS = 1L << 3;
  static final long RETURN_UNABLE_TO_ACCEPT = 1L << 4;
  static final long RETURN_INVALID_REQUEST = 1L << 32;

  private static final EUInformation PIECES =
      new EUInformation(
          EngineeringUnit.UNECE_NAMESPACE,
          EngineeringUnit.ONE.unitId(),
          LocalizedText.english(EngineeringUnit.ONE.symbol()),
          LocalizedText.english(EngineeringUnit.ONE.description()));

  private final Isa95Types types;

  JobOrderMapping(Isa95Types types) {
    this.types = types;
  }

  /** The ReturnStatus for a model command's outcome. */
  static long returnStatus(Outcome outcome) {
    return switch (outcome.status()) {
      case OK -> RETURN_OK;
      case NOT_FOUND -> RETURN_UNKNOWN_JOB_ORDER;
      case INVALID_STATE -> RETURN_INVALID_STATUS;
      case ALREADY_EXISTS -> RETURN_UNABLE_TO_ACCEPT;
      case INVALID_ARGUMENT -> RETURN_INVALID_REQUEST;
    };
  }

  /** The JobOrderList: one ISA95JobOrderAndStateDataType per order, in queue order. */
  List<DynamicStructType> jobOrderList(List<GroundTruth.OrderTruth> orders) {
    List<DynamicStructType> list = new ArrayList<>(orders.size());
    for (GroundTruth.OrderTruth o : orders) {
      list.add(
          types.struct(
              Type.JOB_ORDER_AND_STATE, members("JobOrder", jobOrder(o), "State", states(o))));
    }
    return list;
  }

  /**
   * The JobOrderResponseList: a response for every order that has started or left the prepared
   * states, so each JobOrderList entry past AllowedToStart has one (OPC 40001-3 8.1).
   */
  List<DynamicStructType> jobResponseList(List<GroundTruth.OrderTruth> orders) {
    List<DynamicStructType> list = new ArrayList<>();
    for (GroundTruth.OrderTruth o : orders) {
      Order.State state = state(o);
      boolean prepared =
          state == Order.State.NOT_ALLOWED_TO_START || state == Order.State.ALLOWED_TO_START;
      if (prepared && o.start().isEmpty()) {
        continue;
      }
      list.add(
          types.struct(
              Type.JOB_RESPONSE,
              members(
                  "JobResponseID", o.orderId(),
                  "JobOrderID", o.orderId(),
                  "StartTime", dateTime(o.start()),
                  "EndTime", dateTime(o.end()),
                  "JobState", states(o),
                  "JobResponseData",
                      List.of(
                          parameter("GoodQuantity", new Variant((double) o.good()), PIECES),
                          parameter(
                              "ProducedQuantity",
                              new Variant((double) (o.good() + o.scrap())),
                              PIECES),
                          parameter("ScrapQuantity", new Variant((double) o.scrap()), PIECES)),
                  "MaterialActuals", List.of(producedMaterial(o.article(), o.good())))));
    }
    return list;
  }

  private DynamicStructType jobOrder(GroundTruth.OrderTruth o) {
    return types.struct(
        Type.JOB_ORDER,
        members(
            "JobOrderID", o.orderId(),
            "StartTime", dateTime(o.start()),
            "EndTime", new DateTime(o.due()),
            "JobOrderParameters",
                List.of(
                    parameter("Customers", new Variant(new String[] {o.customer()}), null),
                    parameter("PlannedOrderQuantity", new Variant((double) o.planned()), PIECES)),
            "MaterialRequirements", List.of(producedMaterial(o.article(), o.planned()))));
  }

  private DynamicStructType parameter(String id, Variant value, EUInformation unit) {
    return types.struct(
        Type.PARAMETER,
        members(
            "ID",
            id,
            "Value",
            value,
            "EngineeringUnits",
            unit == null ? Isa95Types.NO_UNIT : unit));
  }

  private DynamicStructType producedMaterial(String article, long quantity) {
    return types.struct(
        Type.MATERIAL,
        members(
            "MaterialDefinitionID", article,
            "MaterialUse", MATERIAL_PRODUCED,
            "Quantity", Long.toString(quantity),
            "EngineeringUnits", PIECES));
  }

  /** State[0] is the job order state; an Interrupted order adds the Held substate. */
  private List<DynamicStructType> states(GroundTruth.OrderTruth o) {
    Order.State state = state(o);
    List<DynamicStructType> states = new ArrayList<>(2);
    states.add(state(new RelativePath(new RelativePathElement[0]), state.label, state.number + 1L));
    if (state == Order.State.INTERRUPTED) {
      // The model interrupts an order only by HoldOrder/Pause: ISA95InterruptedStateMachineType
      // Held (1), reached through the InterruptedSubstates sub-state machine.
      RelativePath path =
          new RelativePath(
              new RelativePathElement[] {
                new RelativePathElement(
                    NodeIds.HasComponent,
                    false,
                    true,
                    new QualifiedName(types.getNamespaceIndex(), "InterruptedSubstates"))
              });
      states.add(state(path, "Held", 1L));
    }
    return states;
  }

  private DynamicStructType state(RelativePath path, String text, long number) {
    return types.struct(
        Type.STATE,
        members(
            "BrowsePath",
            path,
            "StateText",
            LocalizedText.english(text),
            "StateNumber",
            UInteger.valueOf(number)));
  }

  private static Order.State state(GroundTruth.OrderTruth o) {
    for (Order.State s : Order.State.values()) {
      if (s.label.equals(o.state())) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown order state " + o.state());
  }

  private static DateTime dateTime(Optional<Instant> t) {
    return t.map(DateTime::new).orElse(DateTime.NULL_VALUE);
  }

  /** Name/value pairs in order; values may be null, which {@code Map.of} refuses. */
  private static Map<String, Object> members(Object... pairs) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], pairs[i + 1]);
    }
    return m;
  }
}
