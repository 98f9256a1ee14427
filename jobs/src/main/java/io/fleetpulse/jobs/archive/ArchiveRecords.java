package io.fleetpulse.jobs.archive;

import io.fleetpulse.model.Telemetry;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The archive's row: one per device message, its metrics in a map — the shape of the device's
 * payload and of the SQL rules' {@code telemetry} table, so one message stays one row and a query
 * over several metrics of a reading needs no pivot.
 */
public final class ArchiveRecords {

  /** The Avro schema the Parquet files are written with. */
  public static final Schema SCHEMA =
      SchemaBuilder.record("Telemetry")
          .namespace("io.fleetpulse.archive")
          .fields()
          .requiredString("deviceId")
          .name("ts")
          .type(LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG)))
          .noDefault()
          .optionalLong("seq")
          .name("metrics")
          .type()
          .map()
          .values()
          .doubleType()
          .noDefault()
          .optionalString("type")
          .optionalString("site")
          .optionalString("firmware")
          .optionalString("status")
          .endRecord();

  private ArchiveRecords() {}

  /** {@code telemetry} as an archive row. */
  public static GenericRecord toRecord(Telemetry telemetry) {
    GenericData.Record r = new GenericData.Record(SCHEMA);
    r.put("deviceId", telemetry.getDeviceId());
    r.put("ts", telemetry.getTs());
    r.put("seq", telemetry.getSeq());
    Map<String, Double> metrics = telemetry.getMetrics();
    r.put("metrics", metrics == null ? Map.of() : new HashMap<>(metrics));
    r.put("type", telemetry.getType());
    r.put("site", telemetry.getSite());
    r.put("firmware", telemetry.getFirmware());
    r.put("status", telemetry.getStatus());
    return r;
  }
}
