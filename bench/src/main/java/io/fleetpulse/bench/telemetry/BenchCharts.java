package io.fleetpulse.bench.telemetry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** PNG charts of benchmark results (XChart), written next to the markdown report. */
public final class BenchCharts {

  private BenchCharts() {}

  /** A bar chart of median records/s per reader, in the order of {@code medians}. */
  static void medians(Path png, String title, Map<String, Double> medians) throws IOException {
    bars(png, title, "reader", "median records/s", Map.of("records/s", medians));
  }

  /**
   * A bar chart with one series per entry of {@code series} (name to values by category, every
   * series over the same categories, in their order); the legend shows only with several series.
   */
  public static void bars(
      Path png, String title, String xTitle, String yTitle, Map<String, Map<String, Double>> series)
      throws IOException {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendVisible(series.size() > 1);
    chart.getStyler().setLabelsVisible(true);
    for (Map.Entry<String, Map<String, Double>> s : series.entrySet()) {
      chart.addSeries(
          s.getKey(),
          new ArrayList<>(s.getValue().keySet()),
          new ArrayList<>(s.getValue().values()));
    }
    String file = png.toAbsolutePath().toString();
    // XChart appends the extension itself.
    BitmapEncoder.saveBitmap(
        chart, file.substring(0, file.length() - ".png".length()), BitmapEncoder.BitmapFormat.PNG);
  }
}
