package io.fleetpulse.jobs.kafka;

import io.fleetpulse.model.ModelJson;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Record values as FleetPulse JSON. A named class, not {@code ModelJson::toBytes}: javac's lambda
 * deserialization does not tell apart two serializable references to one method that differ only in
 * their element type, so on the TaskManager the aggregates' sink got the telemetry sink's reference
 * and failed with a ClassCastException.
 *
 * @param <T> the record type
 */
public final class JsonValues<T> implements SerializationSchema<T> {

  private static final long serialVersionUID = 1L;

  @Override
  public byte[] serialize(T element) {
    return ModelJson.toBytes(element);
  }
}
