package io.fleetpulse.jobs.types;

import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.Threshold;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Flink type information for the model's contracts, given explicitly where Flink's reflection would
 * fall back to Kryo (maps inside POJOs); the model itself stays free of Flink.
 */
public final class ModelTypes {

  /** {@link Telemetry} as a POJO whose metrics use Flink's map serializer. */
  public static final TypeInformation<Telemetry> TELEMETRY = telemetry();

  /** {@link Device} as a POJO whose thresholds use Flink's map serializer. */
  public static final TypeInformation<Device> DEVICE = device();

  private ModelTypes() {}

  private static TypeInformation<Telemetry> telemetry() {
    Map<String, TypeInformation<?>> fields = new HashMap<>();
    fields.put("deviceId", Types.STRING);
    fields.put("ts", Types.LONG);
    fields.put("seq", Types.LONG);
    fields.put("metrics", Types.MAP(Types.STRING, Types.DOUBLE));
    fields.put("type", Types.STRING);
    fields.put("site", Types.STRING);
    fields.put("firmware", Types.STRING);
    fields.put("status", Types.STRING);
    fields.put("sourcePartition", Types.INT);
    fields.put("sourceOffset", Types.LONG);
    return Types.POJO(Telemetry.class, fields);
  }

  private static TypeInformation<Device> device() {
    Map<String, TypeInformation<?>> fields = new HashMap<>();
    fields.put("deviceId", Types.STRING);
    fields.put("type", Types.STRING);
    fields.put("site", Types.STRING);
    fields.put("firmware", Types.STRING);
    fields.put("heartbeatSeconds", Types.INT);
    fields.put("thresholds", Types.MAP(Types.STRING, Types.POJO(Threshold.class)));
    fields.put("status", Types.ENUM(DeviceStatus.class));
    return Types.POJO(Device.class, fields);
  }
}
