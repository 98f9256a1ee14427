package io.fleetpulse.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceIdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"s-42", "A.b_c:d-9", "x"})
  void acceptsTheAllowedCharacters(String id) {
    assertThat(DeviceIds.isValid(id)).isTrue();
  }

  @Test
  void acceptsExactly128Characters() {
    assertThat(DeviceIds.isValid("d".repeat(128))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "s/42", "s 42", "s+1", "é", "#"})
  void refusesOtherCharactersAndTheEmptyId(String id) {
    assertThat(DeviceIds.problem(id)).isNotNull();
  }

  @Test
  void doesNotRepeatAHugeIdInTheProblem() {
    String problem = DeviceIds.problem("d".repeat(600_000));

    assertThat(problem).contains("600000 characters").hasSizeLessThan(100);
  }

  @Test
  void showsAControlCharacterEscaped() {
    assertThat(DeviceIds.problem("a\u0000b")).contains("\\u0000").contains("position 1");
  }

  @Test
  void requireRejectsTheEmptyIdAsMissing() {
    assertThatThrownBy(() -> DeviceIds.require(""))
        .isInstanceOfSatisfying(
            InvalidMessageException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.MISSING_DEVICE_ID));
  }
}
