package io.fleetpulse.api.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refused request, answered as RFC 9457 problem details: {@code status}, a snake_case {@code
 * code}, the offending {@code field} (when one is to blame) and a {@code detail} for people.
 */
public final class Problem extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String field;

  public Problem(int status, String code, String field, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  /** 400 for {@code field} breaking {@code rule}. */
  public static Problem badField(String field, String code, String detail) {
    return new Problem(400, code, field, detail);
  }

  /** 404 for a device the registry does not know. */
  public static Problem unknownDevice(String deviceId) {
    return new Problem(
        404, "unknown_device", "deviceId", "no device '" + deviceId + "' is registered");
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /**
   * The body: {@code type}, {@code title}, {@code status}, {@code detail}, {@code code}, {@code
   * field}.
   */
  public Map<String, Object> body() {
    return body(status, code, field, getMessage());
  }

  /** A problem body for errors that are not a {@link Problem} (framework errors, 500). */
  public static Map<String, Object> body(int status, String code, String field, String detail) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title(status));
    body.put("status", status);
    body.put("code", code);
    if (field != null) {
      body.put("field", field);
    }
    if (detail != null) {
      body.put("detail", detail);
    }
    return body;
  }

  private static String title(int status) {
    switch (status) {
      case 400:
        return "Bad Request";
      case 401:
        return "Unauthorized";
      case 403:
        return "Forbidden";
      case 404:
        return "Not Found";
      case 405:
        return "Method Not Allowed";
      case 409:
        return "Conflict";
      case 413:
        return "Content Too Large";
      case 415:
        return "Unsupported Media Type";
      case 429:
        return "Too Many Requests";
      case 503:
        return "Service Unavailable";
      default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
  }
}
