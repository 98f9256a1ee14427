package io.fleetpulse.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Parses and validates one telemetry message from its JSON bytes.
 *
 * <p>A streaming parse (no tree, no reflection) because it runs once per message on the hot path;
 * every rejection names the field and what is wrong with it.
 */
public final class TelemetryParser {

  /** Default payload limit: 64 KiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;

  /** Default tolerance for device clocks running ahead: one day. */
  public static final long DEFAULT_MAX_FUTURE_SKEW_MS = 24L * 60 * 60 * 1000;

  /** 2000-01-01T00:00:00Z: anything earlier is a device whose clock was never set. */
  public static final long MIN_TS = 946_684_800_000L;

  /** Longest metric name, in characters. */
  public static final int MAX_METRIC_NAME_LENGTH = 128;

  /** What a metric name may consist of: safe in InfluxDB line protocol, JSON and Flink metrics. */
  public static final String METRIC_NAME_RULE =
      "1 to " + MAX_METRIC_NAME_LENGTH + " characters of A-Z a-z 0-9 _ . -";

  private static final JsonFactory JSON = new JsonFactory();

  private final int maxPayloadBytes;
  private final long maxFutureSkewMs;
  private final LongSupplier clock;

  public TelemetryParser() {
    this(DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_FUTURE_SKEW_MS, System::currentTimeMillis);
  }

  public TelemetryParser(int maxPayloadBytes, long maxFutureSkewMs, LongSupplier clock) {
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes must be positive: " + maxPayloadBytes);
    }
    if (maxFutureSkewMs < 0) {
      throw new IllegalArgumentException(
          "maxFutureSkewMs must not be negative: " + maxFutureSkewMs);
    }
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxFutureSkewMs = maxFutureSkewMs;
    this.clock = clock;
  }

  /**
   * Parses {@code payload}, one reading, or throws naming why it is not valid telemetry; the same
   * rules as {@link #parseAll}, which also takes batches.
   */
  public Telemetry parse(byte[] payload) throws InvalidMessageException {
    Telemetry[] one = new Telemetry[1];
    InvalidMessageException[] problem = new InvalidMessageException[1];
    parseAll(
        payload,
        new Readings() {
          @Override
          public void reading(Telemetry telemetry) {
            if (one[0] == null) {
              one[0] = telemetry;
            } else if (problem[0] == null) {
              problem[0] = batchRefused();
            }
          }

          @Override
          public void invalid(int index, InvalidMessageException e) {
            if (problem[0] == null) {
              problem[0] = batchRefused();
            }
          }
        });
    if (problem[0] != null) {
      throw problem[0];
    }
    return one[0];
  }

  private static InvalidMessageException batchRefused() {
    return new InvalidMessageException(
        RejectReason.INVALID_BATCH, "a batch of readings where one reading was expected");
  }

  /** Receives what {@link #parseAll} makes of one message. */
  public interface Readings {
    /**
     * Called once with the message's device id, before any reading: throwing refuses the whole
     * message (e.g. a device id that differs from the record key).
     */
    default void device(String deviceId) throws InvalidMessageException {}

    /** One valid reading, its device id set. */
    void reading(Telemetry telemetry);

    /** Record {@code index} of a batch is not valid; the other records are unaffected. */
    void invalid(int index, InvalidMessageException problem);
  }

  /**
   * Parses a single reading ({@code {"deviceId","ts","seq","metrics"}}) or a batch of readings
   * ({@code {"deviceId","records":[{"ts","seq","metrics"}, ...]}}, e.g. history uploaded later) and
   * hands every reading to {@code out}, a batch's in the order of their {@code ts} (so that a
   * backlog in one message moves the device's time forward as if its readings had come one by one).
   * A bad record of a batch is reported alone, with its index; a message that is bad as a whole
   * throws.
   */
  public void parseAll(byte[] payload, Readings out) throws InvalidMessageException {
    checkSize(payload);
    Telemetry top = new Telemetry();
    boolean hasTs = false;
    List<Telemetry> records = null;
    List<Integer> indexes = null;
    List<InvalidMessageException> problems = new ArrayList<>(0);
    List<Integer> problemIndexes = new ArrayList<>(0);
    try (JsonParser p = JSON.createParser(payload)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InvalidMessageException(RejectReason.NOT_JSON, "payload is not a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "deviceId":
            top.setDeviceId(readDeviceId(p, value));
            break;
          case "ts":
            top.setTs(readTs(p, value));
            hasTs = true;
            break;
          case "seq":
            top.setSeq(readSeq(p, value));
            break;
          case "metrics":
            top.setMetrics(readMetrics(p, value));
            break;
          case "records":
            if (value != JsonToken.START_ARRAY) {
              p.skipChildren();
              throw new InvalidMessageException(
                  RejectReason.INVALID_BATCH, "records must be an array, got " + describe(value));
            }
            records = new ArrayList<>();
            indexes = new ArrayList<>();
            JsonStreamContext array = p.getParsingContext();
            int index = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
              try {
                records.add(readRecord(p));
                indexes.add(index);
              } catch (InvalidMessageException e) {
                // Skip the rest of the bad record: the others of the batch are still read.
                while (p.getParsingContext() != array && p.nextToken() != null) {
                  // skipping
                }
                problems.add(e);
                problemIndexes.add(index);
              }
              index++;
            }
            break;
          default:
            p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new InvalidMessageException(
            RejectReason.NOT_JSON, "unexpected content after the JSON object");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidMessageException(
          RejectReason.NOT_JSON, "payload is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidMessageException(RejectReason.NOT_JSON, "payload could not be read: " + e);
    }
    if (top.getDeviceId() == null) {
      throw new InvalidMessageException(RejectReason.MISSING_DEVICE_ID, "deviceId is missing");
    }
    if (records == null) {
      checkReading(top, hasTs);
      out.device(top.getDeviceId());
      out.reading(top);
      return;
    }
    if (hasTs || top.getSeq() != null || top.getMetrics() != null) {
      throw new InvalidMessageException(
          RejectReason.INVALID_BATCH,
          "a batch carries ts, seq and metrics in each of its records, not beside records");
    }
    if (records.isEmpty() && problems.isEmpty()) {
      throw new InvalidMessageException(RejectReason.INVALID_BATCH, "records is empty");
    }
    out.device(top.getDeviceId());
    for (int i = 0; i < problems.size(); i++) {
      out.invalid(problemIndexes.get(i), problems.get(i));
    }
    records.sort(Comparator.comparingLong(Telemetry::getTs));
    for (Telemetry reading : records) {
      reading.setDeviceId(top.getDeviceId());
      out.reading(reading);
    }
  }

  /** One record of a batch: ts, seq and metrics; a deviceId in it is not allowed. */
  private Telemetry readRecord(JsonParser p) throws IOException, InvalidMessageException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      JsonToken token = p.currentToken();
      p.skipChildren();
      throw new InvalidMessageException(
          RejectReason.INVALID_BATCH, "a record must be an object, got " + describe(token));
    }
    Telemetry reading = new Telemetry();
    boolean hasTs = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "ts":
          reading.setTs(readTs(p, value));
          hasTs = true;
          break;
        case "seq":
          reading.setSeq(readSeq(p, value));
          break;
        case "metrics":
          reading.setMetrics(readMetrics(p, value));
          break;
        case "deviceId":
          p.skipChildren();
          throw new InvalidMessageException(
              RejectReason.INVALID_BATCH,
              "a record of a batch must not name a device: the batch's deviceId applies");
        default:
          p.skipChildren();
      }
    }
    checkReading(reading, hasTs);
    return reading;
  }

  private void checkSize(byte[] payload) throws InvalidMessageException {
    if (payload == null || payload.length == 0) {
      throw new InvalidMessageException(RejectReason.NOT_JSON, "payload is empty");
    }
    if (payload.length > maxPayloadBytes) {
      throw new InvalidMessageException(
          RejectReason.PAYLOAD_TOO_LARGE,
          "payload is " + payload.length + " bytes, the limit is " + maxPayloadBytes);
    }
  }

  private void checkReading(Telemetry reading, boolean hasTs) throws InvalidMessageException {
    if (!hasTs) {
      throw new InvalidMessageException(RejectReason.MISSING_TS, "ts is missing");
    }
    checkTsRange(reading.getTs());
    if (reading.getMetrics() == null || reading.getMetrics().isEmpty()) {
      throw new InvalidMessageException(
          RejectReason.NO_METRICS, "metrics is missing or has no entries");
    }
  }

  private static String readDeviceId(JsonParser p, JsonToken value)
      throws IOException, InvalidMessageException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      p.skipChildren();
      throw new InvalidMessageException(
          RejectReason.INVALID_DEVICE_ID, "deviceId must be a string, got " + describe(value));
    }
    return DeviceIds.require(p.getText());
  }

  private static long readTs(JsonParser p, JsonToken value)
      throws IOException, InvalidMessageException {
    switch (value) {
      case VALUE_NUMBER_INT:
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw new InvalidMessageException(
              RejectReason.INVALID_TS, "ts " + p.getText() + " is out of range");
        }
        return p.getLongValue();
      case VALUE_STRING:
        String text = p.getText();
        try {
          return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
              .toInstant()
              .toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
          throw new InvalidMessageException(
              RejectReason.INVALID_TS,
              "ts '"
                  + text
                  + "' is not ISO-8601 with a zone offset (e.g. 2025-11-28T12:00:00.123Z)");
        }
      case VALUE_NULL:
        throw new InvalidMessageException(RejectReason.MISSING_TS, "ts is null");
      default:
        p.skipChildren();
        throw new InvalidMessageException(
            RejectReason.INVALID_TS,
            "ts must be epoch milliseconds (integer) or an ISO-8601 string, got "
                + describe(value));
    }
  }

  private void checkTsRange(long ts) throws InvalidMessageException {
    if (ts < MIN_TS) {
      throw new InvalidMessageException(
          RejectReason.TS_TOO_OLD,
          "ts " + ts + " is before 2000-01-01 (epoch seconds instead of milliseconds?)");
    }
    long latest = clock.getAsLong() + maxFutureSkewMs;
    if (ts > latest) {
      throw new InvalidMessageException(
          RejectReason.TS_IN_FUTURE,
          "ts " + ts + " is more than " + maxFutureSkewMs + " ms ahead of the server clock");
    }
  }

  private static Long readSeq(JsonParser p, JsonToken value)
      throws IOException, InvalidMessageException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      p.skipChildren();
      throw new InvalidMessageException(
          RejectReason.INVALID_SEQ, "seq must be an integer, got " + describe(value));
    }
    return p.getLongValue();
  }

  private static Map<String, Double> readMetrics(JsonParser p, JsonToken value)
      throws IOException, InvalidMessageException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.START_OBJECT) {
      p.skipChildren();
      throw new InvalidMessageException(
          RejectReason.INVALID_METRIC, "metrics must be an object, got " + describe(value));
    }
    // Devices send a handful of metrics; a small table is cheaper to fill and to iterate.
    Map<String, Double> metrics = new HashMap<>(8);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken token = p.nextToken();
      if (!isValidMetricName(name)) {
        throw new InvalidMessageException(
            RejectReason.INVALID_METRIC,
            "metric name "
                + (name.length() > MAX_METRIC_NAME_LENGTH
                    ? "of " + name.length() + " characters"
                    : "'" + name + "'")
                + " is invalid: "
                + METRIC_NAME_RULE);
      }
      if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
        throw new InvalidMessageException(
            RejectReason.INVALID_METRIC,
            "metric '" + name + "' must be a number, got " + describe(token));
      }
      double v = p.getDoubleValue();
      if (!Double.isFinite(v)) {
        throw new InvalidMessageException(
            RejectReason.INVALID_METRIC, "metric '" + name + "' is not finite: " + p.getText());
      }
      metrics.put(name, v);
    }
    return metrics;
  }

  /** True for a name of {@link #METRIC_NAME_RULE}. */
  public static boolean isValidMetricName(String name) {
    if (name.isEmpty() || name.length() > MAX_METRIC_NAME_LENGTH) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    switch (token) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.toString();
    }
  }
}
