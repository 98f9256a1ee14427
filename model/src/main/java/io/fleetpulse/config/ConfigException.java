package io.fleetpulse.config;

/** A setting is missing, unknown or malformed; the message names the setting and its source. */
public class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
