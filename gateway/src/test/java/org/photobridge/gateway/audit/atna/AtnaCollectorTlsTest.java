package org.photobridge.gateway.audit.atna;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.audit.atna.CollectorTls.Settings;
import org.photobridge.gateway.audit.atna.SyslogTlsClient.Receipt;

/**
 * The exporter's TLS client against a real rsyslog: mutual TLS, hostname and CA checks, and what
 * counts as the collector's receipt of a batch.
 */
class AtnaCollectorTlsTest {
    private static final SyslogFrame FRAME = new SyslogFrame("gateway.test", "photobridge");

    @TempDir
    Path temp;

    private final List<RsyslogCollector> started = new ArrayList<>();

    @AfterEach
    void stopCollectors() throws InterruptedException {
        for (RsyslogCollector collector : started) {
            collector.stop();
        }
    }

    private RsyslogCollector collector(String name, RsyslogCollector.Options options) throws Exception {
        RsyslogCollector.requireInstalled(options.driver());
        RsyslogCollector collector = RsyslogCollector.create(temp.resolve(name), options);
        collector.start();
        started.add(collector);
        return collector;
    }

    private static SyslogTlsClient client(RsyslogCollector collector, String host, SSLContext tls, Receipt receipt,
            List<String> protocols) {
        return new SyslogTlsClient(tls, host, collector.port(), protocols, Duration.ofSeconds(3),
                Duration.ofSeconds(5), receipt);
    }

    private static SSLContext mutual(RsyslogCollector collector) {
        return CollectorTls.context(Settings.pem(collector.caFile(), Optional.of(collector.clientCertificate()),
                Optional.of(collector.clientKey())));
    }

    private static List<byte[]> frames(long... sequences) {
        var frames = new ArrayList<byte[]>();
        for (long sequence : sequences) {
            frames.add(FRAME.frame(sequence, Instant.parse("2026-11-20T10:11:12.123456Z"), true,
                    ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><AuditMessage n=\"" + sequence + "\"/>")
                            .getBytes(StandardCharsets.UTF_8)));
        }
        return frames;
    }

    @Test
    void deliversOctetCountedMessagesOverMutualTlsAndTakesTheCloseNotifyAsReceipt() throws Exception {
        RsyslogCollector collector = collector("ossl", RsyslogCollector.Options.mutualTls("ossl"));
        try (var client = client(collector, "localhost", mutual(collector), Receipt.CLOSE_NOTIFY,
                List.of("TLSv1.3", "TLSv1.2"))) {
            client.deliver(frames(1, 2, 3));
        }
        // Receipt means rsyslog read the frames; writing them to its file follows within moments.
        var received = collector.await(Duration.ofSeconds(10), r -> r.size() == 3);
        assertEquals(List.of(1L, 2L, 3L), received.stream().map(RsyslogCollector.Received::sequenceId).toList());
        var first = received.get(0);
        assertEquals(85, first.pri(), "facility 10 (security), severity 5 (notice)");
        assertEquals("2026-11-20T10:11:12.123456Z", first.timestamp());
        assertEquals("gateway.test", first.hostname());
        assertEquals("photobridge", first.appName());
        assertEquals("-", first.procId());
        assertEquals("IHE+RFC-3881", first.msgId());
        assertTrue(first.xml().startsWith("<?xml"), first.xml());
    }

    @Test
    void deliversOverTls12WhenThatIsAllTheGatewayOffers() throws Exception {
        RsyslogCollector collector = collector("tls12", RsyslogCollector.Options.mutualTls("ossl"));
        try (var client = client(collector, "127.0.0.1", mutual(collector), Receipt.CLOSE_NOTIFY,
                List.of("TLSv1.2"))) {
            client.deliver(frames(7));
        }
        collector.await(Duration.ofSeconds(10), r -> r.size() == 1 && r.get(0).sequenceId() == 7);
    }

    @Test
    void refusesACollectorWhoseCertificateNamesAnotherHost() throws Exception {
        RsyslogCollector collector = collector("wrong-name",
                new RsyslogCollector.Options("ossl", false, List.of("collector.invalid")));
        try (var client = client(collector, "localhost", mutual(collector), Receipt.CLOSE_NOTIFY,
                List.of("TLSv1.3"))) {
            var failure = assertThrows(IOException.class, () -> client.deliver(frames(1)));
            assertTrue(String.valueOf(failure.getMessage()).contains("localhost"), failure.getMessage());
        }
        Thread.sleep(500);
        assertEquals(List.of(), collector.received(), "nothing is sent to an unverified collector");
    }

    @Test
    void refusesACollectorSignedByAnotherCa() throws Exception {
        RsyslogCollector collector = collector("collector", RsyslogCollector.Options.mutualTls("ossl"));
        RsyslogCollector.requireInstalled("ossl");
        RsyslogCollector stranger = RsyslogCollector.create(temp.resolve("stranger"),
                RsyslogCollector.Options.mutualTls("ossl"));
        SSLContext trustsOtherCa = CollectorTls.context(Settings.pem(stranger.caFile(),
                Optional.of(collector.clientCertificate()), Optional.of(collector.clientKey())));
        try (var client = client(collector, "localhost", trustsOtherCa, Receipt.CLOSE_NOTIFY, List.of("TLSv1.3"))) {
            assertThrows(javax.net.ssl.SSLHandshakeException.class, () -> client.deliver(frames(1)));
        }
        Thread.sleep(500);
        assertEquals(List.of(), collector.received());
    }

    @Test
    void withoutAClientCertificateAMutualTlsCollectorRefusesAndNothingCountsAsDelivered() throws Exception {
        RsyslogCollector collector = collector("no-client-cert", RsyslogCollector.Options.mutualTls("ossl"));
        SSLContext serverOnly = CollectorTls.context(Settings.pem(collector.caFile(), Optional.empty(),
                Optional.empty()));
        try (var client = client(collector, "localhost", serverOnly, Receipt.CLOSE_NOTIFY, List.of("TLSv1.3"))) {
            assertThrows(IOException.class, () -> client.deliver(frames(1)));
        }
        Thread.sleep(500);
        assertEquals(List.of(), collector.received());
    }

    @Test
    void aCollectorThatClosesWithoutCloseNotifyGivesNoReceiptUnlessEndOfStreamIsAccepted() throws Exception {
        // rsyslog's GnuTLS driver ends the TCP connection without answering close_notify.
        RsyslogCollector collector = collector("gtls", RsyslogCollector.Options.mutualTls("gtls"));
        try (var strict = client(collector, "localhost", mutual(collector), Receipt.CLOSE_NOTIFY,
                List.of("TLSv1.3"))) {
            var failure = assertThrows(IOException.class, () -> strict.deliver(frames(1)));
            assertTrue(failure.getMessage().contains("close_notify"), failure.getMessage());
        }
        try (var lenient = client(collector, "localhost", mutual(collector), Receipt.END_OF_STREAM,
                List.of("TLSv1.3"))) {
            lenient.deliver(frames(2));
        }
        // The strict client's message did arrive: it will be sent again, a duplicate and not a loss.
        collector.await(Duration.ofSeconds(10), r -> r.size() == 2);
    }

    @Test
    void aTrustStoreAndAKeyStoreServeLikeThePemFiles() throws Exception {
        RsyslogCollector collector = collector("stores", RsyslogCollector.Options.mutualTls("ossl"));
        Path keyStore = temp.resolve("client.p12");
        RsyslogCollector.openssl(collector.directory(), "pkcs12", "-export", "-in",
                collector.clientCertificate().toString(), "-inkey", collector.clientKey().toString(), "-name", "client",
                "-out", keyStore.toString(), "-passout", "pass:key-secret");
        Path trustStore = temp.resolve("trust.p12");
        var trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(collector.caFile())) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in));
        }
        try (var out = Files.newOutputStream(trustStore)) {
            trust.store(out, "trust-secret".toCharArray());
        }
        SSLContext tls = CollectorTls.context(new Settings(Optional.empty(), Optional.of(trustStore),
                Optional.of("trust-secret"), "PKCS12", Optional.empty(), Optional.empty(), Optional.of(keyStore),
                Optional.of("key-secret"), "PKCS12"));
        try (var client = client(collector, "localhost", tls, Receipt.CLOSE_NOTIFY, List.of("TLSv1.3"))) {
            client.deliver(frames(11));
        }
        collector.await(Duration.ofSeconds(10), r -> r.size() == 1 && r.get(0).sequenceId() == 11);
    }

    @Test
    void tlsSettingsThatCannotWorkAreRefusedNamingTheSettingAndNotTheKey() throws Exception {
        RsyslogCollector.requireInstalled("ossl");
        Path ca = temp.resolve("ca.pem");
        RsyslogCollector.openssl(temp, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", temp.resolve("ca.key").toString(), "-out", ca.toString(), "-days", "1",
                "-subj", "/CN=test");
        var both = assertThrows(IllegalArgumentException.class, () -> CollectorTls.context(new Settings(
                Optional.of(ca), Optional.of(ca), Optional.empty(), "PKCS12", Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), "PKCS12")));
        assertTrue(both.getMessage().contains("ca-file") && both.getMessage().contains("trust-store"),
                both.getMessage());
        var half = assertThrows(IllegalArgumentException.class, () -> CollectorTls.context(
                Settings.pem(ca, Optional.of(ca), Optional.empty())));
        assertTrue(half.getMessage().contains("client-key-file"), half.getMessage());
        // An encrypted (or otherwise non-PKCS#8) key: the message names the file, not its contents.
        Path legacyKey = temp.resolve("legacy.key");
        Files.writeString(legacyKey, "-----BEGIN EC PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n"
                + "-----END EC PRIVATE KEY-----\n");
        var legacy = assertThrows(IllegalArgumentException.class, () -> CollectorTls.context(
                Settings.pem(ca, Optional.of(ca), Optional.of(legacyKey))));
        assertTrue(legacy.getMessage().contains("client-key-file") && legacy.getMessage().contains("PKCS#8"),
                legacy.getMessage());
        assertTrue(!legacy.getMessage().contains("c2VjcmV0"), "no key material in the message");
        var unreadable = assertThrows(IllegalArgumentException.class, () -> CollectorTls.context(
                Settings.pem(temp.resolve("missing.pem"), Optional.empty(), Optional.empty())));
        assertTrue(unreadable.getMessage().contains("ca-file"), unreadable.getMessage());
    }

    @Test
    void failsWhenNoCollectorListens() throws Exception {
        RsyslogCollector collector = collector("stopped", RsyslogCollector.Options.mutualTls("ossl"));
        collector.stop();
        try (var client = client(collector, "localhost", mutual(collector), Receipt.CLOSE_NOTIFY,
                List.of("TLSv1.3"))) {
            assertThrows(java.net.ConnectException.class, () -> client.deliver(frames(1)));
        }
        assertTrue(Files.notExists(collector.directory().resolve("received.log")));
    }
}
