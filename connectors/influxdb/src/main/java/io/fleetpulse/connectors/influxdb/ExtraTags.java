package io.fleetpulse.connectors.influxdb;

import java.io.Serializable;
import java.util.Map;

/**
 * Tags a converter adds to the points of one element, e.g. the device's type and site from
 * enrichment; null or empty values are left out.
 */
@FunctionalInterface
public interface ExtraTags<T> extends Serializable {

  /** No extra tags. */
  static <T> ExtraTags<T> none() {
    return element -> Map.of();
  }

  Map<String, String> tagsOf(T element);
}
