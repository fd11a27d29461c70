package org.photobridge.gateway.audit.atna;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts a real rsyslog collector (OpenSSL driver, mutual TLS) before the gateway and points the
 * gateway's ATNA export at it. The test finds the collector through
 * {@code photobridge.test.atna.directory}; when rsyslog is not installed, export stays off and
 * {@code photobridge.test.atna.unavailable} says why, for the test to fail.
 */
public class AtnaCollectorResource implements QuarkusTestResourceLifecycleManager {
    private RsyslogCollector collector;

    @Override
    public Map<String, String> start() {
        Optional<String> missing = RsyslogCollector.missing("ossl");
        if (missing.isPresent()) {
            return Map.of("photobridge.test.atna.unavailable", missing.get());
        }
        try {
            Path directory = Files.createTempDirectory("photobridge-atna-");
            collector = RsyslogCollector.create(directory, RsyslogCollector.Options.mutualTls("ossl"));
            collector.start();
            Map<String, String> config = new HashMap<>();
            config.put("photobridge.test.atna.directory", directory.toString());
            config.put("photobridge.audit.atna.enabled", "true");
            config.put("photobridge.audit.atna.host", "localhost");
            config.put("photobridge.audit.atna.port", Integer.toString(collector.port()));
            config.put("photobridge.audit.atna.ca-file", collector.caFile().toString());
            config.put("photobridge.audit.atna.client-certificate-file", collector.clientCertificate().toString());
            config.put("photobridge.audit.atna.client-key-file", collector.clientKey().toString());
            config.put("photobridge.audit.atna.hostname", "gateway.test");
            config.put("photobridge.audit.atna.audit-source-id", "photobridge-test");
            config.put("photobridge.audit.atna.batch-size", "4");
            config.put("photobridge.audit.atna.poll-interval", "300ms");
            config.put("photobridge.audit.atna.initial-backoff", "200ms");
            config.put("photobridge.audit.atna.max-backoff", "1s");
            config.put("photobridge.audit.atna.connect-timeout", "2s");
            config.put("photobridge.audit.atna.timeout", "5s");
            return config;
        } catch (IOException e) {
            throw new IllegalStateException("cannot set up the test ATNA collector", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (collector == null) {
            return;
        }
        try {
            collector.stop();
            try (Stream<Path> files = Files.walk(collector.directory())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
