package org.photobridge.gateway.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class SmartConfigurationSourceTest {

    private static SmartConfig config(String publicUrl) {
        return new SmartConfig() {
            @Override
            public Optional<URI> publicAuthServerUrl() {
                return Optional.ofNullable(publicUrl).map(URI::create);
            }

            @Override
            public List<String> capabilities() {
                return List.of("launch-standalone");
            }

            @Override
            public Optional<List<String>> scopesSupported() {
                return Optional.empty();
            }
        };
    }

    @Test
    void publicAuthServerUrlMovesEndpointsUnderTheGatewaysProviderAddress() {
        var source = new SmartConfigurationSource(null, config("https://login.hospital.example/realms/photobridge/"),
                "http://keycloak.internal:8080/realms/photobridge");
        assertEquals("https://login.hospital.example/realms/photobridge/protocol/openid-connect/auth",
                source.publish("http://keycloak.internal:8080/realms/photobridge/protocol/openid-connect/auth"));
        assertEquals("https://login.hospital.example/realms/photobridge",
                source.publish("http://keycloak.internal:8080/realms/photobridge"));
    }

    @Test
    void endpointsElsewhereAndLookalikePrefixesAreLeftAsTheProviderNamesThem() {
        var source = new SmartConfigurationSource(null, config("https://login.hospital.example/realms/photobridge"),
                "http://keycloak.internal:8080/realms/photobridge");
        assertEquals("https://other.example/token", source.publish("https://other.example/token"));
        assertEquals("http://keycloak.internal:8080/realms/photobridge-test/x",
                source.publish("http://keycloak.internal:8080/realms/photobridge-test/x"));
    }

    @Test
    void withoutOverrideTheProvidersUrlsArePublishedUnchanged() {
        var source = new SmartConfigurationSource(null, config(null), "http://127.0.0.1:8180/realms/photobridge");
        assertEquals("http://127.0.0.1:8180/realms/photobridge/protocol/openid-connect/token",
                source.publish("http://127.0.0.1:8180/realms/photobridge/protocol/openid-connect/token"));
    }
}
