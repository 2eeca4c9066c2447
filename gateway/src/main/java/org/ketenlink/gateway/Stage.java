package org.ketenlink.gateway;

import java.util.Locale;

/** The stages of the data path, in order; their names appear in logs and metric tags. */
enum Stage {
  SOURCE,
  NORMALISE,
  DERIVE,
  SHARE,
  JOURNAL,
  LINK;

  String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
