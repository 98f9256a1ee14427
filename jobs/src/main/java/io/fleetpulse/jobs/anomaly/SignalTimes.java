package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.model.Signal;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * Gives each detector signal its own {@code ts} as the record timestamp before the lifecycle. A CEP
 * pattern in processing time stamps its matches with the wall clock; in BATCH mode (a replay) the
 * lifecycle's input is sorted by record timestamp, so without this a device's pattern signals would
 * come after all its other signals instead of in device-time order. Live, alert records then carry
 * the time of their signal.
 */
final class SignalTimes {

  private SignalTimes() {}

  /** {@code signals}, stamped with their {@code ts}; no watermarks (the job uses none). */
  static DataStream<Signal> of(DataStream<Signal> signals) {
    return signals
        .assignTimestampsAndWatermarks(
            WatermarkStrategy.<Signal>noWatermarks().withTimestampAssigner(new SignalTs()))
        .name("signal-time");
  }

  /** A signal's device time. */
  static final class SignalTs implements SerializableTimestampAssigner<Signal> {
    private static final long serialVersionUID = 1L;

    @Override
    public long extractTimestamp(Signal signal, long recordTimestamp) {
      return signal.getTs();
    }
  }
}
