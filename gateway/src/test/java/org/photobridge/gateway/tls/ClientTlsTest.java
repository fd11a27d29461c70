package org.photobridge.gateway.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks of TLS settings: each mistake gets a message naming the setting, never a secret. */
class ClientTlsTest {
    private static final String PREFIX = "photobridge.destinations.pacs.tls.";

    @TempDir
    static Path dir;

    static TestPki pki;

    @BeforeAll
    static void makePki() throws Exception {
        pki = new TestPki(Files.createDirectories(dir.resolve("pki")));
    }

    private static TlsSettings base() {
        return TlsSettings.defaults(PREFIX, true).withCaFile(pki.caPem);
    }

    private static String refusal(TlsSettings settings) {
        return assertThrows(IllegalStateException.class, () -> ClientTls.of(settings)).getMessage();
    }

    @Test
    void offersOnlyBcp195ProtocolsAndSuites() {
        var tls = ClientTls.of(base());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), tls.protocols());
        assertTrue(tls.cipherSuites().contains("TLS_AES_128_GCM_SHA256"));
        assertTrue(tls.cipherSuites().contains("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        for (String suite : tls.cipherSuites()) {
            assertTrue(Bcp195.CIPHER_SUITES.contains(suite), suite);
            assertFalse(suite.contains("CBC") || suite.startsWith("TLS_RSA_") || suite.startsWith("TLS_DHE_"), suite);
        }
        assertEquals("HTTPS", tls.parameters().getEndpointIdentificationAlgorithm());
        assertEquals(null, ClientTls.of(base().withVerifyHostname(false)).parameters().getEndpointIdentificationAlgorithm());
    }

    @Test
    void refusesTls11() {
        String message = refusal(base().withProtocols(List.of("TLSv1.2", "TLSv1.1")));
        assertTrue(message.contains(PREFIX + "protocols") && message.contains("TLSv1.1"), message);
    }

    @Test
    void missingCaFileNamesSettingAndFile() {
        Path missing = dir.resolve("nowhere/ca.pem");
        String message = refusal(TlsSettings.defaults(PREFIX, true).withCaFile(missing));
        assertTrue(message.contains(PREFIX + "ca-file") && message.contains(missing.toString())
                && message.contains("does not exist"), message);
    }

    @Test
    void caFileWithoutCertificateOrWithBrokenPemIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        assertTrue(refusal(TlsSettings.defaults(PREFIX, true).withCaFile(empty)).contains("holds no PEM certificate"));
        Path broken = Files.writeString(dir.resolve("broken.pem"),
                "-----BEGIN CERTIFICATE-----\nAAAAbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        String message = refusal(TlsSettings.defaults(PREFIX, true).withCaFile(broken));
        assertTrue(message.contains(PREFIX + "ca-file") && message.contains("not a valid PEM X.509 certificate"), message);
    }

    @Test
    void keyThatDoesNotMatchTheCertificateIsRefusedWithoutShowingIt() throws Exception {
        String message = refusal(base().withClientPem(pki.clientCertPem, pki.otherClientKeyPem));
        assertTrue(message.contains(PREFIX + "client-key-file") && message.contains("is not the key of the certificate"),
                message);
        String keyText = Files.readString(pki.otherClientKeyPem);
        String keyBody = keyText.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        assertFalse(message.contains(keyBody), "message must not quote key material");
    }

    @Test
    void keyFileWithoutPkcs8KeyIsRefused() throws Exception {
        String message = refusal(base().withClientPem(pki.clientCertPem, pki.clientCertPem));
        assertTrue(message.contains("holds no PEM private key"), message);
        Path rsa = Files.writeString(dir.resolve("legacy.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertTrue(refusal(base().withClientPem(pki.clientCertPem, rsa)).contains("openssl pkcs8 -topk8 -nocrypt"));
    }

    @Test
    void certificateWithoutKeyIsRefused() {
        var settings = new TlsSettings(PREFIX, true, base().caFile(), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.of(pki.clientCertPem), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), List.of("TLSv1.3"), true);
        assertTrue(refusal(settings).contains("go together"));
    }

    @Test
    void wrongKeyStorePasswordIsRefusedWithoutEchoingIt() {
        String message = refusal(base().withKeyStore(pki.clientP12, "wrong-password-xyz"));
        assertTrue(message.contains(PREFIX + "key-store") && message.contains("wrong password"), message);
        assertFalse(message.contains("wrong-password-xyz"), message);
        assertFalse(base().withKeyStore(pki.clientP12, TestPki.STORE_PASSWORD).toString().contains(TestPki.STORE_PASSWORD));
    }

    @Test
    void pkcs12ClientKeyStoreIsAccepted() {
        var tls = ClientTls.of(base().withKeyStore(pki.clientP12, TestPki.STORE_PASSWORD));
        assertTrue(tls.settings().hasClientCertificate());
    }
}
