package io.fleetpulse.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeTableTest {

  static final ConfigOption<Duration> WINDOW =
      ConfigOption.key("window.size")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .description("tumbling window size");
  static final OptionSet OPTIONS =
      OptionSet.builder()
          .add(KafkaOptions.BOOTSTRAP_SERVERS, WINDOW)
          .prefix("kafka.properties.", "to every client")
          .build();

  @TempDir Path dir;

  @Test
  void theGeneratedTableAgreesWithItself() throws IOException {
    assertThat(ReadmeTable.differences(readme(OPTIONS.markdownTable()), "x", OPTIONS)).isEmpty();
  }

  @Test
  void aRemovedRowIsAnUndocumentedKey() throws IOException {
    String table = OPTIONS.markdownTable().replaceAll("(?m)^\\| `window.size`.*\n", "");

    assertThat(ReadmeTable.differences(readme(table), "x", OPTIONS))
        .first()
        .asString()
        .contains("undocumented key window.size");
  }

  @Test
  void aWrongDefaultIsNamed() throws IOException {
    String table = OPTIONS.markdownTable().replace("`1m`", "`5m`");

    assertThat(ReadmeTable.differences(readme(table), "x", OPTIONS))
        .first()
        .asString()
        .contains("wrong default for window.size");
  }

  @Test
  void aRowDeclaredNowhereIsNamed() throws IOException {
    String table = OPTIONS.markdownTable() + "| `window.gone` | `1s` | removed |\n";

    assertThat(ReadmeTable.differences(readme(table), "x", OPTIONS))
        .first()
        .asString()
        .contains("window.gone is in the README but declared nowhere");
  }

  private Path readme(String table) throws IOException {
    Path file = dir.resolve("README.md");
    Files.writeString(file, "# t\n\n<!-- options:x -->\n" + table + "<!-- /options -->\n");
    return file;
  }
}
