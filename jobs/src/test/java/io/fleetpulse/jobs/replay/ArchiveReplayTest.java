package io.fleetpulse.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetpulse.config.ConfigException;
import io.fleetpulse.config.ReadmeTable;
import io.fleetpulse.config.Settings;
import io.fleetpulse.jobs.anomaly.AnomalyJobConfig;
import io.fleetpulse.jobs.archive.ArchiveConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replays' options: the README table of the range, and what each replay accepts. */
class ArchiveReplayTest {

  @Test
  void theReadmeTableMatchesTheDeclarations() {
    assertThat(ReadmeTable.differences(Path.of("..", "README.md"), "replay", ArchiveReplay.RANGE))
        .isEmpty();
  }

  @Test
  void theAnomalyReplayTakesTheJobsTheArchivesAndTheRangesKeys() {
    assertThat(AnomalyReplay.OPTIONS.keys())
        .containsAll(AnomalyJobConfig.OPTIONS.keys())
        .containsAll(ArchiveConfig.OPTIONS.keys())
        .containsAll(ArchiveReplay.RANGE.keys());
  }

  @Test
  void aRangeThatIsNoInstantIsRefusedNamingTheKey() {
    Settings s =
        Settings.load(new String[] {"--replay.from", "yesterday"}, Map.of(), ArchiveReplay.RANGE);
    assertThatThrownBy(() -> ArchiveReplay.instant(s, ArchiveReplay.FROM))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("replay.from 'yesterday' is not an ISO-8601 instant");
    assertThatThrownBy(() -> ArchiveReplay.instant(s, ArchiveReplay.TO))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("replay.to is required");
  }
}
