package io.fleetpulse.jobs.archive;

import io.fleetpulse.model.Telemetry;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.functions.sink.filesystem.BucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.SimpleVersionedStringSerializer;

/**
 * Buckets {@code dt=YYYY-MM-DD/hour=HH} by the record's event time in UTC — not by when it was
 * written — so a replay or a late upload lands in the same partition as the live data did.
 */
public final class EventTimeBuckets implements BucketAssigner<Telemetry, String> {

  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter PARTITION =
      DateTimeFormatter.ofPattern("'dt='yyyy-MM-dd'/hour='HH").withZone(ZoneOffset.UTC);

  @Override
  public String getBucketId(Telemetry element, Context context) {
    return PARTITION.format(Instant.ofEpochMilli(element.getTs()));
  }

  @Override
  public SimpleVersionedSerializer<String> getSerializer() {
    return SimpleVersionedStringSerializer.INSTANCE;
  }
}
