package io.fleetpulse.jobs.shadow;

import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.model.shadow.ShadowEngine;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps one shadow per key (device, or device plus shadow name) and applies update, get and delete
 * requests to it with {@link ShadowEngine}: full documents on the main output, deltas and AWS
 * responses on side outputs, unaddressable records to the dead letters.
 *
 * <p>The shadow is one JSON string in a {@code ValueState}: one state entry per shadow (cheap on
 * RocksDB, at most a few KiB by the document limit) and no Kryo. An optional time-to-live drops
 * shadows nobody touched for long.
 */
public final class ShadowFunction
    extends KeyedProcessFunction<String, ShadowRequest, ShadowMessage> {

  /** Delta documents, for {@code iot.shadow.delta}. */
  public static final OutputTag<ShadowMessage> DELTAS =
      new OutputTag<>("shadow-deltas", ShadowMessage.TYPE);

  /** Accepted and rejected responses, for {@code iot.shadow.responses}. */
  public static final OutputTag<ShadowMessage> RESPONSES =
      new OutputTag<>("shadow-responses", ShadowMessage.TYPE);

  /** Records that name no shadow. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS =
      new OutputTag<>("shadow-dead-letters", DeadLetters.TYPE);

  /** The message kind of a full document on the main output. */
  public static final String DOCUMENT = "document";

  /** The message kind of a delta. */
  public static final String DELTA = "delta";

  private final int maxDocumentBytes;
  private final Duration stateTtl;
  private transient ShadowEngine engine;
  private transient ValueState<String> shadow;
  private transient Counter accepted;
  private transient Counter rejected;
  private transient Counter deltas;
  private transient Counter deadLetters;

  /** Shadows kept until deleted. */
  public ShadowFunction(int maxDocumentBytes) {
    this(maxDocumentBytes, null);
  }

  /**
   * Shadows of at most {@code maxDocumentBytes} of state; one not written (updated, deleted) nor
   * read for {@code stateTtl} is dropped from state ({@code null}: never).
   */
  public ShadowFunction(int maxDocumentBytes, Duration stateTtl) {
    this.maxDocumentBytes = maxDocumentBytes;
    this.stateTtl = stateTtl;
  }

  /** The state of one shadow, with the time-to-live when there is one. */
  static ValueStateDescriptor<String> stateDescriptor(Duration stateTtl) {
    ValueStateDescriptor<String> descriptor = new ValueStateDescriptor<>("shadow", Types.STRING);
    if (stateTtl != null) {
      // Processing time: a shadow is "untouched" by the wall clock. Reads refresh it too, so a
      // device that only asks (get) keeps its shadow. The backends' default background cleanup
      // applies (RocksDB: the compaction filter; heap: incremental), and expired entries are
      // never returned, so an expired shadow answers 404 even before it is cleaned up.
      descriptor.enableTimeToLive(
          StateTtlConfig.newBuilder(stateTtl)
              .updateTtlOnReadAndWrite()
              .neverReturnExpired()
              .useProcessingTime()
              .build());
    }
    return descriptor;
  }

  @Override
  public void open(OpenContext openContext) {
    engine = new ShadowEngine(maxDocumentBytes);
    shadow = getRuntimeContext().getState(stateDescriptor(stateTtl));
    accepted = getRuntimeContext().getMetricGroup().counter("shadowRequestsAccepted");
    rejected = getRuntimeContext().getMetricGroup().counter("shadowRequestsRejected");
    deltas = getRuntimeContext().getMetricGroup().counter("shadowDeltas");
    deadLetters = getRuntimeContext().getMetricGroup().counter("shadowDeadLetters");
  }

  @Override
  public void processElement(ShadowRequest request, Context ctx, Collector<ShadowMessage> out)
      throws Exception {
    if (request.getDeadLetter() != null) {
      deadLetters.inc();
      ctx.output(DEAD_LETTERS, request.getDeadLetter());
      return;
    }
    long now = ctx.timerService().currentProcessingTime() / 1000;
    ShadowStep.Result result = ShadowStep.apply(engine, shadow.value(), request, now);
    for (ShadowMessage response : result.responses()) {
      ctx.output(RESPONSES, response);
    }
    if (result.rejected()) {
      rejected.inc();
    } else {
      accepted.inc();
    }
    if (result.stored() == null) {
      return;
    }
    shadow.update(result.stored());
    if (result.delta() != null) {
      deltas.inc();
      ctx.output(DELTAS, result.delta());
    }
    out.collect(result.document());
  }
}
