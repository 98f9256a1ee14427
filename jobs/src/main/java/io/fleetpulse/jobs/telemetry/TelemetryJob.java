package io.fleetpulse.jobs.telemetry;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetterSerializationSchema;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.ModelJson;
import io.fleetpulse.model.Telemetry;
import io.fleetpulse.model.TelemetryAggregate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Raw telemetry to per-device, per-metric event-time window aggregates; anything that cannot be
 * accepted (malformed, late) to the dead-letter sink.
 *
 * <p>The job takes its source and sinks in the constructor: {@link #main} wires Kafka, tests wire
 * what they need.
 */
public final class TelemetryJob {

  private final TelemetryJobConfig config;
  private final Source<ParsedTelemetry, ?, ?> source;
  private final Sink<TelemetryAggregate> aggregateSink;
  private final Sink<DeadLetter> deadLetterSink;

  public TelemetryJob(
      TelemetryJobConfig config,
      Source<ParsedTelemetry, ?, ?> source,
      Sink<TelemetryAggregate> aggregateSink,
      Sink<DeadLetter> deadLetterSink) {
    this.config = config;
    this.source = source;
    this.aggregateSink = aggregateSink;
    this.deadLetterSink = deadLetterSink;
  }

  /** Adds the pipeline to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    WatermarkStrategy<ParsedTelemetry> watermarks =
        ValidTelemetryWatermarks.strategy(config.outOfOrderness(), config.idleness());
    DataStream<ParsedTelemetry> parsed =
        env.fromSource(source, watermarks, "telemetry-source").uid("telemetry-source");

    SingleOutputStreamOperator<Telemetry> valid =
        parsed
            .process(new TelemetryValidator(), ModelTypes.TELEMETRY)
            .name("validate")
            .uid("telemetry-validate");

    SingleOutputStreamOperator<TelemetryAggregate> aggregates =
        TelemetryWindows.aggregate(valid, config.windowSize(), config.allowedLateness());

    DataStream<DeadLetter> late =
        aggregates
            .getSideOutput(TelemetryWindows.LATE)
            .process(new LateTelemetryRouter(config.rawTopic()))
            .name("late-to-dlq")
            .uid("telemetry-late");

    aggregates.sinkTo(aggregateSink).name("aggregate-sink").uid("telemetry-aggregate-sink");
    valid
        .getSideOutput(TelemetryValidator.REJECTED)
        .union(late)
        .sinkTo(deadLetterSink)
        .name("dead-letter-sink")
        .uid("telemetry-dlq-sink");
  }

  /**
   * Runs the job against Kafka, configured from {@code --config FILE}, the environment and args.
   */
  public static void main(String[] args) throws Exception {
    TelemetryJobConfig config = TelemetryJobConfig.load(args, System.getenv());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.enableCheckpointing(config.checkpointInterval().toMillis());
    kafkaJob(config, false).build(env);
    env.execute("FleetPulse TelemetryJob");
  }

  /**
   * The job wired to Kafka as configured; {@code bounded} reads up to the current end and stops.
   */
  public static TelemetryJob kafkaJob(TelemetryJobConfig config, boolean bounded) {
    TelemetryDeserializationSchema schema =
        new TelemetryDeserializationSchema(
            config.maxPayloadBytes(), config.maxFutureSkew().toMillis());
    Source<ParsedTelemetry, ?, ?> source =
        bounded
            ? KafkaConnectors.boundedSource(config.kafka(), config.rawTopic(), schema)
            : KafkaConnectors.source(config.kafka(), config.rawTopic(), schema);
    return new TelemetryJob(
        config,
        source,
        KafkaConnectors.sink(
            config.kafka(),
            config.aggregateTopic(),
            KafkaConnectors.utf8Key(TelemetryAggregate::getDeviceId),
            ModelJson::toBytes),
        KafkaConnectors.sink(
            config.kafka(), new DeadLetterSerializationSchema(config.deadLetterTopic())));
  }
}
