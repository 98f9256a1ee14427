package io.fleetpulse.connectors.influxdb.internal;

import static io.fleetpulse.connectors.influxdb.internal.TestWriter.line;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import io.fleetpulse.connectors.influxdb.internal.RecordingServer.Request;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WriteRequestsTest {

  private final RecordingServer server = new RecordingServer();

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void v1PostsLinesToWriteWithDatabaseRetentionPolicyMillisecondsAndBasicAuth() throws Exception {
    Request request =
        writeOnePoint(
            InfluxDbSinkOptions.builder()
                .url(server.url())
                .v1("fleet")
                .retentionPolicy("one week")
                .username("writer")
                .password("s3cret")
                .build());

    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.pathAndQuery()).isEqualTo("/write?db=fleet&rp=one+week&precision=ms");
    assertThat(request.header("Authorization"))
        .isEqualTo(
            "Basic "
                + Base64.getEncoder()
                    .encodeToString("writer:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(request.body()).isEqualTo(line(1));
  }

  @Test
  void v1WithoutUserSendsNoAuthorization() throws Exception {
    Request request =
        writeOnePoint(InfluxDbSinkOptions.builder().url(server.url()).v1("fleet").build());

    assertThat(request.pathAndQuery()).isEqualTo("/write?db=fleet&precision=ms");
    assertThat(request.header("Authorization")).isNull();
  }

  @Test
  void v2PostsLinesToApiV2WriteWithOrgBucketMillisecondsAndToken() throws Exception {
    Request request =
        writeOnePoint(
            InfluxDbSinkOptions.builder()
                .url(server.url() + "/")
                .v2("acme corp", "telemetry", "t0ken")
                .build());

    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.pathAndQuery())
        .isEqualTo("/api/v2/write?org=acme+corp&bucket=telemetry&precision=ms");
    assertThat(request.header("Authorization")).isEqualTo("Token t0ken");
    assertThat(request.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(request.body()).isEqualTo(line(1));
  }

  private Request writeOnePoint(InfluxDbSinkOptions options) throws Exception {
    try (TestWriter sink = new TestWriter(options)) {
      sink.write(1);
      sink.writer.flush(false);
    }
    assertThat(server.requests()).hasSize(1);
    return server.requests().get(0);
  }
}
