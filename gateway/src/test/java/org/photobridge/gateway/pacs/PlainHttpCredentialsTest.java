package org.photobridge.gateway.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;


/**
 * PACS credentials never travel in clear: a destination with a password or bearer token and a plain
 * {@code http://} URL stops start-up, unless the URL is loopback and {@code plain-http-on-loopback}
 * says so. Built from configuration as the gateway builds it. (That no redirect ever carries the
 * credentials elsewhere: {@link PacsHttpClientTest}.)
 */
class PlainHttpCredentialsTest {
    private static final String P = "photobridge.destinations.pacs.";

    @Test
    void credentialsOverPlainHttpToAnotherHostAreRefused() {
        var e = assertThrows(IllegalStateException.class, () -> destinations(stow("http://pacs.hospital.example/dicom-web",
                P + "username", "gateway", P + "password", "s3cret")));
        assertTrue(e.getMessage().contains(P + "url is plain http://"), e.getMessage());
        assertTrue(e.getMessage().contains("https://"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), "the message never repeats the secret");
        // Even when loopback is allowed: the host is not loopback.
        assertThrows(IllegalStateException.class, () -> destinations(stow("http://10.1.2.3/dicom-web",
                P + "bearer-token", "tok", P + "plain-http-on-loopback", "true")));
    }

    @Test
    void credentialsOverPlainHttpToLoopbackNeedTheSetting() {
        var e = assertThrows(IllegalStateException.class, () -> destinations(stow("http://127.0.0.1:8042/dicom-web",
                P + "username", "gateway", P + "password", "s3cret")));
        assertTrue(e.getMessage().contains(P + "plain-http-on-loopback=true"), e.getMessage());
        for (String url : new String[] { "http://127.0.0.1:8042/dicom-web", "http://localhost:8042/dicom-web",
                "http://[::1]:8042/dicom-web" }) {
            assertEquals(1, destinations(stow(url, P + "username", "gateway", P + "password", "s3cret",
                    P + "plain-http-on-loopback", "true")).all().size(), url);
        }
    }

    @Test
    void everyHttpUrlOfADestinationIsChecked() {
        var dimse = new HashMap<>(Map.of(P + "kind", "dimse", P + "host", "pacs.hospital.example", P + "port", "104",
                P + "ae-title", "PACS", P + "username", "gateway", P + "password", "s3cret"));
        dimse.put(P + "dicomweb-url", "https://pacs.hospital.example/dicom-web");
        assertEquals(1, destinations(dimse).all().size());
        dimse.put(P + "rest-url", "http://pacs.hospital.example:8042");
        var e = assertThrows(IllegalStateException.class, () -> destinations(dimse));
        assertTrue(e.getMessage().contains(P + "rest-url"), e.getMessage());
        // A disabled destination's URLs still matter: its photos are read back and withdrawn there.
        dimse.put(P + "enabled", "false");
        dimse.put("photobridge.destinations.other.kind", "dimse");
        dimse.put("photobridge.destinations.other.host", "127.0.0.1");
        dimse.put("photobridge.destinations.other.port", "104");
        dimse.put("photobridge.destinations.other.ae-title", "OTHER");
        assertThrows(IllegalStateException.class, () -> destinations(dimse));
    }

    @Test
    void httpsAndCredentialFreeHttpAreAccepted() {
        assertEquals(1, destinations(stow("https://pacs.hospital.example/dicom-web", P + "username", "gateway",
                P + "password", "s3cret")).all().size());
        assertEquals(1, destinations(stow("http://pacs.hospital.example/dicom-web")).all().size());
    }

    private static Map<String, String> stow(String url, String... more) {
        var config = new HashMap<String, String>();
        config.put(P + "kind", "stow-rs");
        config.put(P + "url", url);
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    private static Destinations destinations(Map<String, String> properties) {
        return TestDestinations.of(properties);
    }
}
