package org.photobridge.gateway.audit.atna;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context for the collector: whom to trust (a PEM CA file, a trust store, or the JDK's
 * default CAs) and, for mutual TLS, which client certificate to present (a PEM pair or a key store).
 */
public final class CollectorTls {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private CollectorTls() {
    }

    /** Where trust and the client's identity come from; each is optional. */
    public record Settings(Optional<Path> caFile, Optional<Path> trustStore, Optional<String> trustStorePassword,
            String trustStoreType, Optional<Path> clientCertificateFile, Optional<Path> clientKeyFile,
            Optional<Path> keyStore, Optional<String> keyStorePassword, String keyStoreType) {

        public static Settings of(AtnaConfig config) {
            return new Settings(config.caFile(), config.trustStore(), config.trustStorePassword(),
                    config.trustStoreType(), config.clientCertificateFile(), config.clientKeyFile(), config.keyStore(),
                    config.keyStorePassword(), config.keyStoreType());
        }

        /** Trust in a PEM CA file and, for mutual TLS, a PEM client certificate and key. */
        public static Settings pem(Path caFile, Optional<Path> clientCertificateFile, Optional<Path> clientKeyFile) {
            return new Settings(Optional.of(caFile), Optional.empty(), Optional.empty(), "PKCS12",
                    clientCertificateFile, clientKeyFile, Optional.empty(), Optional.empty(), "PKCS12");
        }
    }

    /** Builds the context; a setting that cannot be read is an error that names the setting. */
    public static SSLContext context(Settings config) {
        if (config.caFile().isPresent() && config.trustStore().isPresent()) {
            throw new IllegalArgumentException(
                    "set photobridge.audit.atna.ca-file or photobridge.audit.atna.trust-store, not both");
        }
        boolean pemPair = config.clientCertificateFile().isPresent() || config.clientKeyFile().isPresent();
        if (pemPair && (config.clientCertificateFile().isEmpty() || config.clientKeyFile().isEmpty())) {
            throw new IllegalArgumentException("photobridge.audit.atna.client-certificate-file and "
                    + "photobridge.audit.atna.client-key-file go together");
        }
        if (pemPair && config.keyStore().isPresent()) {
            throw new IllegalArgumentException("set the PEM client certificate and key or "
                    + "photobridge.audit.atna.key-store, not both");
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (config.caFile().isPresent()) {
                trust.init(trustStoreOf(config.caFile().get()));
            } else if (config.trustStore().isPresent()) {
                trust.init(load(config.trustStore().get(), config.trustStoreType(), config.trustStorePassword().orElse(null),
                        "trust-store"));
            } else {
                trust.init((KeyStore) null);
            }
            KeyManager[] keys = null;
            if (pemPair) {
                keys = keyManagers(keyStoreOf(config.clientCertificateFile().get(), config.clientKeyFile().get()),
                        new char[0]);
            } else if (config.keyStore().isPresent()) {
                char[] password = config.keyStorePassword().map(String::toCharArray).orElse(new char[0]);
                keys = keyManagers(load(config.keyStore().get(), config.keyStoreType(),
                        config.keyStorePassword().orElse(null), "key-store"), password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for the audit record repository: " + e.getMessage(), e);
        }
    }

    /** A trust store holding every certificate of a PEM file. */
    static KeyStore trustStoreOf(Path pemFile) throws GeneralSecurityException {
        List<Certificate> certificates = certificates(pemFile, "ca-file");
        KeyStore store = emptyStore();
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca-" + i, certificates.get(i));
        }
        return store;
    }

    /** A key store holding one PEM client certificate chain and its PKCS#8 key. */
    static KeyStore keyStoreOf(Path certificateFile, Path keyFile) throws GeneralSecurityException {
        List<Certificate> chain = certificates(certificateFile, "client-certificate-file");
        PrivateKey key = privateKey(keyFile, chain.get(0).getPublicKey().getAlgorithm());
        KeyStore store = emptyStore();
        store.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
        return store;
    }

    private static KeyManager[] keyManagers(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
    }

    private static List<Certificate> certificates(Path pemFile, String setting) throws GeneralSecurityException {
        var factory = CertificateFactory.getInstance("X.509");
        var certificates = new ArrayList<Certificate>();
        try (InputStream in = Files.newInputStream(pemFile)) {
            certificates.addAll(factory.generateCertificates(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read photobridge.audit.atna." + setting + " " + pemFile + ": "
                    + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("photobridge.audit.atna." + setting + " " + pemFile
                    + " holds no PEM certificate");
        }
        return certificates;
    }

    private static PrivateKey privateKey(Path keyFile, String algorithm) throws GeneralSecurityException {
        String text;
        try {
            text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read photobridge.audit.atna.client-key-file " + keyFile + ": "
                    + e.getMessage(), e);
        }
        Matcher pem = PEM_BLOCK.matcher(text);
        while (pem.find()) {
            if (pem.group(1).equals("PRIVATE KEY")) {
                byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (InvalidKeySpecException e) {
                    throw new IllegalArgumentException("photobridge.audit.atna.client-key-file " + keyFile
                            + " is not a " + algorithm + " key matching the client certificate", e);
                }
            }
        }
        // The file's contents are a secret: the message names the file only.
        throw new IllegalArgumentException("photobridge.audit.atna.client-key-file " + keyFile
                + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert it with "
                + "openssl pkcs8 -topk8 -nocrypt");
    }

    private static KeyStore load(Path file, String type, String password, String setting)
            throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password == null ? null : password.toCharArray());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read photobridge.audit.atna." + setting + " " + file + ": "
                    + e.getMessage(), e);
        }
        return store;
    }

    private static KeyStore emptyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return store;
    }
}
