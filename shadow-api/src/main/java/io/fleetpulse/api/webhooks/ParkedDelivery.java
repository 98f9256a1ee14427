package io.fleetpulse.api.webhooks;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A delivery parked in {@code iot.webhooks.dlq} (key = endpoint id) after its last try, with what
 * it takes to replay it: the body and the {@code webhook-id}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ParkedDelivery {
  public String endpointId;
  public String deliveryId;
  public String alertId;
  public String eventType;
  public String body;
  public int attempts;
  public Integer lastStatus;
  public String lastError;
  public long parkedAt;
  public Integer sourcePartition;
  public Long sourceOffset;
}
