package org.photobridge.gateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a {@code @QuarkusTest} gateway at the real Keycloak and Orthanc of the test stack, with a
 * fresh data directory and a freshly generated storage key. Two destinations reach the one Orthanc:
 * {@code pacs-dimse} by C-STORE (as the one calling AE title Orthanc accepts) and {@code pacs-stow}
 * by STOW-RS; both carry Orthanc's REST credentials (pacs-dimse uses them for its REST and DICOMweb
 * URLs when a profile sets them).
 */
public class TestStack implements QuarkusTestResourceLifecycleManager {
    private Path dataDirectory;

    @Override
    public Map<String, String> start() {
        try {
            dataDirectory = Files.createTempDirectory("photobridge-test-");
            Path keyFile = dataDirectory.resolve("storage.key");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            Map<String, String> config = new HashMap<>();
            config.put("photobridge.data.directory", dataDirectory.toString());
            config.put("photobridge.store.key-file", keyFile.toString());
            config.putAll(stackConfig());
            return config;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Settings that connect a gateway to the test stack's Keycloak and Orthanc. */
    public static Map<String, String> stackConfig() {
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.oidc.auth-server-url", Keycloak.realmUrl());
        config.put("photobridge.destinations.pacs-dimse.kind", "dimse");
        config.put("photobridge.destinations.pacs-dimse.host", "127.0.0.1");
        config.put("photobridge.destinations.pacs-dimse.port", TestStackProperties.value("orthanc.dicom-port"));
        config.put("photobridge.destinations.pacs-dimse.ae-title", TestStackProperties.value("orthanc.ae-title"));
        config.put("photobridge.destinations.pacs-dimse.calling-ae-title",
                TestStackProperties.value("orthanc.calling-ae-title"));
        config.put("photobridge.destinations.pacs-dimse.username", Orthanc.username());
        config.put("photobridge.destinations.pacs-dimse.password", Orthanc.password());
        // Orthanc's REST API (withdrawal by delete) and DICOMweb are plain HTTP on loopback here.
        config.put("photobridge.destinations.pacs-dimse.plain-http-on-loopback", "true");
        config.put("photobridge.destinations.pacs-dimse.connect-timeout", "3s");
        config.put("photobridge.destinations.pacs-dimse.timeout", "30s");
        config.put("photobridge.destinations.pacs-stow.kind", "stow-rs");
        config.put("photobridge.destinations.pacs-stow.url", Orthanc.dicomWebBase());
        config.put("photobridge.destinations.pacs-stow.timeout", "30s");
        config.put("photobridge.destinations.pacs-stow.username", Orthanc.username());
        config.put("photobridge.destinations.pacs-stow.password", Orthanc.password());
        config.put("photobridge.destinations.pacs-stow.plain-http-on-loopback", "true");
        return config;
    }

    @Override
    public void stop() {
        // Orthanc may have been stopped by an outage test; leave it running for the next class.
        Orthanc.ensureRunning();
    }
}
