package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.dlq.DeadLetter;

/** What the signal and action sources make of one Kafka record: an input, or why not. */
public class ParsedInput {

  private AlertInput input;
  private DeadLetter deadLetter;

  public ParsedInput() {}

  public static ParsedInput valid(AlertInput input) {
    ParsedInput parsed = new ParsedInput();
    parsed.input = input;
    return parsed;
  }

  public static ParsedInput invalid(DeadLetter deadLetter) {
    ParsedInput parsed = new ParsedInput();
    parsed.deadLetter = deadLetter;
    return parsed;
  }

  public AlertInput getInput() {
    return input;
  }

  public void setInput(AlertInput input) {
    this.input = input;
  }

  public DeadLetter getDeadLetter() {
    return deadLetter;
  }

  public void setDeadLetter(DeadLetter deadLetter) {
    this.deadLetter = deadLetter;
  }
}
