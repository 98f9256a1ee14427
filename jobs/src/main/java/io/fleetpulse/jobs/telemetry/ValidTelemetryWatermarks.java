package io.fleetpulse.jobs.telemetry;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Bounded-out-of-orderness watermarks that only valid telemetry moves: a rejected record's time is
 * not event time, and must not push the watermark past real data.
 */
public final class ValidTelemetryWatermarks implements WatermarkGenerator<ParsedTelemetry> {

  private final BoundedOutOfOrdernessWatermarks<ParsedTelemetry> delegate;

  public ValidTelemetryWatermarks(Duration outOfOrderness) {
    this.delegate = new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
  }

  /**
   * The strategy for the source: event time of valid records, bounded out-of-orderness, and
   * partitions without data for {@code idleness} marked idle so that they do not hold windows back.
   */
  public static WatermarkStrategy<ParsedTelemetry> strategy(
      Duration outOfOrderness, Duration idleness) {
    return WatermarkStrategy.<ParsedTelemetry>forGenerator(
            ctx -> new ValidTelemetryWatermarks(outOfOrderness))
        .withTimestampAssigner(
            (record, recordTs) -> record.isValid() ? record.getTelemetry().getTs() : recordTs)
        .withIdleness(idleness);
  }

  @Override
  public void onEvent(ParsedTelemetry event, long eventTimestamp, WatermarkOutput output) {
    if (event.isValid()) {
      delegate.onEvent(event, eventTimestamp, output);
    }
  }

  @Override
  public void onPeriodicEmit(WatermarkOutput output) {
    delegate.onPeriodicEmit(output);
  }
}
