package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.common.Utf8;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.RejectReason;
import io.fleetpulse.model.Telemetry;
import java.util.Arrays;

/** The TelemetryJob's own dead-letter headers and helpers, on top of {@link DeadLetters}. */
public final class TelemetryDeadLetters {

  /** Header: the index of the refused record inside a batch message ({@code records[i]}). */
  public static final String RECORD_INDEX = "dlq.record.index";

  /**
   * Header: {@code re-encoded} when the value is the telemetry re-encoded as JSON because the
   * original record could not be read back from its source (see {@link OriginalRecords}).
   */
  public static final String ORIGINAL = "dlq.original";

  /** The value of {@link #ORIGINAL} on a letter whose value is not the original bytes. */
  public static final String REENCODED = "re-encoded";

  private TelemetryDeadLetters() {}

  /** {@code letter} with the {@link #RECORD_INDEX} header added. */
  public static DeadLetter withRecordIndex(DeadLetter letter, int index) {
    return withHeader(letter, RECORD_INDEX, Utf8.bytes(Integer.toString(index)));
  }

  /**
   * A dead letter of telemetry refused after parsing: re-encoded JSON and marked {@link
   * #REENCODED}, with the source coordinates, until {@link OriginalRecords} puts the original bytes
   * and headers back.
   */
  public static DeadLetter of(
      Telemetry telemetry, RejectReason reason, String detail, String sourceTopic) {
    return withHeader(
        DeadLetters.of(telemetry, reason, detail, sourceTopic), ORIGINAL, Utf8.bytes(REENCODED));
  }

  /** True for a letter made by {@link #of} that still carries re-encoded JSON. */
  public static boolean isReencoded(DeadLetter letter) {
    String[] names = letter.getHeaderNames();
    if (names == null) {
      return false;
    }
    for (String name : names) {
      if (ORIGINAL.equals(name)) {
        return true;
      }
    }
    return false;
  }

  static DeadLetter withHeader(DeadLetter letter, String name, byte[] value) {
    String[] names = letter.getHeaderNames() == null ? new String[0] : letter.getHeaderNames();
    byte[][] values = letter.getHeaderValues() == null ? new byte[0][] : letter.getHeaderValues();
    String[] moreNames = Arrays.copyOf(names, names.length + 1);
    byte[][] moreValues = Arrays.copyOf(values, values.length + 1);
    moreNames[names.length] = name;
    moreValues[values.length] = value;
    letter.setHeaderNames(moreNames);
    letter.setHeaderValues(moreValues);
    return letter;
  }
}
