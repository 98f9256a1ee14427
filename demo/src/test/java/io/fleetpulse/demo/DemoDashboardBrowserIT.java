package io.fleetpulse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.devstack.sim.SimulatorConfig.Behaviour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The dashboard in a real headless Chromium against the running demo (its wiring). */
class DemoDashboardBrowserIT {

  private static final Behaviour EARLY =
      new Behaviour(
          0,
          0,
          0,
          1_000,
          0.2,
          Duration.ofSeconds(3),
          Duration.ofSeconds(5),
          15,
          Duration.ofHours(1),
          Duration.ofHours(1),
          Duration.ofSeconds(1),
          Duration.ofSeconds(1));

  @Test
  void alertsAppearWithoutReloadAndTheDevicePageShowsItsShadow() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    CountDownLatch stop = new CountDownLatch(1);
    ExecutorService runner = Executors.newSingleThreadExecutor();
    Future<Demo.Outcome> demo =
        runner.submit(
            () ->
                Demo.run(
                    new Demo.Options(
                        10, 20, "0", Duration.ofSeconds(3), Duration.ofMinutes(4), 0, EARLY),
                    out,
                    false,
                    stop));
    WebDriver browser = null;
    try {
      String url = awaitDashboardUrl(buffer, demo);
      browser = Chromium.start();
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
      browser.get(url);
      wait.until(d -> d.findElement(By.id("n-devices")).getText().equals("10"));
      // The anomalies start a few seconds after the fleet: the page shows them by itself.
      wait.until(
          d ->
              d.findElements(By.cssSelector("#alerts tbody tr")).stream()
                  .anyMatch(r -> r.getText().contains("temperature_high")));
      Chromium.screenshot(browser, "demo-overview");

      // The device page: its shadow as reported by the simulated device, and its metrics from the
      // demo's InfluxDB (the API is given its URL).
      browser.get(url + "#device/sim-0005");
      wait.until(d -> d.findElement(By.id("d-reported")).getText().contains("firmware"));
      // The API answers the chart's query (it has the InfluxDB URL), with or without points yet.
      wait.until(
          d ->
              !d.findElements(By.cssSelector(".chart[data-metric=temperature][data-points]"))
                  .isEmpty());
      assertThat(browser.findElement(By.cssSelector(".chart[data-metric=temperature]")).getText())
          .doesNotContain("no InfluxDB", "error");
      Chromium.screenshot(browser, "demo-device");
    } catch (Exception | AssertionError e) {
      throw new AssertionError("demo printed:\n" + buffer.toString(StandardCharsets.UTF_8), e);
    } finally {
      if (browser != null) {
        browser.quit();
      }
      stop.countDown();
      demo.get(60, TimeUnit.SECONDS);
      runner.shutdownNow();
    }
    assertThat(Files.size(Chromium.SCREENSHOTS.resolve("demo-device.png"))).isPositive();
  }

  private static String awaitDashboardUrl(ByteArrayOutputStream buffer, Future<?> demo)
      throws Exception {
    Pattern line = Pattern.compile("Dashboard +(http://\\S+)");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < end) {
      Matcher m = line.matcher(buffer.toString(StandardCharsets.UTF_8));
      if (m.find()) {
        return m.group(1);
      }
      if (demo.isDone()) {
        demo.get();
        throw new AssertionError("the demo ended before printing the dashboard URL");
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no dashboard URL within 120 s");
  }
}
