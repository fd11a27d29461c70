package org.photobridge.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.pacs.HttpCredentials;
import org.photobridge.gateway.pacs.OrthancTestPeer;
import org.photobridge.gateway.pacs.PacsOutcome;
import org.photobridge.gateway.pacs.StowRsDestination;
import org.photobridge.gateway.pacs.StowRsSettings;
import org.photobridge.gateway.tls.TestPki.ServerIdentity;
import org.photobridge.gateway.testing.RecordingStowRs;

/**
 * STOW-RS over HTTPS to a recording JDK HTTPS server with the test PKI: the server's certificate is
 * verified against the configured CA (and its name), a client certificate is presented when the server
 * requires one, and redirects never carry credentials anywhere.
 */
class HttpsTlsTest {
    private static final String PREFIX = "photobridge.destinations.stow.tls.";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path shared;

    static TestPki pki;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makePki() throws Exception {
        pki = new TestPki(Files.createDirectories(shared.resolve("pki")));
    }

    private static TlsSettings trustingTestCa() {
        return TlsSettings.defaults(PREFIX, true).withCaFile(pki.caPem);
    }

    private static StowRsDestination stow(String baseUrl, HttpCredentials credentials, Optional<TlsSettings> tls) {
        return new StowRsDestination(new StowRsSettings("stow", URI.create(baseUrl), credentials, TIMEOUT, TIMEOUT,
                tls.map(ClientTls::of)));
    }

    private static String onHost(String baseUrl, String host) {
        return baseUrl.replace("127.0.0.1", host);
    }

    @Test
    void stowRsOverHttpsTrustingTheConfiguredCaDelivers() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var receiver = new RecordingStowRs(pki.serverContext(ServerIdentity.TRUSTED, false), false).start()) {
            receiver.requireBasicAuth("gateway", "s3cret");
            PacsOutcome outcome = stow(onHost(receiver.baseUrl(), "localhost"), new HttpCredentials.Basic("gateway", "s3cret"),
                    Optional.of(trustingTestCa())).deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Done.class, outcome, outcome.message());
            assertEquals(1, receiver.receivedCount(photo.sopInstanceUid()));
        }
    }

    @Test
    void untrustedServerCertificateIsRefusedAndNothingIsReceived() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var receiver = new RecordingStowRs(pki.serverContext(ServerIdentity.IMPOSTOR, false), false).start()) {
            PacsOutcome configured = stow(receiver.baseUrl(), new HttpCredentials.Bearer("token-1"),
                    Optional.of(trustingTestCa())).deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            // Without a configured CA the JDK's CAs apply: a private CA is not among them either.
            PacsOutcome jdkDefaults = stow(receiver.baseUrl(), new HttpCredentials.None(), Optional.empty())
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            for (PacsOutcome outcome : new PacsOutcome[] {configured, jdkDefaults}) {
                assertInstanceOf(PacsOutcome.Retry.class, outcome, outcome.message());
                assertTrue(outcome.message().contains("untrusted certificate"), outcome.message());
            }
            assertEquals(0, receiver.posts().size());
        }
    }

    @Test
    void hostnameMismatchIsRefusedUnlessVerificationIsTurnedOff() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var receiver = new RecordingStowRs(pki.serverContext(ServerIdentity.WRONG_NAME, false), false).start()) {
            PacsOutcome checked = stow(receiver.baseUrl(), new HttpCredentials.None(), Optional.of(trustingTestCa()))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Retry.class, checked, checked.message());
            assertTrue(checked.message().contains("hostname mismatch"), checked.message());
            assertEquals(0, receiver.posts().size());

            PacsOutcome unchecked = stow(receiver.baseUrl(), new HttpCredentials.None(),
                    Optional.of(trustingTestCa().withVerifyHostname(false)))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Done.class, unchecked, unchecked.message());
            assertEquals(1, receiver.receivedCount(photo.sopInstanceUid()));
        }
    }

    @Test
    void serverRequiringClientCertificateGetsOursOrExplainsItsAbsence() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var receiver = new RecordingStowRs(pki.serverContext(ServerIdentity.TRUSTED, true), true).start()) {
            PacsOutcome without = stow(receiver.baseUrl(), new HttpCredentials.None(), Optional.of(trustingTestCa()))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Retry.class, without, without.message());
            assertTrue(without.message().contains("client certificate"), without.message());
            assertEquals(0, receiver.posts().size());

            PacsOutcome with = stow(receiver.baseUrl(), new HttpCredentials.None(),
                    Optional.of(trustingTestCa().withClientPem(pki.clientCertPem, pki.clientKeyPem)))
                    .deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());
            assertInstanceOf(PacsOutcome.Done.class, with, with.message());
            assertEquals(1, receiver.receivedCount(photo.sopInstanceUid()));
        }
    }

    @Test
    void redirectIsNotFollowedSoCredentialsStayWithTheConfiguredServer() throws Exception {
        var photo = OrthancTestPeer.makePhoto(tmp);
        try (var elsewhere = new TestHttpsServer(pki.serverContext(ServerIdentity.TRUSTED, false), false);
                var configured = new TestHttpsServer(pki.serverContext(ServerIdentity.TRUSTED, false), false)) {
            configured.redirectTo(elsewhere.baseUrl("localhost") + "/dicom-web/studies");
            PacsOutcome outcome = stow(configured.baseUrl("127.0.0.1") + "/dicom-web", new HttpCredentials.Bearer("token-2"),
                    Optional.of(trustingTestCa())).deliver(photo.file(), photo.sopClassUid(), photo.sopInstanceUid());

            assertInstanceOf(PacsOutcome.Failed.class, outcome, outcome.message());
            assertTrue(outcome.message().contains("redirects are not followed"), outcome.message());
            assertEquals(1, configured.received().size());
            assertEquals("Bearer token-2", configured.received().get(0).authorization());
            assertEquals(0, elsewhere.received().size(), "nothing, and no credentials, reached the redirect target");
        }
    }
}
