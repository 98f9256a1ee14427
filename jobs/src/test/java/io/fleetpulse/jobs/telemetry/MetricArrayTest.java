package io.fleetpulse.jobs.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricArrayTest {

  @Test
  void itIsEqualToAHashMapWithTheSameEntriesBothWays() {
    MetricArray array = new MetricArray(1);
    array.put("temperature", 21.5);
    array.put("battery", 80.0);
    array.put("humidity", 40.0);
    Map<String, Double> map = new HashMap<>(Map.of("battery", 80.0, "temperature", 21.5));
    map.put("humidity", 40.0);

    assertThat(array).isEqualTo(map);
    assertThat(map).isEqualTo(array);
    assertThat(array.hashCode()).isEqualTo(map.hashCode());
    assertThat(array).containsEntry("battery", 80.0).doesNotContainKey("rssi");
    assertThat(array.get("rssi")).isNull();
  }

  @Test
  void aRepeatedNameReplacesTheValueAndReturnsThePreviousOne() {
    MetricArray array = new MetricArray(2);

    assertThat(array.put("x", 1.0)).isNull();
    assertThat(array.put("x", 2.0)).isEqualTo(1.0);
    assertThat(array).hasSize(1).containsEntry("x", 2.0);
  }

  @Test
  void aCopyKeepsTheOrderAndIsIndependent() {
    MetricArray array = new MetricArray(2);
    array.put("b", 2.0);
    array.put("a", 1.0);

    MetricArray copy = MetricArray.of(array);
    array.put("a", 9.0);

    assertThat(copy.name(0)).isEqualTo("b");
    assertThat(copy.value(1)).isEqualTo(1.0);
    assertThat(MetricArray.of(Map.of("z", 3.0))).isEqualTo(Map.of("z", 3.0));
  }
}
