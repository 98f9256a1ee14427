package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Telemetry;
import java.util.HashMap;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Passes a device's readings to a CEP rule's operator only while one of its matches could complete
 * there, so the pattern keeps no partial match that cannot end in a match.
 *
 * <p>Each CEP rule starts a partial match at nearly every reading (RAPID_CHANGE keeps one per
 * reading of its window, and its conditions walk them all), which costs the same when nothing is
 * wrong: most of the time. A gate knows, from a few numbers per device, when no match is possible:
 * then it holds the readings back ("closed"). When a match becomes possible it sends a {@link
 * #isBreak break} (which ends every partial match left from before), then the readings held back
 * that a match could still start from, then the reading itself, and stays open, forwarding
 * everything, until no match is possible again. The operator then finds exactly the matches it
 * finds on the whole stream (each gate says why for its rule; {@code PatternGatesIT} checks it on
 * random streams).
 *
 * <p>Readings arrive in each device's time order ({@link ReadingOrder}): the gates rely on it.
 */
abstract class PatternGate<R extends SequenceRule>
    extends KeyedProcessFunction<String, Telemetry, Telemetry> {

  static final TypeInformation<GateReadings> STATE = Types.POJO(GateReadings.class);

  final R rule;
  private transient ValueState<GateReadings> state;
  private transient Counter opened;
  private transient Counter replayed;

  PatternGate(R rule) {
    this.rule = rule;
  }

  /**
   * The readings of {@code ordered} as {@code gate} passes them on, keyed by device again; all of
   * them in BATCH mode (a replay), which sorts each keyed input by timestamp and would reorder a
   * gate's replays (they go back in time).
   */
  static KeyedStream<Telemetry, String> gate(
      KeyedStream<Telemetry, String> ordered, PatternGate<?> gate, String uid) {
    RuntimeExecutionMode mode =
        ordered.getExecutionEnvironment().getConfiguration().get(ExecutionOptions.RUNTIME_MODE);
    if (mode != RuntimeExecutionMode.STREAMING) {
      return ordered;
    }
    return DataStreamUtils.reinterpretAsKeyedStream(
        ordered.process(gate, ModelTypes.TELEMETRY).name(uid).uid(uid),
        Telemetry::getDeviceId,
        Types.STRING);
  }

  /**
   * The reading a gate sends before a replay: no metrics (it starts no match and fails every
   * condition), the largest ts (past every window).
   */
  static boolean isBreak(Telemetry reading) {
    return reading.getTs() == Long.MAX_VALUE && reading.getMetrics().isEmpty();
  }

  @Override
  public void open(OpenContext openContext) {
    state = getRuntimeContext().getState(new ValueStateDescriptor<>("pattern-gate", STATE));
    opened = getRuntimeContext().getMetricGroup().counter("gateOpened");
    replayed = getRuntimeContext().getMetricGroup().counter("gateReplayed");
  }

  @Override
  public void processElement(Telemetry reading, Context ctx, Collector<Telemetry> out)
      throws Exception {
    GateReadings gate = state.value();
    if (gate == null) {
      gate = new GateReadings();
    }
    pass(reading, reading.getMetrics().get(rule.metric()), gate, out);
    state.update(gate);
  }

  /**
   * Forwards {@code reading} or holds it back, updating {@code gate}; {@code value} is its metric.
   */
  abstract void pass(Telemetry reading, Double value, GateReadings gate, Collector<Telemetry> out);

  /** Opens the gate: a break, the readings held back from {@code from} on, then {@code reading}. */
  final void open(Telemetry reading, GateReadings gate, int from, Collector<Telemetry> out) {
    String deviceId = reading.getDeviceId();
    out.collect(breakOf(deviceId));
    for (int i = from; i < gate.size; i++) {
      out.collect(gate.reading(i, deviceId, rule.metric()));
    }
    out.collect(reading);
    gate.open = true;
    opened.inc();
    replayed.inc(gate.size - from);
  }

  /** Closes the gate with a break, so that the operator keeps no partial match while it waits. */
  final void close(Telemetry reading, GateReadings gate, Collector<Telemetry> out) {
    out.collect(breakOf(reading.getDeviceId()));
    gate.open = false;
  }

  private static Telemetry breakOf(String deviceId) {
    return new Telemetry(deviceId, Long.MAX_VALUE, null, new HashMap<>(0));
  }
}
