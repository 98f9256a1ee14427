package io.fleetpulse.api.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetpulse.model.Alert;
import io.fleetpulse.model.AlertSeverity;
import io.fleetpulse.model.AlertState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A registered webhook receiver as stored in {@code iot.webhooks} (key = its id): where to send,
 * the signing secrets, which alerts it wants, and whether it is enabled.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WebhookEndpoint {

  private String id;
  private String url;
  private String description;
  private String secret;
  private List<OldSecret> previousSecrets = new ArrayList<>();
  private Filter filter = new Filter();
  private boolean enabled = true;
  private String disabledReason;
  private long createdAt;
  private long updatedAt;

  /** A replaced secret that still signs until {@code until} (epoch ms), so receivers can rotate. */
  public record OldSecret(String secret, long until) {}

  /**
   * Which alerts the receiver wants; an empty or absent list matches everything. {@code deviceIds}
   * and {@code groups} both pick devices: with either set, the alert's device must be listed or
   * belong to one of the groups (as the registry has it when the alert is delivered).
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public static class Filter {
    public List<String> types = new ArrayList<>();
    public List<AlertSeverity> severities = new ArrayList<>();
    public List<String> deviceIds = new ArrayList<>();
    public List<String> groups = new ArrayList<>();
    public List<AlertState> states = new ArrayList<>();

    /**
     * Whether {@code alert}, of a device in {@code deviceGroups}, passes every list that is set.
     */
    public boolean matches(Alert alert, List<String> deviceGroups) {
      return (empty(types) || types.contains(alert.getType()))
          && (empty(severities) || severities.contains(alert.getSeverity()))
          && ((empty(deviceIds) && empty(groups))
              || (deviceIds != null && deviceIds.contains(alert.getDeviceId()))
              || (groups != null
                  && deviceGroups != null
                  && deviceGroups.stream().anyMatch(groups::contains)))
          && (empty(states) || states.contains(alert.getState()));
    }

    private static boolean empty(List<?> list) {
      return list == null || list.isEmpty();
    }
  }

  /** The secrets that sign a request now: the current one and those still in their grace time. */
  public List<String> signingSecrets(long now) {
    List<String> secrets = new ArrayList<>();
    secrets.add(secret);
    if (previousSecrets != null) {
      for (OldSecret old : previousSecrets) {
        if (old.until() > now) {
          secrets.add(old.secret());
        }
      }
    }
    return secrets;
  }

  /** The endpoint as the API shows it: everything but the secrets. */
  public Map<String, Object> view() {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", id);
    v.put("url", url);
    if (description != null) {
      v.put("description", description);
    }
    v.put("filter", filter);
    v.put("enabled", enabled);
    if (disabledReason != null) {
      v.put("disabledReason", disabledReason);
    }
    v.put("createdAt", createdAt);
    v.put("updatedAt", updatedAt);
    return v;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }

  /**
   * The current secret, {@code whsec_} + base64 of the key, as the Standard Webhooks spec has it.
   */
  public String getSecret() {
    return secret;
  }

  public void setSecret(String secret) {
    this.secret = secret;
  }

  public List<OldSecret> getPreviousSecrets() {
    return previousSecrets;
  }

  public void setPreviousSecrets(List<OldSecret> previousSecrets) {
    this.previousSecrets = previousSecrets;
  }

  public Filter getFilter() {
    return filter;
  }

  public void setFilter(Filter filter) {
    this.filter = filter;
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /** Why the service disabled the endpoint (e.g. the receiver answered 410), or null. */
  public String getDisabledReason() {
    return disabledReason;
  }

  public void setDisabledReason(String disabledReason) {
    this.disabledReason = disabledReason;
  }

  public long getCreatedAt() {
    return createdAt;
  }

  public void setCreatedAt(long createdAt) {
    this.createdAt = createdAt;
  }

  public long getUpdatedAt() {
    return updatedAt;
  }

  public void setUpdatedAt(long updatedAt) {
    this.updatedAt = updatedAt;
  }
}
