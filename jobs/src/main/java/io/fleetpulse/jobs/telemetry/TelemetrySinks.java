package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;

/**
 * Where the TelemetryJob writes.
 *
 * @param aggregates tumbling-window aggregates
 * @param trends sliding-window aggregates (only used when a trend window is configured)
 * @param telemetry accepted, enriched raw telemetry (may be empty)
 * @param deadLetters everything refused, with its reason
 */
public record TelemetrySinks(
    List<NamedSink<TelemetryAggregate>> aggregates,
    List<NamedSink<TelemetryAggregate>> trends,
    List<NamedSink<Telemetry>> telemetry,
    Sink<DeadLetter> deadLetters) {

  public TelemetrySinks {
    aggregates = List.copyOf(aggregates);
    trends = List.copyOf(trends);
    telemetry = List.copyOf(telemetry);
  }
}
