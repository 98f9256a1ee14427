package io.fleetpulse.bench.telemetry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
        bars(
            title,
            xTitle,
            yTitle,
            new ArrayList<>(values.keySet()),
            Map.of(yTitle, new ArrayList<>(values.values())));
    chart.getStyler().setLegendVisible(false);
    save(png, List.of(chart));
  }

  /**
   * A bar chart with one series per entry of {@code series} (name to values by category, every
   * series over the same categories, in their order); the legend shows only with several series.
   */
  public static void seriesBars(
      Path png, String title, String xTitle, String yTitle, Map<String, Map<String, Double>> series)
      throws IOException {
    List<String> categories = new ArrayList<>(series.values().iterator().next().keySet());
    Map<String, List<Double>> values = new LinkedHashMap<>();
    series.forEach((name, byCategory) -> values.put(name, new ArrayList<>(byCategory.values())));
    CategoryChart chart = bars(title, xTitle, yTitle, categories, values);
    chart.getStyler().setLegendVisible(series.size() > 1);
    save(png, List.of(chart));
  }

  /** A bar chart with one series (name to values, one per category) per entry of {@code series}. */
  public static CategoryChart bars(
      String title,
      String xTitle,
      String yTitle,
      List<String> categories,
      Map<String, List<Double>> series) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    chart.getStyler().setLabelsVisible(true);
    series.forEach((name, values) -> chart.addSeries(name, categories, values));
    return chart;
  }

  /** Writes {@code charts} side by side into one PNG. */
  public static void save(Path png, List<CategoryChart> charts) throws IOException {
    String file = png.toAbsolutePath().toString();
    // XChart appends the extension itself.
    BitmapEncoder.saveBitmap(
        charts,
        1,
        charts.size(),
        file.substring(0, file.length() - ".png".length()),
        BitmapEncoder.BitmapFormat.PNG);
  }
}
