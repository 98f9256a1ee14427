package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/** What the source makes of one Kafka record: valid telemetry, or a dead letter saying why not. */
@TypeInfo(ParsedTelemetry.TypeFactory.class)
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

  /** A POJO of the explicitly typed {@link Telemetry} and a reflective {@link DeadLetter}. */
  public static final class TypeFactory extends TypeInfoFactory<ParsedTelemetry> {
    @Override
    public TypeInformation<ParsedTelemetry> createTypeInfo(
        Type t, Map<String, TypeInformation<?>> genericParameters) {
      return Types.POJO(
          ParsedTelemetry.class,
          Map.of("telemetry", ModelTypes.TELEMETRY, "deadLetter", DeadLetters.TYPE));
    }
  }
}
