package io.fleetpulse.jobs.shadow;

import io.fleetpulse.connectors.kafka.topics.TopicCheck;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetterSerializationSchema;
import io.fleetpulse.jobs.kafka.KafkaConfig;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.sink.NamedSink;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Device shadows in keyed state: requests from devices and applications in; full documents, deltas,
 * responses and dead letters out. Takes its sources and sinks in the constructor: {@link #main}
 * wires Kafka, tests wire what they need.
 */
public final class ShadowJob {

  /** The {@code dlq.stage} of what this job dead-letters. */
  public static final String STAGE = "shadow-job";

  private final int maxDocumentBytes;
  private final Duration stateTtl;
  private final Source<ShadowRequest, ?, ?> reported;
  private final Source<ShadowRequest, ?, ?> desired;
  private final NamedSink<ShadowMessage> documents;
  private final NamedSink<ShadowMessage> deltas;
  private final NamedSink<ShadowMessage> responses;
  private final NamedSink<DeadLetter> deadLetters;

  /**
   * The job on the given sources and sinks; shadows of at most {@code maxDocumentBytes}, dropped
   * after {@code stateTtl} untouched ({@code null}: kept).
   */
  public ShadowJob(
      int maxDocumentBytes,
      Duration stateTtl,
      Source<ShadowRequest, ?, ?> reported,
      Source<ShadowRequest, ?, ?> desired,
      NamedSink<ShadowMessage> documents,
      NamedSink<ShadowMessage> deltas,
      NamedSink<ShadowMessage> responses,
      NamedSink<DeadLetter> deadLetters) {
    this.maxDocumentBytes = maxDocumentBytes;
    this.stateTtl = stateTtl;
    this.reported = reported;
    this.desired = desired;
    this.documents = documents;
    this.deltas = deltas;
    this.responses = responses;
    this.deadLetters = deadLetters;
  }

  /** Adds the pipeline to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    DataStream<ShadowRequest> fromDevices =
        env.fromSource(reported, WatermarkStrategy.noWatermarks(), "shadow-reported-source")
            .uid("shadow-reported-source");
    DataStream<ShadowRequest> fromApps =
        env.fromSource(desired, WatermarkStrategy.noWatermarks(), "shadow-desired-source")
            .uid("shadow-desired-source");
    SingleOutputStreamOperator<ShadowMessage> docs =
        fromDevices
            .union(fromApps)
            .keyBy(ShadowRequest::shadowKey, Types.STRING)
            .process(new ShadowFunction(maxDocumentBytes, stateTtl), ShadowMessage.TYPE)
            .name("shadows")
            .uid("shadow-state");
    docs.sinkTo(documents.sink()).name(documents.name()).uid(documents.name());
    docs.getSideOutput(ShadowFunction.DELTAS)
        .sinkTo(deltas.sink())
        .name(deltas.name())
        .uid(deltas.name());
    docs.getSideOutput(ShadowFunction.RESPONSES)
        .sinkTo(responses.sink())
        .name(responses.name())
        .uid(responses.name());
    docs.getSideOutput(ShadowFunction.DEAD_LETTERS)
        .sinkTo(deadLetters.sink())
        .name(deadLetters.name())
        .uid(deadLetters.name());
  }

  /**
   * Runs the job against Kafka, configured from {@code --config FILE}, the environment and args.
   */
  public static void main(String[] args) throws Exception {
    ShadowJobConfig config = ShadowJobConfig.load(args, System.getenv());
    // Before submission: a missing topic fails here, naming it, not in a restart loop.
    TopicCheck.requireTopics(
        config.kafka().bootstrapServers(),
        config.kafka().clientProperties(),
        config.topics(),
        "ShadowJob");
    StreamExecutionEnvironment env = JobEnvironment.create(flinkConfiguration(config));
    kafkaJob(config).build(env);
    env.execute("FleetPulse ShadowJob");
  }

  /** The Flink settings of this job. */
  public static Configuration flinkConfiguration(ShadowJobConfig config) {
    return JobEnvironment.configuration(
        config.checkpointInterval(), config.stateBackend(), config.checkpointDir());
  }

  /** The job wired to Kafka. */
  public static ShadowJob kafkaJob(ShadowJobConfig config) {
    KafkaConfig kafka = config.kafka();
    return new ShadowJob(
        config.maxDocumentBytes(),
        config.stateTtl(),
        KafkaConnectors.source(kafka, config.reportedTopic(), new ShadowRequests()),
        KafkaConnectors.source(kafka, config.desiredTopic(), new ShadowRequests()),
        kafkaSink(
            kafka,
            "shadow-documents-sink",
            ShadowMessageSerializationSchema.documents(config.shadowsTopic())),
        kafkaSink(
            kafka,
            "shadow-delta-sink",
            ShadowMessageSerializationSchema.deltas(config.deltaTopic())),
        kafkaSink(
            kafka,
            "shadow-responses-sink",
            ShadowMessageSerializationSchema.responses(config.responsesTopic())),
        new NamedSink<>(
            "shadow-dlq-sink",
            KafkaConnectors.sink(
                kafka,
                "shadow-dlq-sink",
                new DeadLetterSerializationSchema(config.deadLetterTopic(), STAGE))));
  }

  private static NamedSink<ShadowMessage> kafkaSink(
      KafkaConfig kafka, String name, ShadowMessageSerializationSchema schema) {
    return new NamedSink<>(name, KafkaConnectors.sink(kafka, name, schema));
  }
}
