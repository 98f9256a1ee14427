package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.Telemetry;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Passes valid telemetry on and sends rejected records to the dead-letter side output, counting
 * them per reason ({@code telemetryRejected} with a {@code reason} label; accepted records are
 * Flink's own {@code numRecordsOut} of this operator).
 */
public final class TelemetryValidator extends ProcessFunction<ParsedTelemetry, Telemetry> {

  /** The side output of rejected records. */
  public static final OutputTag<DeadLetter> REJECTED =
      new OutputTag<>("telemetry-rejected", DeadLetters.TYPE);

  private transient Map<String, Counter> rejectedByReason;

  @Override
  public void open(OpenContext openContext) {
    rejectedByReason = new HashMap<>();
  }

  @Override
  public void processElement(ParsedTelemetry record, Context ctx, Collector<Telemetry> out) {
    if (record.isValid()) {
      out.collect(record.getTelemetry());
      return;
    }
    DeadLetter letter = record.getDeadLetter();
    rejectedByReason
        .computeIfAbsent(
            letter.getReason(),
            reason ->
                getRuntimeContext()
                    .getMetricGroup()
                    .addGroup("reason", reason)
                    .counter("telemetryRejected"))
        .inc();
    ctx.output(REJECTED, letter);
  }
}
