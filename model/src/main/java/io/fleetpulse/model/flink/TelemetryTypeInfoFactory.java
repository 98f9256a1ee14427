package io.fleetpulse.model.flink;

import io.fleetpulse.model.Telemetry;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Flink type information for {@link Telemetry}: a POJO whose metrics map uses Flink's map
 * serializer, where Flink's reflection alone would fall back to Kryo.
 */
public final class TelemetryTypeInfoFactory extends TypeInfoFactory<Telemetry> {

  /** The type information, for operators and side outputs that name it explicitly. */
  public static final TypeInformation<Telemetry> TYPE =
      Types.POJO(
          Telemetry.class,
          Map.of(
              "deviceId", Types.STRING,
              "ts", Types.LONG,
              "seq", Types.LONG,
              "metrics", Types.MAP(Types.STRING, Types.DOUBLE)));

  @Override
  public TypeInformation<Telemetry> createTypeInfo(
      Type t, Map<String, TypeInformation<?>> genericParameters) {
    return TYPE;
  }
}
