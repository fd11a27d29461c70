package org.photobridge.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.pacs.Destinations;
import org.photobridge.gateway.pacs.TestDestinations;
import org.photobridge.gateway.pacs.DimseDestination;


/** {@code photobridge.destinations.<name>.tls.*} read as the gateway reads them, and checked at start-up. */
class DestinationsTlsConfigTest {
    private static final String P = "photobridge.destinations.pacs.";

    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void makePki() throws Exception {
        pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
    }

    private static Map<String, String> dimse(String... more) {
        var config = new HashMap<>(Map.of(P + "kind", "dimse", P + "host", "127.0.0.1", P + "port", "2762",
                P + "ae-title", "PACS"));
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        return config;
    }

    private static Destinations destinations(Map<String, String> properties) {
        return TestDestinations.of(properties);
    }

    @Test
    void dimseDestinationWithTlsSettingsIsBuilt() {
        var built = destinations(dimse(P + "tls.enabled", "true", P + "tls.ca-file", pki.caPem.toString(),
                P + "tls.client-certificate-file", pki.clientCertPem.toString(),
                P + "tls.client-key-file", pki.clientKeyPem.toString(), P + "tls.protocols", "TLSv1.3"));
        assertInstanceOf(DimseDestination.class, built.byName("pacs").orElseThrow());
        assertEquals(1, built.all().size());
    }

    @Test
    void badTlsSettingsStopStartUpNamingTheSetting() {
        var missing = assertThrows(IllegalStateException.class, () -> destinations(dimse(P + "tls.enabled", "true",
                P + "tls.ca-file", dir.resolve("absent.pem").toString())));
        assertTrue(missing.getMessage().contains(P + "tls.ca-file") && missing.getMessage().contains("does not exist"),
                missing.getMessage());

        var mismatch = assertThrows(IllegalStateException.class, () -> destinations(dimse(P + "tls.enabled", "true",
                P + "tls.ca-file", pki.caPem.toString(), P + "tls.client-certificate-file", pki.clientCertPem.toString(),
                P + "tls.client-key-file", pki.otherClientKeyPem.toString())));
        assertTrue(mismatch.getMessage().contains("is not the key of the certificate"), mismatch.getMessage());

        var old = assertThrows(IllegalStateException.class, () -> destinations(dimse(P + "tls.enabled", "true",
                P + "tls.protocols", "TLSv1.1")));
        assertTrue(old.getMessage().contains(P + "tls.protocols"), old.getMessage());

        var password = assertThrows(IllegalStateException.class, () -> destinations(dimse(P + "tls.enabled", "true",
                P + "tls.key-store", pki.clientP12.toString(), P + "tls.key-store-password", "not-the-password")));
        assertFalse(password.getMessage().contains("not-the-password"), password.getMessage());
    }

    @Test
    void tlsEnabledRefusesPlainHttpUrlsOfTheDestination() {
        var e = assertThrows(IllegalStateException.class, () -> destinations(dimse(P + "tls.enabled", "true",
                P + "tls.ca-file", pki.caPem.toString(), P + "dicomweb-url", "http://127.0.0.1:8042/dicom-web")));
        assertTrue(e.getMessage().contains(P + "dicomweb-url is plain http://") && e.getMessage().contains("tls.enabled"),
                e.getMessage());
    }
}
