package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.model.Telemetry;

/** What the source makes of one Kafka record: valid telemetry, or a dead letter saying why not. */
public class ParsedTelemetry {

  private Telemetry telemetry;
  private DeadLetter deadLetter;

  public ParsedTelemetry() {}

  public static ParsedTelemetry valid(Telemetry telemetry) {
    ParsedTelemetry parsed = new ParsedTelemetry();
    parsed.telemetry = telemetry;
    return parsed;
  }

  public static ParsedTelemetry invalid(DeadLetter deadLetter) {
    ParsedTelemetry parsed = new ParsedTelemetry();
    parsed.deadLetter = deadLetter;
    return parsed;
  }

  public boolean isValid() {
    return telemetry != null;
  }

  public Telemetry getTelemetry() {
    return telemetry;
  }

  public void setTelemetry(Telemetry telemetry) {
    this.telemetry = telemetry;
  }

  public DeadLetter getDeadLetter() {
    return deadLetter;
  }

  public void setDeadLetter(DeadLetter deadLetter) {
    this.deadLetter = deadLetter;
  }

  @Override
  public String toString() {
    return isValid() ? telemetry.toString() : String.valueOf(deadLetter);
  }
}
