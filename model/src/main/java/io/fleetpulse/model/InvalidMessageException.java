package io.fleetpulse.model;

/** A message that cannot be accepted, with the reason code and a precise, human-readable detail. */
public final class InvalidMessageException extends Exception {

  private final RejectReason reason;

  public InvalidMessageException(RejectReason reason, String detail) {
    // Bad input is routine and counted; a stack trace per message would cost more than the parse.
    super(detail, null, false, false);
    this.reason = reason;
  }

  public RejectReason reason() {
    return reason;
  }
}
