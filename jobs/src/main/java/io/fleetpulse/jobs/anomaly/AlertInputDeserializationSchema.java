package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.AlertAction;
import io.fleetpulse.model.InvalidMessageException;
import io.fleetpulse.model.Signal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads {@code iot.alert.signals} or {@code iot.alert.actions}; a record that breaks the contract
 * becomes a dead letter with the reason instead of failing the job.
 */
public final class AlertInputDeserializationSchema
    implements KafkaRecordDeserializationSchema<ParsedInput> {

  /** Which contract the topic carries. */
  public enum Kind {
    SIGNAL,
    ACTION
  }

  private final Kind kind;

  public AlertInputDeserializationSchema(Kind kind) {
    this.kind = kind;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedInput> out) {
    try {
      AlertInput input =
          kind == Kind.SIGNAL
              ? AlertInput.of(Signal.parse(record.value()))
              : AlertInput.of(AlertAction.parse(record.value()));
      out.collect(ParsedInput.valid(input));
    } catch (InvalidMessageException e) {
      out.collect(ParsedInput.invalid(DeadLetters.of(record, e.reason(), e.getMessage())));
    }
  }

  @Override
  public TypeInformation<ParsedInput> getProducedType() {
    return AnomalyTypes.PARSED_INPUT;
  }
}
