package io.fleetpulse.jobs.telemetry;

import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * All metrics of one device in one window, kept together: one state entry and one timer per device
 * and window rather than per metric (three times faster in the benchmark of bench/results).
 */
@TypeInfo(DeviceWindowAccumulator.TypeFactory.class)
public class DeviceWindowAccumulator {

  private Map<String, MetricStats> metrics = new HashMap<>();
  private String type;
  private String site;
  private String status;
  private long tagsTs = Long.MIN_VALUE;

  public DeviceWindowAccumulator() {}

  public Map<String, MetricStats> getMetrics() {
    return metrics;
  }

  public void setMetrics(Map<String, MetricStats> metrics) {
    this.metrics = metrics;
  }

  /** Keeps the enrichment tags of the latest record by event time: a registry change shows up. */
  public void updateTags(String type, String site, String status, long ts) {
    if (ts >= tagsTs) {
      this.type = type;
      this.site = site;
      this.status = status;
      this.tagsTs = ts;
    }
  }

  /** Takes {@code other}'s tags when they are newer (for merging windows). */
  public void mergeTags(DeviceWindowAccumulator other) {
    updateTags(other.type, other.site, other.status, other.tagsTs);
  }

  public String getType() {
    return type;
  }

  public void setType(String type) {
    this.type = type;
  }

  public String getSite() {
    return site;
  }

  public void setSite(String site) {
    this.site = site;
  }

  public String getStatus() {
    return status;
  }

  public void setStatus(String status) {
    this.status = status;
  }

  public long getTagsTs() {
    return tagsTs;
  }

  public void setTagsTs(long tagsTs) {
    this.tagsTs = tagsTs;
  }

  /** Window state as a POJO with a Flink map of POJOs; reflection alone would use Kryo. */
  public static final class TypeFactory extends TypeInfoFactory<DeviceWindowAccumulator> {
    @Override
    public TypeInformation<DeviceWindowAccumulator> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return Types.POJO(
          DeviceWindowAccumulator.class,
          Map.of(
              "metrics", Types.MAP(Types.STRING, Types.POJO(MetricStats.class)),
              "type", Types.STRING,
              "site", Types.STRING,
              "status", Types.STRING,
              "tagsTs", Types.LONG));
    }
  }
}
