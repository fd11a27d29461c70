package org.photobridge.gateway.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI made for one test run with Bouncy Castle: a test CA, a server certificate for
 * 127.0.0.1 and localhost, a client certificate, and a second, unrelated CA with its own server
 * certificate (a peer nobody configured to trust). Everything is written as PEM (and the client also as
 * PKCS12) into a directory the test owns.
 */
public final class TestPki {
    public static final String STORE_PASSWORD = "test-store-pass";

    public final Path dir;
    public final Path caPem;
    public final Path serverCertPem;
    public final Path serverKeyPem;
    /** A server certificate of the test CA for a name that is not this host. */
    public final Path wrongNameCertPem;
    public final Path wrongNameKeyPem;
    public final Path clientCertPem;
    public final Path clientKeyPem;
    public final Path clientP12;
    public final Path otherCaPem;
    public final Path otherServerCertPem;
    public final Path otherServerKeyPem;
    /** A client certificate of the other CA (the peer does not trust it). */
    public final Path otherClientCertPem;
    public final Path otherClientKeyPem;

    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final KeyPair serverKeys;
    private final X509Certificate server;
    private final KeyPair otherKeys;
    private final X509Certificate otherServer;
    private final KeyPair wrongKeys;
    private final X509Certificate wrong;

    public TestPki(Path dir) throws Exception {
        this.dir = dir;
        caKeys = rsa();
        ca = certificate("CN=PhotoBridge Test CA", caKeys, "CN=PhotoBridge Test CA", caKeys.getPrivate(), true, null);
        serverKeys = rsa();
        server = certificate("CN=test-pacs", serverKeys, "CN=PhotoBridge Test CA", caKeys.getPrivate(), false,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        wrongKeys = rsa();
        wrong = certificate("CN=elsewhere", wrongKeys, "CN=PhotoBridge Test CA", caKeys.getPrivate(), false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "pacs.elsewhere.example")));
        var clientKeys = rsa();
        var client = certificate("CN=PHOTOBRIDGE", clientKeys, "CN=PhotoBridge Test CA", caKeys.getPrivate(), false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "photobridge.test")));
        var otherCaKeys = rsa();
        var otherCa = certificate("CN=Unrelated CA", otherCaKeys, "CN=Unrelated CA", otherCaKeys.getPrivate(), true, null);
        otherKeys = rsa();
        otherServer = certificate("CN=impostor", otherKeys, "CN=Unrelated CA", otherCaKeys.getPrivate(), false,
                new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")}));
        var otherClientKeys = rsa();
        var otherClient = certificate("CN=stranger", otherClientKeys, "CN=Unrelated CA", otherCaKeys.getPrivate(), false,
                new GeneralNames(new GeneralName(GeneralName.dNSName, "stranger.test")));

        caPem = pem("ca.pem", ca);
        serverCertPem = pem("server.pem", server, ca);
        serverKeyPem = pem("server.key", serverKeys.getPrivate());
        wrongNameCertPem = pem("wrong-name.pem", wrong, ca);
        wrongNameKeyPem = pem("wrong-name.key", wrongKeys.getPrivate());
        clientCertPem = pem("client.pem", client);
        clientKeyPem = pem("client.key", clientKeys.getPrivate());
        otherCaPem = pem("other-ca.pem", otherCa);
        otherServerCertPem = pem("other-server.pem", otherServer);
        otherServerKeyPem = pem("other-server.key", otherKeys.getPrivate());
        otherClientCertPem = pem("other-client.pem", otherClient);
        otherClientKeyPem = pem("other-client.key", otherClientKeys.getPrivate());
        var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("client", clientKeys.getPrivate(), STORE_PASSWORD.toCharArray(), new Certificate[] {client, ca});
        clientP12 = dir.resolve("client.p12");
        try (OutputStream out = Files.newOutputStream(clientP12)) {
            store.store(out, STORE_PASSWORD.toCharArray());
        }
    }

    /** Which certificate a test server presents. */
    public enum ServerIdentity {
        /** The test CA's certificate for 127.0.0.1 and localhost. */
        TRUSTED,
        /** The test CA's certificate for another host name. */
        WRONG_NAME,
        /** A certificate for 127.0.0.1 from a CA nobody configured. */
        IMPOSTOR
    }

    /** A server-side context presenting {@code identity}; with {@code trustTestCaClients}, client certificates of the test CA are trusted. */
    public SSLContext serverContext(ServerIdentity identity, boolean trustTestCaClients) throws Exception {
        var keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        switch (identity) {
            case IMPOSTOR -> keys.setKeyEntry("server", otherKeys.getPrivate(), new char[0], new Certificate[] {otherServer});
            case WRONG_NAME -> keys.setKeyEntry("server", wrongKeys.getPrivate(), new char[0], new Certificate[] {wrong, ca});
            case TRUSTED -> keys.setKeyEntry("server", serverKeys.getPrivate(), new char[0], new Certificate[] {server, ca});
        }
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        var anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("ca", ca);
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        var context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), trustTestCaClients ? tmf.getTrustManagers() : null, new SecureRandom());
        return context;
    }

    private static KeyPair rsa() throws Exception {
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair keys, String issuer, PrivateKey issuerKey,
            boolean isCa, GeneralNames names) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(2))), new X500Name(subject), keys.getPublic());
        var extensions = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (isCa) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        }
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        var signer = new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private Path pem(String name, Object... objects) throws IOException {
        var text = new StringWriter();
        try (var writer = new JcaPEMWriter(text)) {
            for (Object o : objects) {
                // A PrivateKey is written as PKCS#8 "BEGIN PRIVATE KEY" by JcaPKCS8Generator.
                writer.writeObject(o instanceof PrivateKey key ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(key, null) : o);
            }
        }
        Path file = dir.resolve(name);
        Files.writeString(file, text.toString());
        return file;
    }
}
