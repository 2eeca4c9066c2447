package org.ketenlink.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Ready-made machine mappings (docs/production.md#profiles). A source that names a profile gets the
 * profile's signals, found by standard browse paths below the machine's object, its orders object
 * (where the model has one) and the defaults of its production mapping (state signal and model,
 * stop reason, active order, counters, where the model defines them). The source's own entries win:
 * a signal of the same name replaces the profile's, a production key given replaces the default.
 * The expansion happens in the YAML tree, before the source is read, so everything a profile adds
 * is validated like a hand-written mapping.
 */
final class Profiles {

  /** Namespace aliases a browse path may prefix a name with, e.g. {@code machinery:Machines}. */
  static final Map<String, String> ALIASES =
      Map.of(
          "ua", "http://opcfoundation.org/UA/",
          "di", "http://opcfoundation.org/UA/DI/",
          "machinery", "http://opcfoundation.org/UA/Machinery/",
          "jobs", "http://opcfoundation.org/UA/Machinery/Jobs/",
          "isa95", "http://opcfoundation.org/UA/ISA95-JOBCONTROL_V2/",
          "packml", "http://opcfoundation.org/UA/PackML/");

  static final String SIMULATOR_NAMESPACE = "urn:ketenlink:simulator:fieldlab";

  private record Signal(String name, String kind, String path) {}

  /** Where a model keeps a machine's orders: a path below the machine and the order model. */
  private record Orders(String path, String model) {}

  /**
   * @param orders the machine's orders, if the model has them
   */
  private record Profile(
      List<Signal> signals, Optional<Orders> orders, Map<String, String> production) {}

  private static final String STATE = "state";
  private static final String ALARM = "alarm";
  private static final String DATA = "data";
  private static final String MACHINERY_STATE =
      "machinery:MachineryBuildingBlocks/machinery:MachineryItemState/ua:CurrentState";

  private static final Map<String, Profile> PROFILES = new LinkedHashMap<>();

  static {
    PROFILES.put(
        "simulator",
        new Profile(
            List.of(
                new Signal("state", STATE, "State/MachineryItemState"),
                new Signal("operationMode", STATE, "State/OperationMode"),
                new Signal("goodCount", DATA, "Production/GoodCount"),
                new Signal("scrapCount", DATA, "Production/ScrapCount"),
                new Signal("activeOrder", STATE, "Orders/ActiveOrderId"),
                new Signal("alarmActive", ALARM, "Alarms/AlarmActive"),
                new Signal("alarmCode", ALARM, "Alarms/ActiveAlarmCode"),
                new Signal("alarmText", ALARM, "Alarms/ActiveAlarmText")),
            Optional.of(new Orders("Orders", "ketenlink")),
            Map.of(
                "state", "state",
                "model", "machinery",
                "reason", "alarmText",
                "activeOrder", "activeOrder",
                "good", "goodCount",
                "scrap", "scrapCount")));
    PROFILES.put(
        "machinery",
        new Profile(
            List.of(
                new Signal("state", STATE, MACHINERY_STATE),
                new Signal(
                    "operationMode",
                    STATE,
                    "machinery:MachineryBuildingBlocks/machinery:MachineryOperationMode"
                        + "/ua:CurrentState")),
            Optional.of(
                new Orders(
                    "machinery:MachineryBuildingBlocks/jobs:JobManagement", "jobManagement")),
            Map.of("state", "state", "model", "machinery")));
    PROFILES.put(
        "packml",
        new Profile(
            List.of(
                new Signal("state", STATE, "packml:BaseStateMachine/ua:CurrentState"),
                new Signal("unitMode", STATE, "packml:Status/packml:UnitModeCurrent"),
                new Signal("machineSpeed", DATA, "packml:Status/packml:CurMachSpeed"),
                new Signal("setSpeed", DATA, "packml:Status/packml:MachSpeed"),
                new Signal("blocked", STATE, "packml:Status/packml:EquipmentBlocked"),
                new Signal("starved", STATE, "packml:Status/packml:EquipmentStarved")),
            Optional.empty(),
            Map.of("state", "state", "model", "packml")));
  }

  private Profiles() {}

  /** The profiles' names. */
  static Set<String> names() {
    return PROFILES.keySet();
  }

  /**
   * {@code {namespace URI, name}} of one browse-path element: a name prefixed with a known alias
   * ({@code machinery:MachineryBuildingBlocks}) is in the alias's namespace; any other name is in
   * the path's namespace ({@code ""}).
   */
  static String[] splitAlias(String element) {
    int colon = element.indexOf(':');
    if (colon > 0) {
      String uri = ALIASES.get(element.substring(0, colon));
      if (uri != null) {
        return new String[] {uri, element.substring(colon + 1)};
      }
    }
    return new String[] {"", element};
  }

  /** Expands the source's {@code profile}, if it names one, into its YAML tree. */
  static void expand(YamlNode source) {
    if (!source.has("profile") || !(source.tree() instanceof ObjectNode tree)) {
      return;
    }
    JsonNode p = tree.get("profile");
    String name;
    Optional<String> namespace = Optional.empty();
    Optional<String> path = Optional.empty();
    if (p.isTextual()) {
      name = p.asText();
    } else if (p.isObject()) {
      YamlNode pn = source.object("profile").orElseThrow();
      pn.onlyKeys(Set.of("name", "namespace", "path"));
      name = pn.requiredText("name", "one of " + String.join(", ", names()));
      namespace = pn.text("namespace");
      path = pn.text("path");
    } else {
      source.problem("profile", "must be a profile name or {name, namespace, path}");
      return;
    }
    Profile profile = PROFILES.get(name);
    if (profile == null) {
      if (!name.isEmpty()) {
        source.problem(
            p.isObject() ? "profile.name" : "profile",
            "'" + name + "' is not a profile; choose from " + String.join(", ", names()));
      }
      return;
    }
    String machine = tree.path("machine").asText(tree.path("id").asText(""));
    String line = tree.path("line").asText("");
    String ns;
    String root;
    switch (name) {
      case "simulator" -> {
        ns = namespace.orElse(SIMULATOR_NAMESPACE);
        root = path.orElse(line + "/" + machine);
      }
      case "machinery" -> {
        ns = namespace.orElse("");
        root = path.orElse("machinery:Machines/" + machine);
        if (namespace.isEmpty()) {
          source.problem(
              "profile.namespace",
              "missing (the namespace URI of the machine's object, e.g. urn:acme:presses)");
        }
      }
      default -> {
        ns = namespace.orElse("");
        root = path.orElse("");
        if (namespace.isEmpty() || path.isEmpty()) {
          source.problem(
              "profile",
              "the packml profile needs namespace and path: where the machine's PackML object"
                  + " is, e.g. {name: packml, namespace: \"urn:acme:packer\", path: Line4/PackML}");
        }
      }
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    ArrayNode signals = tree.get("signals") instanceof ArrayNode a ? a : tree.putArray("signals");
    Set<String> own = new HashSet<>();
    signals.forEach(s -> own.add(s.path("name").asText()));
    for (Signal s : profile.signals()) {
      if (own.contains(s.name())) {
        continue;
      }
      ObjectNode sig = signals.addObject();
      sig.put("name", s.name());
      sig.put("kind", s.kind());
      sig.set("browsePath", f.objectNode().put("namespace", ns).put("path", root + "/" + s.path()));
    }
    if (profile.orders().isPresent() && !tree.has("orders")) {
      ObjectNode orders = f.objectNode();
      orders.set(
          "browsePath",
          f.objectNode()
              .put("namespace", ns)
              .put("path", root + "/" + profile.orders().get().path()));
      orders.put("model", profile.orders().get().model());
      tree.set("orders", orders);
    }
    if (tree.get("production") instanceof ObjectNode production) {
      Map<String, String> d = profile.production();
      if (!production.has("state")) {
        production.set(
            "state", f.objectNode().put("signal", d.get("state")).put("model", d.get("model")));
      }
      for (String key : List.of("reason", "activeOrder", "good", "scrap")) {
        if (d.containsKey(key) && !production.has(key)) {
          production.put(key, d.get(key));
        }
      }
    }
  }
}
