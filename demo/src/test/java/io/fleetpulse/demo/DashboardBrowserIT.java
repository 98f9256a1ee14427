package io.fleetpulse.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.api.ShadowApi;
import io.fleetpulse.api.ShadowApiConfig;
import io.fleetpulse.config.Settings;
import io.fleetpulse.devstack.FreePorts;
import io.fleetpulse.devstack.influxdb.InfluxDbExtension;
import io.fleetpulse.devstack.influxdb.InfluxDbProcess;
import io.fleetpulse.devstack.kafka.KafkaExtension;
import io.fleetpulse.devstack.kafka.KafkaTestClient;
import io.fleetpulse.jobs.runtime.JobEnvironment;
import io.fleetpulse.jobs.shadow.ShadowJob;
import io.fleetpulse.jobs.shadow.ShadowJobConfig;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import io.fleetpulse.model.Device;
import io.fleetpulse.model.DeviceStatus;
import io.fleetpulse.model.FleetTopics;
import io.fleetpulse.model.ModelJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against the real API, on in-JVM Kafka, the real
 * ShadowJob on a Flink MiniCluster, and a real influxd: what a user sees and what the page makes
 * the API write.
 */
@ExtendWith({KafkaExtension.class, InfluxDbExtension.class})
class DashboardBrowserIT {

  private static final String KEY = "dashboard-test-key";
  private static final String INFLUX_DB = "dashboard_it";
  private static final List<String> DEVICES =
      List.of("dash-alert", "dash-ack", "dash-desired", "dash-sync", "dash-metrics");

  private static KafkaTestClient kafka;
  private static DemoCluster flink;
  private static ShadowApi api;
  private static TestDevice syncDevice;
  private static WebDriver browser;
  private static String base;

  @BeforeAll
  static void start(KafkaTestClient client, InfluxDbProcess influx) throws Exception {
    kafka = client;
    Demo.createTopics(kafka, 2);
    List<ProducerRecord<byte[], byte[]>> registry = new ArrayList<>();
    for (int i = 0; i < DEVICES.size(); i++) {
      Device d = new Device();
      d.setDeviceId(DEVICES.get(i));
      d.setType("environment-sensor");
      d.setSite(i % 2 == 0 ? "plant-north" : "plant-south");
      d.setFirmware("2.4.1");
      d.setHeartbeatSeconds(60);
      d.setStatus(DeviceStatus.ACTIVE);
      registry.add(record(FleetTopics.DEVICES.name(), d.getDeviceId(), ModelJson.toBytes(d)));
    }
    kafka.produce(registry);

    influx.createDatabase(INFLUX_DB);
    long now = System.currentTimeMillis();
    // telemetry_agg as the TelemetryJob writes it: tags device and metric, time = window start.
    String lines =
        String.join(
            "\n",
            point(now - 180_000, 19.0, 21.0, 20.0),
            point(now - 120_000, 24.0, 26.0, 25.0),
            point(now - 60_000, 21.0, 23.0, 22.0));
    HttpResponse<String> written =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(influx.url() + "/write?db=" + INFLUX_DB + "&precision=ms"))
                    .POST(HttpRequest.BodyPublishers.ofString(lines))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(written.statusCode()).as(written.body()).isEqualTo(204);

    flink = new DemoCluster(FreePorts.pick(), 2);
    ShadowJobConfig shadowConfig =
        ShadowJobConfig.load(
            new String[] {
              "--kafka.bootstrap.servers", kafka.bootstrapServers(), "--checkpoint.interval", "10s"
            },
            Map.of());
    StreamExecutionEnvironment env =
        JobEnvironment.create(ShadowJob.flinkConfiguration(shadowConfig));
    ShadowJob.kafkaJob(shadowConfig).build(env);
    flink.submit(env, "ShadowJob");

    Map<String, String> settings = new HashMap<>();
    settings.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    settings.put("http.host", "127.0.0.1");
    settings.put("http.port", "0");
    settings.put("auth.api-keys", KEY + "=operator");
    settings.put("influx.url", influx.url());
    settings.put("influx.db", INFLUX_DB);
    settings.put("webhooks.deliver", "false");
    api = new ShadowApi(ShadowApiConfig.from(Settings.of(settings, ShadowApiConfig.OPTIONS)));
    api.start();
    base = "http://127.0.0.1:" + api.port();
    awaitTrue(() -> api.ready() && api.streaming(), Duration.ofSeconds(60), "API ready");

    syncDevice = new TestDevice(kafka.bootstrapServers(), "dash-sync").start();
    browser = Chromium.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (syncDevice != null) {
      syncDevice.close();
    }
    if (api != null) {
      api.close();
    }
    if (flink != null) {
      flink.close();
    }
  }

  @Test
  void theOverviewShowsTheFleetBySite() throws Exception {
    open("");
    WebDriverWait wait = waiting();
    wait.until(d -> d.findElement(By.id("n-devices")).getText().equals("5"));
    wait.until(d -> d.findElement(By.id("by-site")).getText().contains("plant-north"));
    assertThat(browser.findElement(By.id("by-site")).getText()).contains("plant-south");
    Chromium.screenshot(browser, "dashboard-overview");
  }

  @Test
  void aPathWithNoRouteIsAProblemAndCountedAsUnmatched() throws Exception {
    // What a browser asks for by itself besides the dashboard's files (e.g. /favicon.ico).
    browser.get(base + "/favicon.ico");
    assertThat(browser.getPageSource()).contains("\"status\":404");
    assertThat(get("/metrics").body())
        .containsPattern(
            "fleetpulse_api_requests_seconds_count\\{[^}]*route=\"unmatched\",status=\"404\"\\}");
  }

  @Test
  void anAlertWrittenToTheTopicAppearsWithoutReload() throws Exception {
    open("");
    awaitStreamLive("alerts-live");
    Object marker = markPage();
    Alert alert = alert("dash-alert", "temperature_high", "temperature 91.2 above 80");
    kafka.produce(
        List.of(record(FleetTopics.ALERTS.name(), "dash-alert", ModelJson.toBytes(alert))));
    WebElement row =
        waiting()
            .until(
                d ->
                    d
                        .findElements(
                            By.cssSelector(
                                "#alerts tr[data-alert-id='" + alert.getAlertId() + "']"))
                        .stream()
                        .findFirst()
                        .orElse(null));
    assertThat(row.getText()).contains("CRITICAL", "OPEN", "dash-alert", "temperature_high");
    assertThat(markPage()).as("the page was not reloaded").isEqualTo(marker);
    Chromium.screenshot(browser, "dashboard-alert-live");
  }

  @Test
  void acknowledgeMakesTheApiWriteAnAckAction() throws Exception {
    open("");
    awaitStreamLive("alerts-live");
    Alert alert = alert("dash-ack", "vibration_high", "vibration 9.8 above 8");
    kafka.produce(List.of(record(FleetTopics.ALERTS.name(), "dash-ack", ModelJson.toBytes(alert))));
    By button = By.cssSelector("#alerts tr[data-alert-id='" + alert.getAlertId() + "'] button.ack");
    waiting().until(d -> !d.findElements(button).isEmpty());
    // The API refuses an ack of an alert its own view has not read yet (404): wait for it there.
    awaitTrue(
        () -> get("/alerts/" + alert.getAlertId()).statusCode() == 200,
        Duration.ofSeconds(30),
        "alert in the API's view");
    browser.findElement(button).click();
    waiting().until(d -> d.findElement(button).getText().equals("ack sent"));
    Chromium.screenshot(browser, "dashboard-alert-acked");

    JsonNode action = null;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (action == null && System.nanoTime() < end) {
      for (ConsumerRecord<byte[], byte[]> r :
          kafka.consumeFor(FleetTopics.ALERT_ACTIONS.name(), Duration.ofSeconds(1))) {
        JsonNode a = ModelJson.mapper().readTree(r.value());
        if (a.path("alertId").asText().equals(alert.getAlertId())) {
          assertThat(new String(r.key(), UTF_8)).isEqualTo("dash-ack");
          action = a;
        }
      }
    }
    assertThat(action).as("an action on iot.alert.actions").isNotNull();
    assertThat(action.path("action").asText()).isEqualTo("ACK");
    assertThat(action.path("deviceId").asText()).isEqualTo("dash-ack");
  }

  @Test
  void savingDesiredStateWritesTheUpdateToTheDesiredTopic() throws Exception {
    open("#device/dash-desired");
    waiting().until(d -> d.findElement(By.id("d-id")).getText().equals("dash-desired"));
    saveDesired("{\"led\":\"blink\",\"reportIntervalMs\":5000}");
    waiting().until(d -> d.findElement(By.id("desired-result")).getText().startsWith("sent"));

    JsonNode desired = null;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (desired == null && System.nanoTime() < end) {
      for (ConsumerRecord<byte[], byte[]> r :
          kafka.consumeFor(FleetTopics.SHADOW_DESIRED.name(), Duration.ofSeconds(1))) {
        if (new String(r.key(), UTF_8).equals("dash-desired")) {
          desired = ModelJson.mapper().readTree(r.value());
        }
      }
    }
    assertThat(desired).as("a record of dash-desired on iot.shadow.desired").isNotNull();
    assertThat(desired.at("/state/desired/led").asText()).isEqualTo("blink");
    assertThat(desired.at("/state/desired/reportIntervalMs").asInt()).isEqualTo(5000);
  }

  @Test
  void theDeltaGoesAwayOnThePageWhenTheDeviceReportsTheDesiredState() throws Exception {
    open("#device/dash-sync");
    WebDriverWait wait = waiting();
    wait.until(d -> d.findElement(By.id("d-reported")).getText().contains("\"led\": \"off\""));
    awaitStreamLive("d-live");
    Object marker = markPage();
    saveDesired("{\"led\":\"on\"}");
    // The ShadowJob computes the delta; the page shows it from the device stream.
    wait.until(d -> d.findElement(By.id("d-delta")).getText().contains("\"led\": \"on\""));
    assertThat(browser.findElement(By.id("d-sync")).getText()).contains("led");
    Chromium.screenshot(browser, "dashboard-delta-pending");

    syncDevice.answer(); // the device applies the delta and reports led=on
    wait.until(d -> "true".equals(d.findElement(By.id("d-delta")).getAttribute("data-empty")));
    assertThat(browser.findElement(By.id("d-delta")).getText()).isEqualTo("{}");
    assertThat(browser.findElement(By.id("d-sync")).getText()).isEqualTo("in sync");
    assertThat(browser.findElement(By.id("d-reported")).getText()).contains("\"led\": \"on\"");
    assertThat(markPage()).as("the page was not reloaded").isEqualTo(marker);
    Chromium.screenshot(browser, "dashboard-delta-gone");
  }

  @Test
  void theMetricsChartDrawsTheDevicesWindowsFromInfluxDb() throws Exception {
    open("#device/dash-metrics");
    By chart = By.cssSelector(".chart[data-metric=temperature]");
    waiting().until(d -> "3".equals(attribute(d, chart, "data-points")));
    waiting()
        .until(
            d ->
                !d.findElements(By.cssSelector(".chart[data-metric=temperature] canvas"))
                    .isEmpty());
    // The avg line (#1d3557) is on the canvas: uPlot drew the points, not only an empty frame.
    long avgPixels =
        ((Number)
                ((JavascriptExecutor) browser)
                    .executeScript(
                        "const c = document.querySelector('.chart[data-metric=temperature] canvas');"
                            + "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                            + "let n = 0; for (let i = 0; i < d.length; i += 4) {"
                            + " if (Math.abs(d[i] - 29) < 12 && Math.abs(d[i + 1] - 53) < 12"
                            + " && Math.abs(d[i + 2] - 87) < 12 && d[i + 3] > 200) n++; }"
                            + "return n;"))
            .longValue();
    assertThat(avgPixels).as("pixels of the avg line").isGreaterThan(50);
    assertThat(browser.findElement(chart).getText()).contains("temperature");
    // A metric without data says so instead of drawing an empty chart.
    By battery = By.cssSelector(".chart[data-metric=battery]");
    waiting().until(d -> "0".equals(attribute(d, battery, "data-points")));
    assertThat(browser.findElement(battery).getText()).contains("no data");
    Chromium.screenshot(browser, "dashboard-metrics");
  }

  // ----- helpers ---------------------------------------------------------------------------------

  private static void open(String hash) {
    browser.get(base + "/dashboard/?key=" + KEY + hash);
    waiting().until(d -> d.findElement(By.id("status")).getText().startsWith("updated"));
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(browser, Duration.ofSeconds(45));
  }

  private static void awaitStreamLive(String id) {
    waiting().until(d -> d.findElement(By.id(id)).getText().equals("live"));
  }

  /** A value set on the page's window: it survives anything but a reload. */
  private static Object markPage() {
    return ((JavascriptExecutor) browser)
        .executeScript("return window.__mark || (window.__mark = String(Math.random()));");
  }

  private static void saveDesired(String json) {
    WebElement input = browser.findElement(By.id("desired-input"));
    input.clear();
    input.sendKeys(json);
    browser.findElement(By.id("desired-save")).click();
  }

  private static String attribute(WebDriver d, By by, String name) {
    List<WebElement> found = d.findElements(by);
    return found.isEmpty() ? null : found.get(0).getAttribute(name);
  }

  private static Alert alert(String device, String rule, String message) {
    long now = System.currentTimeMillis();
    Alert a =
        new Alert(
            Alert.idFor(rule, device, String.valueOf(now)),
            device,
            rule,
            AlertSeverity.CRITICAL,
            AlertState.OPEN,
            now,
            "temperature",
            91.2,
            message,
            rule);
    a.setCount(1);
    a.setFirstTs(now);
    a.setLastTs(now);
    return a;
  }

  private static String point(long time, double min, double max, double avg) {
    return String.format(
        "telemetry_agg,device=dash-metrics,metric=temperature count=4i,min=%s,max=%s,avg=%s,last=%s %d",
        min, max, avg, avg, time);
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ProducerRecord<>(topic, key.getBytes(UTF_8), value);
  }

  private static HttpResponse<String> get(String path) {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .header("Authorization", "Bearer " + KEY)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(
      java.util.function.BooleanSupplier condition, Duration timeout, String what)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + ": not within " + timeout);
      }
      Thread.sleep(50);
    }
  }

  /**
   * A device that speaks the bridge's Kafka side: it reports its state on {@code
   * iot.shadow.reported} and, once told to {@link #answer()}, applies each delta from {@code
   * iot.shadow.delta} and reports the applied keys back, as the simulator's devices do over MQTT.
   */
  static final class TestDevice implements AutoCloseable {
    private final String bootstrap;
    private final String id;
    private final KafkaTestClient client;
    private final CountDownLatch answering = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopped;

    TestDevice(String bootstrap, String id) {
      this.bootstrap = bootstrap;
      this.id = id;
      this.client = new KafkaTestClient(bootstrap);
      this.thread = new Thread(this::run, "test-device-" + id);
      thread.setDaemon(true);
    }

    TestDevice start() {
      ObjectNode reported = ModelJson.mapper().createObjectNode();
      reported.put("led", "off");
      reported.put("firmware", "2.4.1");
      report(reported);
      thread.start();
      return this;
    }

    void answer() {
      answering.countDown();
    }

    private void report(JsonNode state) {
      ObjectNode request = ModelJson.mapper().createObjectNode();
      request.putObject("state").set("reported", state);
      request.put("clientToken", id + "-" + System.nanoTime());
      try {
        client.produce(
            List.of(
                record(
                    FleetTopics.SHADOW_REPORTED.name(),
                    id,
                    ModelJson.mapper().writeValueAsBytes(request))));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private void run() {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-device-" + id);
      p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
      p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
        String topic = FleetTopics.SHADOW_DELTA.name();
        List<TopicPartition> partitions = new ArrayList<>();
        consumer
            .partitionsFor(topic)
            .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        List<JsonNode> pending = new ArrayList<>();
        while (!stopped) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            if (id.equals(new String(r.key(), UTF_8))) {
              pending.add(ModelJson.mapper().readTree(r.value()).path("state"));
            }
          }
          if (answering.getCount() == 0) {
            for (JsonNode delta : pending) {
              if (delta.isObject() && !delta.isEmpty()) {
                report(delta);
              }
            }
            pending.clear();
          }
        }
      } catch (Exception e) {
        if (!stopped) {
          throw new IllegalStateException("test device " + id + " failed", e);
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      stopped = true;
      thread.join(10_000);
    }
  }
}
