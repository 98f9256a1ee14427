package io.fleetpulse.bench.telemetry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** PNG charts of benchmark results (XChart), written next to the markdown report. */
public final class BenchCharts {

  private BenchCharts() {}

  /** A bar chart of median records/s per reader, in the order of {@code medians}. */
  static void medians(Path png, String title, Map<String, Double> medians) throws IOException {
    bars(png, title, "reader", "median records/s", medians);
  }

  /** A bar chart of {@code values} (category to value, in map order) with the given axes. */
  public static void bars(
      Path png, String title, String xTitle, String yTitle, Map<String, Double> values)
      throws IOException {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setLabelsVisible(true);
    List<String> names = new ArrayList<>(values.keySet());
    List<Double> bars = new ArrayList<>(values.values());
    chart.addSeries(yTitle, names, bars);
    String file = png.toAbsolutePath().toString();
    // XChart appends the extension itself.
    BitmapEncoder.saveBitmap(
        chart, file.substring(0, file.length() - ".png".length()), BitmapEncoder.BitmapFormat.PNG);
  }
}
