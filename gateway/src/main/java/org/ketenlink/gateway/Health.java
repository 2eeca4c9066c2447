package org.ketenlink.gateway;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An answer to "is it up?" for the admin API, with details for the operator.
 *
 * @param up whether the checked thing is up (health) or ready (readiness)
 * @param details values serialised as JSON next to the status, in their insertion order
 */
record Health(boolean up, Map<String, Object> details) {

  Health {
    Objects.requireNonNull(details, "details");
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  static Health up(Map<String, Object> details) {
    return new Health(true, details);
  }

  static Health down(Map<String, Object> details) {
    return new Health(false, details);
  }
}
