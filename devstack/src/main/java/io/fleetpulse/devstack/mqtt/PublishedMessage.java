package io.fleetpulse.devstack.mqtt;

/**
 * One message a simulated device published and the broker acknowledged.
 *
 * @param deviceId the device
 * @param topic the MQTT topic
 * @param payload the bytes sent
 * @param clientId the publisher's MQTT client id, sent as user property {@code client.id} by MQTT 5
 *     devices; {@code null} for MQTT 3.1.1 devices, which have no user properties
 */
public record PublishedMessage(String deviceId, String topic, byte[] payload, String clientId) {}
