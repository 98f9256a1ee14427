package io.fleetpulse.devstack.sim;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ConfigOption;
import io.fleetpulse.config.OptionSet;
import io.fleetpulse.config.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The device simulator's settings ({@code ./fleetpulse simulate}), read once and checked. */
public final class SimulatorConfig {

  static final ConfigOption<Integer> DEVICES =
      ConfigOption.key("devices")
          .intType()
          .between(1, 100_000)
          .defaultValue(100)
          .description("number of simulated devices, each with its own MQTT connection");
  static final ConfigOption<Integer> RATE =
      ConfigOption.key("rate")
          .intType()
          .between(1, 1_000_000)
          .defaultValue(100)
          .description(
              "telemetry messages per second of the whole fleet (each device reports every"
                  + " devices/rate seconds)");
  static final ConfigOption<String> BROKER =
      ConfigOption.key("broker")
          .stringType()
          .defaultValue("tcp://127.0.0.1:1883")
          .check(SimulatorConfig::brokerViolation)
          .description("MQTT broker, `tcp://host:port` or `ssl://host:port` (TLS)");
  static final ConfigOption<String> ID_PREFIX =
      ConfigOption.key("id-prefix")
          .stringType()
          .defaultValue("sim")
          .check(p -> p.matches("[A-Za-z0-9._:-]{1,100}") ? null : "it must match [A-Za-z0-9._:-]")
          .description("device ids are `<prefix>-0000`, `<prefix>-0001`, ...");
  static final ConfigOption<Boolean> ANOMALIES =
      ConfigOption.key("anomalies")
          .booleanType()
          .defaultValue(false)
          .description(
              "inject anomalies: a temperature spike above 80 °C or a vibration stuck high, on"
                  + " about 5 % of the devices (at least one)");
  static final ConfigOption<String> OFFLINE_FRACTION =
      ConfigOption.key("offline-fraction")
          .stringType()
          .defaultValue("0")
          .check(SimulatorConfig::fractionViolation)
          .description(
              "share of devices (0 to 1) that now and then disconnect and go silent for 30-90 s,"
                  + " then come back");
  static final ConfigOption<Boolean> HISTORY_UPLOAD =
      ConfigOption.key("history-upload")
          .booleanType()
          .defaultValue(false)
          .description(
              "devices that go silent keep measuring and, when back, upload what they missed as"
                  + " batches `{\"deviceId\",\"records\":[...]}` before reporting live again");
  static final ConfigOption<Integer> HISTORY_BATCH_SIZE =
      ConfigOption.key("history.batch-size")
          .intType()
          .between(1, 300)
          .defaultValue(100)
          .description(
              "readings per history upload message (300 stay well under the TelemetryJob's"
                  + " 64 KiB `telemetry.max-payload-bytes`)");
  static final ConfigOption<Integer> HISTORY_MAX_BACKLOG =
      ConfigOption.key("history.max-backlog")
          .intType()
          .between(1, 1_000_000)
          .defaultValue(10_000)
          .description(
              "readings a silent device keeps for upload; beyond it the oldest are dropped"
                  + " (counted), as a device with a full flash does");
  static final ConfigOption<Duration> RUN_FOR =
      ConfigOption.key("run-for")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ZERO)
          .description("stop after this long; `0` runs until Ctrl-C");
  static final ConfigOption<Long> SEED =
      ConfigOption.key("seed")
          .longType()
          .defaultValue(1L)
          .description("random seed: the same seed gives the same devices and incidents");
  static final ConfigOption<String> TLS_CA_FILE =
      ConfigOption.key("tls.ca-file")
          .stringType()
          .defaultDescribedAs("(JVM trust store)")
          .description("PEM file of the CA that signed the broker's certificate (`ssl://` only)");
  static final ConfigOption<String> TLS_KEYSTORE =
      ConfigOption.key("tls.keystore")
          .stringType()
          .defaultDescribedAs("(no client certificate)")
          .check(k -> k.contains("{deviceId}") ? null : "it must contain {deviceId}")
          .description(
              "each device's PKCS12 client certificate, a path with `{deviceId}`, e.g."
                  + " `certs/{deviceId}.p12` (the broker's per-device ACL keys on it)");
  static final ConfigOption<String> TLS_KEYSTORE_PASSWORD =
      ConfigOption.key("tls.keystore-password")
          .stringType()
          .defaultValue("")
          .description("password of the PKCS12 files (`FLEETPULSE_TLS_KEYSTORE_PASSWORD`)");
  static final ConfigOption<Duration> REPORT_INTERVAL =
      ConfigOption.key("report-interval")
          .durationType()
          .nonNegative()
          .defaultValue(Duration.ofSeconds(10))
          .description("how often a summary line is printed; `0` never");

  /** The simulator's options. */
  public static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(
              DEVICES,
              RATE,
              BROKER,
              ID_PREFIX,
              ANOMALIES,
              OFFLINE_FRACTION,
              HISTORY_UPLOAD,
              HISTORY_BATCH_SIZE,
              HISTORY_MAX_BACKLOG,
              RUN_FOR,
              SEED,
              TLS_CA_FILE,
              TLS_KEYSTORE,
              TLS_KEYSTORE_PASSWORD,
              REPORT_INTERVAL)
          .build();

  public final int devices;
  public final int rate;
  public final String host;
  public final int port;
  public final boolean tls;
  public final String idPrefix;
  public final boolean anomalies;
  public final double offlineFraction;
  public final boolean historyUpload;
  public final int historyBatchSize;
  public final int historyMaxBacklog;
  public final Duration runFor;
  public final long seed;
  public final Path caFile;
  public final String keystorePattern;
  public final String keystorePassword;
  public final Duration reportInterval;
  public final Behaviour behaviour;

  private SimulatorConfig(Settings s, Behaviour behaviour) {
    devices = s.get(DEVICES);
    rate = s.get(RATE);
    URI broker = URI.create(s.get(BROKER));
    host = broker.getHost();
    tls = broker.getScheme().equals("ssl");
    port = broker.getPort() > 0 ? broker.getPort() : tls ? 8883 : 1883;
    idPrefix = s.get(ID_PREFIX);
    anomalies = s.get(ANOMALIES);
    offlineFraction = Double.parseDouble(s.get(OFFLINE_FRACTION));
    historyUpload = s.get(HISTORY_UPLOAD);
    historyBatchSize = s.get(HISTORY_BATCH_SIZE);
    historyMaxBacklog = s.get(HISTORY_MAX_BACKLOG);
    runFor = s.get(RUN_FOR);
    seed = s.get(SEED);
    caFile = s.contains(TLS_CA_FILE) ? Path.of(s.get(TLS_CA_FILE)) : null;
    keystorePattern = s.contains(TLS_KEYSTORE) ? s.get(TLS_KEYSTORE) : null;
    keystorePassword = s.get(TLS_KEYSTORE_PASSWORD);
    reportInterval = s.get(REPORT_INTERVAL);
    this.behaviour = behaviour;
    List<String> errors = new ArrayList<>();
    if (!tls && (caFile != null || keystorePattern != null)) {
      errors.add("tls.* is set but broker " + s.get(BROKER) + " is not ssl://");
    }
    if (caFile != null && !Files.isReadable(caFile)) {
      errors.add("tls.ca-file " + caFile + " cannot be read");
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(String.join("; ", errors));
    }
  }

  /** From {@code --key value} arguments and {@code FLEETPULSE_*} variables. */
  public static SimulatorConfig load(String[] args, Map<String, String> env) {
    return new SimulatorConfig(Settings.load(args, env, OPTIONS), Behaviour.DEFAULT);
  }

  /** From exactly these values, with the given behaviour (tests, the demo). */
  public static SimulatorConfig of(Map<String, String> values, Behaviour behaviour) {
    return new SimulatorConfig(Settings.of(values, OPTIONS), behaviour);
  }

  /** The id of device number {@code i}. */
  public String deviceId(int i) {
    return String.format("%s-%04d", idPrefix, i);
  }

  /** How often one device reports, from the fleet's rate. */
  public long intervalMillis() {
    return Math.max(1, Math.round(devices * 1000.0 / rate));
  }

  private static String brokerViolation(String value) {
    try {
      URI uri = URI.create(value);
      if (!"tcp".equals(uri.getScheme()) && !"ssl".equals(uri.getScheme())) {
        return "it must start with tcp:// or ssl://";
      }
      if (uri.getHost() == null) {
        return "it must name a host, e.g. tcp://127.0.0.1:1883";
      }
      return null;
    } catch (IllegalArgumentException e) {
      return "it is not a URL: " + e.getMessage();
    }
  }

  private static String fractionViolation(String value) {
    try {
      double f = Double.parseDouble(value);
      return f >= 0 && f <= 1 ? null : "it must be between 0 and 1";
    } catch (NumberFormatException e) {
      return "it must be a number between 0 and 1";
    }
  }

  /**
   * How often the imperfections of real devices happen, and when incidents start; the defaults suit
   * a live fleet, tests make them frequent and early.
   */
  public record Behaviour(
      double duplicateProbability,
      double outOfOrderProbability,
      double rebootProbability,
      long maxClockSkewMillis,
      double anomalyFraction,
      Duration anomalyStartMin,
      Duration anomalyStartMax,
      int anomalyReadings,
      Duration silenceStartMin,
      Duration silenceStartMax,
      Duration silenceMin,
      Duration silenceMax) {

    /** What a live demo fleet does. */
    public static final Behaviour DEFAULT =
        new Behaviour(
            0.01,
            0.01,
            0.0005,
            3_000,
            0.05,
            Duration.ofSeconds(20),
            Duration.ofSeconds(90),
            15,
            Duration.ofSeconds(15),
            Duration.ofSeconds(60),
            Duration.ofSeconds(30),
            Duration.ofSeconds(90));
  }
}
