package io.fleetpulse.jobs.types;

import io.fleetpulse.model.Telemetry;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Flink type information for the model's contracts, given explicitly where Flink's reflection would
 * fall back to Kryo (maps inside POJOs); the model itself stays free of Flink.
 */
public final class ModelTypes {

  /** {@link Telemetry} as a POJO whose metrics use Flink's map serializer. */
  public static final TypeInformation<Telemetry> TELEMETRY =
      Types.POJO(
          Telemetry.class,
          Map.of(
              "deviceId", Types.STRING,
              "ts", Types.LONG,
              "seq", Types.LONG,
              "metrics", Types.MAP(Types.STRING, Types.DOUBLE)));

  private ModelTypes() {}
}
