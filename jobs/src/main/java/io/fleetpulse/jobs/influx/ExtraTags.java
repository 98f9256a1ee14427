package io.fleetpulse.jobs.influx;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Tags a converter adds to the points of one element, e.g. the device's type and site from
 * enrichment; null or empty values are left out.
 *
 * <pre>{@code
 * ExtraTags.tag("type", TelemetryAggregate::getType).and(ExtraTags.tag("site", TelemetryAggregate::getSite))
 * }</pre>
 */
@FunctionalInterface
public interface ExtraTags<T> extends Serializable {

  /** The value of one tag for an element, or null when it has none. */
  @FunctionalInterface
  interface TagValue<T> extends Serializable {
    String of(T element);
  }

  /** No extra tags. */
  static <T> ExtraTags<T> none() {
    return element -> Map.of();
  }

  /** One tag, left out for elements where {@code value} is null or empty. */
  static <T> ExtraTags<T> tag(String name, TagValue<T> value) {
    return element -> {
      String v = value.of(element);
      return v == null || v.isEmpty() ? Map.of() : Map.of(name, v);
    };
  }

  /** These tags and {@code more}; on the same name, {@code more} wins. */
  default ExtraTags<T> and(ExtraTags<T> more) {
    return element -> {
      Map<String, String> tags = new HashMap<>(tagsOf(element));
      tags.putAll(more.tagsOf(element));
      return tags;
    };
  }

  Map<String, String> tagsOf(T element);
}
