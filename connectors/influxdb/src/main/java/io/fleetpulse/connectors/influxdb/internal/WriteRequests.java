package io.fleetpulse.connectors.influxdb.internal;

import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions;
import io.fleetpulse.connectors.influxdb.InfluxDbSinkOptions.ApiVersion;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Builds the HTTP write request of one batch for the configured API version. */
final class WriteRequests {

  private final URI uri;
  private final String authorization;
  private final InfluxDbSinkOptions options;

  WriteRequests(InfluxDbSinkOptions options) {
    this.options = options;
    this.uri = URI.create(options.url() + pathAndQuery(options));
    this.authorization = authorization(options);
  }

  URI uri() {
    return uri;
  }

  HttpRequest request(byte[] body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(options.requestTimeout())
            .header("Content-Type", "text/plain; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  private static String pathAndQuery(InfluxDbSinkOptions options) {
    StringBuilder s = new StringBuilder();
    if (options.apiVersion() == ApiVersion.V1) {
      s.append("/write?db=").append(encode(options.database()));
      if (present(options.retentionPolicy())) {
        s.append("&rp=").append(encode(options.retentionPolicy()));
      }
      s.append("&precision=ms");
    } else {
      s.append("/api/v2/write?");
      if (present(options.org())) {
        s.append("org=").append(encode(options.org())).append('&');
      }
      s.append("bucket=").append(encode(options.bucket())).append("&precision=ms");
    }
    return s.toString();
  }

  // v1 takes basic auth in a header rather than u=&p= so the password never lands in a URL or log.
  private static String authorization(InfluxDbSinkOptions options) {
    if (options.apiVersion() == ApiVersion.V1) {
      if (!present(options.username())) {
        return null;
      }
      String credentials = options.username() + ":" + options.password();
      return "Basic "
          + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }
    return present(options.token()) ? "Token " + options.token() : null;
  }

  private static boolean present(String s) {
    return s != null && !s.isEmpty();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
