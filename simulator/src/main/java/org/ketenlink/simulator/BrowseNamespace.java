package org.ketenlink.simulator;

import java.util.Optional;

/**
 * The namespace of one browse-name segment of a {@link SignalDef}: the simulator's own, or one of
 * the standard namespaces whose well-known browse names the standard views use (OPC 40001-1, OPC
 * 30050, OPC 40001-3). Node ids are in the simulator's namespace, except the ISA-95 DataTypes (see
 * {@link Isa95Types}); only browse names vary.
 */
enum BrowseNamespace {
  /** {@code urn:ketenlink:simulator:fieldlab}; segments without a prefix. */
  FIELDLAB(FieldlabNamespace.NAMESPACE_URI, ""),
  /** Namespace 0, {@code ua:}, e.g. {@code ua:CurrentState} of a FiniteStateMachineType. */
  UA("http://opcfoundation.org/UA/", "ua"),
  /** OPC 40001-1 Machinery, {@code machinery:}. */
  MACHINERY("http://opcfoundation.org/UA/Machinery/", "machinery"),
  /** OPC 30050 PackML, {@code packml:}. */
  PACKML("http://opcfoundation.org/UA/PackML/", "packml"),
  /** OPC 40001-3 Machinery Job Management, {@code jobs:}. */
  JOBS("http://opcfoundation.org/UA/Machinery/Jobs/", "jobs"),
  /** OPC 10031-4 ISA95-JOBCONTROL_V2, {@code isa95:}; also the job DataTypes' node ids. */
  ISA95("http://opcfoundation.org/UA/ISA95-JOBCONTROL_V2/", "isa95");

  final String uri;
  final String prefix;

  BrowseNamespace(String uri, String prefix) {
    this.uri = uri;
    this.prefix = prefix;
  }

  /** The namespace whose prefix is {@code prefix}; {@code ""} is {@link #FIELDLAB}. */
  static Optional<BrowseNamespace> ofPrefix(String prefix) {
    for (BrowseNamespace ns : values()) {
      if (ns.prefix.equals(prefix)) {
        return Optional.of(ns);
      }
    }
    return Optional.empty();
  }

  /** {@code name} as written in a prefixed browse path, e.g. {@code machinery:Machines}. */
  String qualify(String name) {
    return prefix.isEmpty() ? name : prefix + ":" + name;
  }
}
