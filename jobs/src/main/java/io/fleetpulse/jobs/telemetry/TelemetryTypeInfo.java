package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.model.Telemetry;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The Flink type of {@link Telemetry} between TelemetryJob's operators: {@link
 * TelemetrySerializer}.
 */
public final class TelemetryTypeInfo extends TypeInformation<Telemetry> {

  private static final long serialVersionUID = 1L;

  /** The one instance. */
  public static final TelemetryTypeInfo INSTANCE = new TelemetryTypeInfo();

  @Override
  public boolean isBasicType() {
    return false;
  }

  @Override
  public boolean isTupleType() {
    return false;
  }

  @Override
  public int getArity() {
    return 1;
  }

  @Override
  public int getTotalFields() {
    return 1;
  }

  @Override
  public Class<Telemetry> getTypeClass() {
    return Telemetry.class;
  }

  @Override
  public boolean isKeyType() {
    return false;
  }

  @Override
  public TypeSerializer<Telemetry> createSerializer(SerializerConfig config) {
    return new TelemetrySerializer();
  }

  @Override
  @Deprecated
  public TypeSerializer<Telemetry> createSerializer(ExecutionConfig config) {
    return new TelemetrySerializer();
  }

  @Override
  public String toString() {
    return "TelemetryTypeInfo";
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof TelemetryTypeInfo;
  }

  @Override
  public int hashCode() {
    return TelemetryTypeInfo.class.hashCode();
  }

  @Override
  public boolean canEqual(Object obj) {
    return obj instanceof TelemetryTypeInfo;
  }
}
