package org.photobridge.gateway.ehr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.ehr.EhrClient;
import org.photobridge.fhir.ehr.EhrRejectedException;
import org.photobridge.fhir.ehr.EhrUnavailableException;
import org.photobridge.gateway.tls.TestHttpsServer;
import org.photobridge.gateway.tls.TestPki;
import org.photobridge.gateway.tls.TestPki.ServerIdentity;
import org.photobridge.gateway.tls.TlsConfig;
import org.photobridge.gateway.tls.TlsFailure;

/**
 * The EHR's FHIR client over HTTPS, configured as the gateway configures it ({@link EhrPatients#clientSettings}),
 * against a JDK HTTPS server that answers a Patient search: the CA, the hostname check, the client
 * certificate, redirects and the rule that a bearer token never travels over plain http.
 */
class EhrTlsTest {
    private static final String ONE_PATIENT = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":1,"
            + "\"entry\":[{\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p-77\"}}]}";
    private static final BusinessIdentifier MRN = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-TLS-1");

    @TempDir
    static Path shared;

    static TestPki pki;

    @BeforeAll
    static void makePki() throws Exception {
        pki = new TestPki(Files.createDirectories(shared.resolve("pki")));
    }

    record Tls(boolean enabled, Optional<Path> caFile, Optional<Path> clientCertificateFile, Optional<Path> clientKeyFile,
            boolean verifyHostname) implements TlsConfig {
        @Override
        public Optional<Path> trustStore() {
            return Optional.empty();
        }

        @Override
        public Optional<String> trustStorePassword() {
            return Optional.empty();
        }

        @Override
        public Optional<Path> keyStore() {
            return Optional.empty();
        }

        @Override
        public Optional<String> keyStorePassword() {
            return Optional.empty();
        }

        @Override
        public List<String> protocols() {
            return List.of("TLSv1.3", "TLSv1.2");
        }
    }

    record Config(Optional<URI> url, Optional<String> bearerToken, boolean plainHttpOnLoopback, TlsConfig tls)
            implements EhrConfig {
        @Override
        public Duration timeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public URI wadoRsUrl() {
            return URI.create("https://gateway.test/dicomweb");
        }

        @Override
        public long maxResponseBytes() {
            return org.photobridge.fhir.ehr.EhrSettings.DEFAULT_MAX_RESPONSE_BYTES;
        }
    }

    private static Tls trustingTestCa() {
        return new Tls(false, Optional.of(pki.caPem), Optional.empty(), Optional.empty(), true);
    }

    private static EhrClient client(String url, Tls tls) {
        return new EhrClient(EhrPatients.clientSettings(new Config(Optional.of(URI.create(url)), Optional.of("ehr-token"),
                false, tls)));
    }

    private static TestHttpsEhr ehr(ServerIdentity identity, boolean requireClientCertificate) throws Exception {
        return new TestHttpsEhr(pki.serverContext(identity, requireClientCertificate), requireClientCertificate);
    }

    @Test
    void resolvesPatientOverHttpsTrustingTheConfiguredCa() throws Exception {
        try (var ehr = ehr(ServerIdentity.TRUSTED, false)) {
            ehr.server.answer(200, "application/fhir+json", ONE_PATIENT);

            assertEquals(Optional.of("Patient/p-77"), client(ehr.url("localhost"), trustingTestCa()).resolvePatient(MRN));
            assertEquals(1, ehr.server.received().size());
            assertEquals("Bearer ehr-token", ehr.server.received().get(0).authorization());
        }
    }

    @Test
    void untrustedOrMisnamedEhrIsRefusedWithItsReason() throws Exception {
        try (var impostor = ehr(ServerIdentity.IMPOSTOR, false); var misnamed = ehr(ServerIdentity.WRONG_NAME, false)) {
            var untrusted = assertThrows(EhrUnavailableException.class,
                    () -> client(impostor.url("127.0.0.1"), trustingTestCa()).resolvePatient(MRN));
            assertTrue(TlsFailure.reason(untrusted.getCause(), false).orElseThrow().contains("untrusted certificate"));
            assertEquals(0, impostor.server.received().size());

            var mismatch = assertThrows(EhrUnavailableException.class,
                    () -> client(misnamed.url("127.0.0.1"), trustingTestCa()).resolvePatient(MRN));
            assertTrue(TlsFailure.reason(mismatch.getCause(), false).orElseThrow().contains("hostname mismatch"));

            misnamed.server.answer(200, "application/fhir+json", ONE_PATIENT);
            var unchecked = new Tls(false, Optional.of(pki.caPem), Optional.empty(), Optional.empty(), false);
            assertEquals(Optional.of("Patient/p-77"), client(misnamed.url("127.0.0.1"), unchecked).resolvePatient(MRN));
        }
    }

    @Test
    void ehrRequiringClientCertificateGetsOurs() throws Exception {
        try (var ehr = ehr(ServerIdentity.TRUSTED, true)) {
            ehr.server.answer(200, "application/fhir+json", ONE_PATIENT);
            assertThrows(EhrUnavailableException.class, () -> client(ehr.url("127.0.0.1"), trustingTestCa()).resolvePatient(MRN));
            assertEquals(0, ehr.server.received().size());

            var withCertificate = new Tls(false, Optional.of(pki.caPem), Optional.of(pki.clientCertPem),
                    Optional.of(pki.clientKeyPem), true);
            assertEquals(Optional.of("Patient/p-77"), client(ehr.url("127.0.0.1"), withCertificate).resolvePatient(MRN));
            assertEquals(1, ehr.server.received().size());
        }
    }

    @Test
    void redirectIsNotFollowedWithTheBearerToken() throws Exception {
        try (var elsewhere = ehr(ServerIdentity.TRUSTED, false); var configured = ehr(ServerIdentity.TRUSTED, false)) {
            elsewhere.server.answer(200, "application/fhir+json", ONE_PATIENT);
            configured.server.redirectTo(elsewhere.url("localhost") + "/Patient?identifier=x");

            var refused = assertThrows(EhrRejectedException.class,
                    () -> client(configured.url("127.0.0.1"), trustingTestCa()).resolvePatient(MRN));
            assertTrue(refused.getMessage().contains("redirects are not followed"), refused.getMessage());
            assertEquals(1, configured.server.received().size());
            assertEquals(0, elsewhere.server.received().size(), "the token never reached the redirect target");
        }
    }

    @Test
    void bearerTokenOverPlainHttpIsRefusedAtStartUpExceptToLoopbackWhenAllowed() {
        var none = new Tls(false, Optional.empty(), Optional.empty(), Optional.empty(), true);
        var remote = assertThrows(IllegalStateException.class, () -> EhrPatients.clientSettings(
                new Config(Optional.of(URI.create("http://ehr.example.org/fhir")), Optional.of("t"), true, none)));
        assertTrue(remote.getMessage().contains("not loopback"), remote.getMessage());
        var loopback = assertThrows(IllegalStateException.class, () -> EhrPatients.clientSettings(
                new Config(Optional.of(URI.create("http://127.0.0.1:8080/fhir")), Optional.of("t"), false, none)));
        assertTrue(loopback.getMessage().contains("photobridge.ehr.plain-http-on-loopback=true"), loopback.getMessage());
        assertTrue(EhrPatients.clientSettings(new Config(Optional.of(URI.create("http://127.0.0.1:8080/fhir")),
                Optional.of("t"), true, none)).bearerToken().isPresent());
        var tlsOn = new Tls(true, Optional.empty(), Optional.empty(), Optional.empty(), true);
        var plainWithTls = assertThrows(IllegalStateException.class, () -> EhrPatients.clientSettings(
                new Config(Optional.of(URI.create("http://127.0.0.1:8080/fhir")), Optional.empty(), false, tlsOn)));
        assertTrue(plainWithTls.getMessage().contains("tls.enabled=true"), plainWithTls.getMessage());
    }

    /** A FHIR base on a test HTTPS server. */
    static final class TestHttpsEhr implements AutoCloseable {
        final TestHttpsServer server;

        TestHttpsEhr(javax.net.ssl.SSLContext tls, boolean requireClientCertificate) throws Exception {
            server = new TestHttpsServer(tls, requireClientCertificate);
        }

        String url(String host) {
            return server.baseUrl(host) + "/fhir";
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
