package io.fleetpulse.jobs.anomaly;

import io.fleetpulse.connectors.kafka.topics.TopicCheck;
import io.fleetpulse.jobs.dlq.DeadLetter;
import io.fleetpulse.jobs.dlq.DeadLetterSerializationSchema;
import io.fleetpulse.jobs.dlq.DeadLetters;
import io.fleetpulse.jobs.enrich.DeviceRegistry;
import io.fleetpulse.jobs.kafka.JsonValues;
import io.fleetpulse.jobs.kafka.KafkaConnectors;
import io.fleetpulse.jobs.registry.DeviceUpdate;
import io.fleetpulse.jobs.registry.DeviceUpdateDeserializationSchema;
import io.fleetpulse.jobs.registry.RegistryWatermarks;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.sink.NamedSink;
import io.fleetpulse.jobs.telemetry.ParsedTelemetry;
import io.fleetpulse.jobs.telemetry.TelemetryDeserializationSchema;
import io.fleetpulse.jobs.types.ModelTypes;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.Signal;
import io.fleetpulse.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Detectors (THRESHOLD and METRIC_MISSING on keyed state; RISING, RAPID_CHANGE and STUCK_SENSOR as
 * CEP patterns; DEVICE_OFFLINE on timers) and external signals into the one alert lifecycle, which
 * writes every transition to the alert sinks; refused signals and actions go to the dead letters.
 *
 * <p>The job takes its sources and sinks in the constructor: {@link #main} wires Kafka, tests wire
 * what they need.
 */
public final class AnomalyJob {

  /** The {@code dlq.stage} of what this job dead-letters. */
  public static final String STAGE = "anomaly-job";

  /** Refused signals and actions. */
  static final OutputTag<DeadLetter> REFUSED =
      new OutputTag<>("alert-input-refused", DeadLetters.TYPE);

  private final AnomalyJobConfig config;
  private final Source<ParsedTelemetry, ?, ?> telemetrySource;
  private final Source<DeviceUpdate, ?, ?> registrySource;
  private final Source<ParsedInput, ?, ?> signalSource;
  private final Source<ParsedInput, ?, ?> actionSource;
  private final List<NamedSink<Alert>> alertSinks;
  private final Sink<DeadLetter> deadLetters;
  private final boolean detectorsOn;

  public AnomalyJob(
      AnomalyJobConfig config,
      Source<ParsedTelemetry, ?, ?> telemetrySource,
      Source<DeviceUpdate, ?, ?> registrySource,
      Source<ParsedInput, ?, ?> signalSource,
      Source<ParsedInput, ?, ?> actionSource,
      List<NamedSink<Alert>> alertSinks,
      Sink<DeadLetter> deadLetters) {
    this(
        config,
        telemetrySource,
        registrySource,
        signalSource,
        actionSource,
        alertSinks,
        deadLetters,
        true);
  }

  private AnomalyJob(
      AnomalyJobConfig config,
      Source<ParsedTelemetry, ?, ?> telemetrySource,
      Source<DeviceUpdate, ?, ?> registrySource,
      Source<ParsedInput, ?, ?> signalSource,
      Source<ParsedInput, ?, ?> actionSource,
      List<NamedSink<Alert>> alertSinks,
      Sink<DeadLetter> deadLetters,
      boolean detectorsOn) {
    this.detectorsOn = detectorsOn;
    this.config = config;
    this.telemetrySource = telemetrySource;
    this.registrySource = registrySource;
    this.signalSource = signalSource;
    this.actionSource = actionSource;
    this.alertSinks = List.copyOf(alertSinks);
    this.deadLetters = deadLetters;
  }

  /**
   * The same job with every detector replaced by a pass-through that reads each ordered reading and
   * signals nothing: the baseline of the benchmark.
   */
  public AnomalyJob withDetectorsPassedThrough() {
    return new AnomalyJob(
        config,
        telemetrySource,
        registrySource,
        signalSource,
        actionSource,
        alertSinks,
        deadLetters,
        false);
  }

  /** The same job writing its alerts to {@code sink} too. */
  public AnomalyJob withExtraAlertSink(NamedSink<Alert> sink) {
    List<NamedSink<Alert>> sinks = new ArrayList<>(alertSinks);
    sinks.add(sink);
    return new AnomalyJob(
        config,
        telemetrySource,
        registrySource,
        signalSource,
        actionSource,
        sinks,
        deadLetters,
        detectorsOn);
  }

  /** Adds the pipeline to {@code env}. */
  public void build(StreamExecutionEnvironment env) {
    // Detectors run on each device's own time (state and processing-time timers), not on
    // watermarks: one device's clock never holds back another's alerts.
    DataStream<Telemetry> telemetry =
        env.fromSource(telemetrySource, WatermarkStrategy.noWatermarks(), "telemetry-source")
            .uid("anomaly-telemetry-source")
            .flatMap(new ValidTelemetry(), ModelTypes.TELEMETRY)
            .name("valid-telemetry")
            .uid("anomaly-valid-telemetry");
    KeyedStream<Telemetry, String> byDevice = telemetry.keyBy(Telemetry::getDeviceId, Types.STRING);

    BroadcastStream<DeviceUpdate> registry =
        env.fromSource(registrySource, RegistryWatermarks.strategy(), "device-registry")
            .uid("anomaly-device-registry-source")
            .setParallelism(1)
            .broadcast(DeviceRegistry.STATE);

    KeyedStream<Telemetry, String> ordered =
        DataStreamUtils.reinterpretAsKeyedStream(
            byDevice
                .connect(registry)
                .process(new ReadingOrder(config.outOfOrderness().toMillis()), ModelTypes.TELEMETRY)
                .name("reading-order")
                .uid("anomaly-reading-order"),
            Telemetry::getDeviceId,
            Types.STRING);

    List<DataStream<Signal>> signals = new ArrayList<>();
    if (!detectorsOn) {
      signals.add(
          ordered
              .process(new PassThrough(), AnomalyTypes.SIGNAL)
              .name("pass-through")
              .uid("anomaly-pass-through"));
    } else {
      addDetectors(byDevice, ordered, registry, signals);
    }

    SingleOutputStreamOperator<AlertInput> external =
        env.fromSource(signalSource, WatermarkStrategy.noWatermarks(), "signal-source")
            .uid("anomaly-signal-source")
            .process(new SplitRefused(), AnomalyTypes.INPUT)
            .name("signals")
            .uid("anomaly-signals");
    SingleOutputStreamOperator<AlertInput> actions =
        env.fromSource(actionSource, WatermarkStrategy.noWatermarks(), "action-source")
            .uid("anomaly-action-source")
            .process(new SplitRefused(), AnomalyTypes.INPUT)
            .name("actions")
            .uid("anomaly-actions");

    DataStream<AlertInput> inputs = external.union(actions);
    for (DataStream<Signal> detected : signals) {
      inputs =
          inputs.union(
              SignalTimes.of(detected).map(new ToInput(), AnomalyTypes.INPUT).name("to-input"));
    }

    SingleOutputStreamOperator<Alert> alerts =
        inputs
            .keyBy(AlertInput::deviceId, Types.STRING)
            .process(
                new AlertLifecycleFunction(
                    config.lifecycle().withEscalations(config.rules().escalations())),
                AnomalyTypes.ALERT)
            .name("alert-lifecycle")
            .uid("anomaly-alert-lifecycle");
    for (NamedSink<Alert> sink : alertSinks) {
      alerts.sinkTo(sink.sink()).name(sink.name()).uid(sink.name());
    }
    external
        .getSideOutput(REFUSED)
        .union(actions.getSideOutput(REFUSED))
        .sinkTo(deadLetters)
        .name("anomaly-dlq-sink")
        .uid("anomaly-dlq-sink");
  }

  private void addDetectors(
      KeyedStream<Telemetry, String> byDevice,
      KeyedStream<Telemetry, String> ordered,
      BroadcastStream<DeviceUpdate> registry,
      List<DataStream<Signal>> signals) {
    // Offline looks at arrival (any message is a sign of life); the rest at the ordered readings.
    signals.add(
        byDevice
            .connect(registry)
            .process(
                new OfflineDetector(
                    config.offlineHeartbeat(), config.offlineFactor(), config.offlineSeverity()),
                AnomalyTypes.SIGNAL)
            .name("offline-detector")
            .uid("anomaly-offline-detector"));
    AnomalyRules rules = config.rules();
    if (!rules.thresholds().isEmpty()) {
      signals.add(
          ordered
              .connect(registry)
              .process(new ThresholdDetector(rules.thresholds()), AnomalyTypes.SIGNAL)
              .name("threshold-detector")
              .uid("anomaly-threshold-detector"));
    }
    if (!rules.metricMissing().isEmpty()) {
      signals.add(
          ordered
              .process(new MetricMissingDetector(rules.metricMissing()), AnomalyTypes.SIGNAL)
              .name("metric-missing-detector")
              .uid("anomaly-metric-missing-detector"));
    }
    for (RisingRule rule : rules.rising()) {
      signals.add(
          RisingPattern.detect(
                  PatternGate.gate(
                      ordered, new RisingGate(rule), "anomaly-gate-rising-" + rule.name()),
                  rule)
              .name("rising-" + rule.name())
              .uid("anomaly-rising-" + rule.name()));
    }
    for (RapidChangeRule rule : rules.rapidChanges()) {
      signals.add(
          RapidChangePattern.detect(
                  PatternGate.gate(
                      ordered,
                      new RapidChangeGate(rule),
                      "anomaly-gate-rapid-change-" + rule.name()),
                  rule)
              .name("rapid-change-" + rule.name())
              .uid("anomaly-rapid-change-" + rule.name()));
    }
    for (StuckSensorRule rule : rules.stuckSensors()) {
      signals.add(
          StuckSensorPattern.detect(
                  PatternGate.gate(
                      ordered,
                      new StuckSensorGate(rule),
                      "anomaly-gate-stuck-sensor-" + rule.name()),
                  rule)
              .name("stuck-sensor-" + rule.name())
              .uid("anomaly-stuck-sensor-" + rule.name()));
    }
  }

  /**
   * Runs the job against Kafka, configured from {@code --config FILE}, the environment and args.
   */
  public static void main(String[] args) throws Exception {
    AnomalyJobConfig config = AnomalyJobConfig.load(args, System.getenv());
    TopicCheck.requireTopics(
        config.kafka().bootstrapServers(),
        config.kafka().clientProperties(),
        config.topics(),
        "AnomalyJob");
    StreamExecutionEnvironment env = JobEnvironment.create(flinkConfiguration(config));
    kafkaJob(config).build(env);
    env.execute("FleetPulse AnomalyJob");
  }

  /** The Flink settings of this job. */
  public static Configuration flinkConfiguration(AnomalyJobConfig config) {
    Configuration conf =
        JobEnvironment.configuration(
            config.checkpointInterval(), config.stateBackend(), config.checkpointDir());
    // Alerts are few: their channels never fill a buffer, so each of the job's shuffles would
    // hold an alert until the timeout (Flink's default 100 ms); under load buffers fill first.
    conf.set(ExecutionOptions.BUFFER_TIMEOUT, config.bufferTimeout());
    return conf;
  }

  /** The job wired to Kafka. */
  public static AnomalyJob kafkaJob(AnomalyJobConfig config) {
    var telemetry =
        KafkaConnectors.source(
            config.kafka(),
            config.telemetryTopic(),
            new TelemetryDeserializationSchema(
                config.maxPayloadBytes(), config.maxFutureSkew().toMillis()));
    var registry =
        KafkaConnectors.broadcastSource(
            config.kafka(), config.devicesTopic(), new DeviceUpdateDeserializationSchema());
    var signals =
        KafkaConnectors.source(
            config.kafka(),
            config.signalsTopic(),
            new AlertInputDeserializationSchema(AlertInputDeserializationSchema.Kind.SIGNAL));
    var actions =
        KafkaConnectors.source(
            config.kafka(),
            config.actionsTopic(),
            new AlertInputDeserializationSchema(AlertInputDeserializationSchema.Kind.ACTION));
    return new AnomalyJob(
        config,
        telemetry,
        registry,
        signals,
        actions,
        List.of(kafkaAlertSink(config)),
        kafkaDeadLetterSink(config));
  }

  /** The alert topic's sink, keyed by device id (also the replay's). */
  public static NamedSink<Alert> kafkaAlertSink(AnomalyJobConfig config) {
    return new NamedSink<>(
        "anomaly-alert-sink",
        KafkaConnectors.sink(
            config.kafka(),
            "anomaly-alert-sink",
            config.alertsTopic(),
            KafkaConnectors.utf8Key(Alert::getDeviceId),
            new JsonValues<>()));
  }

  /** The job's dead-letter topic's sink (also the replay's). */
  public static Sink<DeadLetter> kafkaDeadLetterSink(AnomalyJobConfig config) {
    return KafkaConnectors.sink(
        config.kafka(),
        "anomaly-dlq-sink",
        new DeadLetterSerializationSchema(config.deadLetterTopic(), STAGE));
  }

  /**
   * Valid telemetry only: the TelemetryJob dead-letters what does not parse, so this job only
   * counts it.
   */
  static final class ValidTelemetry
      extends org.apache.flink.api.common.functions.RichFlatMapFunction<
          ParsedTelemetry, Telemetry> {
    private static final long serialVersionUID = 1L;
    private transient Counter invalid;

    @Override
    public void open(OpenContext openContext) {
      invalid = getRuntimeContext().getMetricGroup().counter("telemetryInvalid");
    }

    @Override
    public void flatMap(ParsedTelemetry parsed, Collector<Telemetry> out) {
      if (parsed.isValid()) {
        out.collect(parsed.getTelemetry());
      } else {
        invalid.inc();
      }
    }
  }

  /** Inputs on, refusals to {@link #REFUSED}, counted. */
  static final class SplitRefused extends ProcessFunction<ParsedInput, AlertInput> {
    private static final long serialVersionUID = 1L;
    private transient Counter refused;

    @Override
    public void open(OpenContext openContext) {
      refused = getRuntimeContext().getMetricGroup().counter("alertInputsRefused");
    }

    @Override
    public void processElement(ParsedInput parsed, Context ctx, Collector<AlertInput> out) {
      if (parsed.getInput() != null) {
        out.collect(parsed.getInput());
      } else {
        refused.inc();
        ctx.output(REFUSED, parsed.getDeadLetter());
      }
    }
  }

  /** The benchmark's stand-in for the detectors: reads every reading, signals nothing. */
  static final class PassThrough extends KeyedProcessFunction<String, Telemetry, Signal> {
    private static final long serialVersionUID = 1L;
    private transient Counter readings;

    @Override
    public void open(OpenContext openContext) {
      readings = getRuntimeContext().getMetricGroup().counter("readingsPassedThrough");
    }

    @Override
    public void processElement(Telemetry reading, Context ctx, Collector<Signal> out) {
      readings.inc();
    }
  }

  /** A detector's signal as a lifecycle input. */
  static final class ToInput implements MapFunction<Signal, AlertInput> {
    private static final long serialVersionUID = 1L;

    @Override
    public AlertInput map(Signal signal) {
      return AlertInput.of(signal);
    }
  }
}
