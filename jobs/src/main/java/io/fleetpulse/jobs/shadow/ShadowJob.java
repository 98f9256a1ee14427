package io.fleetpulse.jobs.shadow;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.sink.NamedSink;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Device shadows in keyed state: requests from devices and applications in; full documents, deltas,
 * responses and dead letters out. Takes its sources and sinks in the constructor ({@code main} with
 * Kafka wiring is still to come).
 */
public final class ShadowJob {

  /** The {@code dlq.stage} of what this job dead-letters. */
  public static final String STAGE = "shadow-job";

  private final int maxDocumentBytes;
  private final Source<ShadowRequest, ?, ?> reported;
  private final Source<ShadowRequest, ?, ?> desired;
  private final NamedSink<ShadowMessage> documents;
  private final NamedSink<ShadowMessage> deltas;
  private final NamedSink<ShadowMessage> responses;
  private final NamedSink<DeadLetter> deadLetters;

  public ShadowJob(
      int maxDocumentBytes,
      Source<ShadowRequest, ?, ?> reported,
      Source<ShadowRequest, ?, ?> desired,
      NamedSink<ShadowMessage> documents,
      NamedSink<ShadowMessage> deltas,
      NamedSink<ShadowMessage> responses,
      NamedSink<DeadLetter> deadLetters) {
    this.maxDocumentBytes = maxDocumentBytes;
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
            .process(new ShadowFunction(maxDocumentBytes), ShadowMessage.TYPE)
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
}
