package org.photobridge.gateway.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The client side of TLS for one connection, built once from {@link TlsSettings} and checked then: the
 * trust anchors, the optional client certificate and key (which must match), and the BCP 195 protocol
 * and cipher-suite policy ({@link Bcp195}). Every setting that cannot be used stops start-up with a
 * message naming the setting and the file, never the key material or a password.
 */
public final class ClientTls {
    private static final Pattern PEM_BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    /** How long a TLS 1.3 peer that asked for our certificate gets to refuse it after the handshake. */
    private static final Duration VERDICT_WAIT = Duration.ofSeconds(1);

    private final TlsSettings settings;
    private final SSLContext context;
    private final CertificateRequests certificateRequests;
    private final String[] protocols;
    private final String[] cipherSuites;

    private ClientTls(TlsSettings settings, SSLContext context, CertificateRequests certificateRequests,
            String[] protocols, String[] cipherSuites) {
        this.settings = settings;
        this.certificateRequests = certificateRequests;
        this.context = context;
        this.protocols = protocols;
        this.cipherSuites = cipherSuites;
    }

    /**
     * Builds and checks the TLS client.
     *
     * @throws IllegalStateException naming the setting at fault
     */
    public static ClientTls of(TlsSettings settings) {
        String p = settings.prefix();
        for (String protocol : settings.protocols()) {
            if (!Bcp195.PROTOCOLS.contains(protocol)) {
                throw new IllegalStateException(p + "protocols: '" + protocol + "' is not allowed; BCP 195 permits "
                        + "only TLSv1.3 and TLSv1.2");
            }
        }
        if (settings.caFile().isPresent() && settings.trustStore().isPresent()) {
            throw new IllegalStateException("set " + p + "ca-file or " + p + "trust-store, not both");
        }
        boolean pemPair = settings.clientCertificateFile().isPresent() || settings.clientKeyFile().isPresent();
        if (pemPair && (settings.clientCertificateFile().isEmpty() || settings.clientKeyFile().isEmpty())) {
            throw new IllegalStateException(p + "client-certificate-file and " + p + "client-key-file go together");
        }
        if (pemPair && settings.keyStore().isPresent()) {
            throw new IllegalStateException("set " + p + "client-certificate-file/client-key-file or " + p
                    + "key-store, not both");
        }
        try {
            KeyStore anchors = null;
            if (settings.caFile().isPresent()) {
                anchors = trustStoreOf(settings.caFile().get(), p + "ca-file");
            } else if (settings.trustStore().isPresent()) {
                anchors = load(settings.trustStore().get(), settings.trustStorePassword().orElse(null), p + "trust-store");
                if (!hasCertificate(anchors)) {
                    throw new IllegalStateException(p + "trust-store " + settings.trustStore().get()
                            + " holds no trusted certificate");
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(anchors);
            TrustManager[] trustManagers = trust.getTrustManagers();
            if (!settings.verifyHostname()) {
                trustManagers = new TrustManager[] {new ChainOnlyTrustManager(x509(trustManagers))};
            }
            KeyManager[] keys = null;
            if (pemPair) {
                keys = keyManagers(pemKeyStore(settings.clientCertificateFile().get(), settings.clientKeyFile().get(), p),
                        new char[0]);
            } else if (settings.keyStore().isPresent()) {
                String password = settings.keyStorePassword().orElse(null);
                KeyStore store = load(settings.keyStore().get(), password, p + "key-store");
                requireMatchingKey(store, password, p + "key-store " + settings.keyStore().get());
                keys = keyManagers(store, password == null ? new char[0] : password.toCharArray());
            }
            if (keys == null) {
                keys = keyManagers(emptyStore(), new char[0]);
            }
            var certificateRequests = new CertificateRequests(x509Keys(keys));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {certificateRequests}, trustManagers, new SecureRandom());
            var supportedSuites = List.of(context.getSupportedSSLParameters().getCipherSuites());
            String[] suites = Bcp195.CIPHER_SUITES.stream().filter(supportedSuites::contains).toArray(String[]::new);
            var supportedProtocols = List.of(context.getSupportedSSLParameters().getProtocols());
            String[] protocols = settings.protocols().stream().filter(supportedProtocols::contains).toArray(String[]::new);
            if (protocols.length == 0 || suites.length == 0) {
                throw new IllegalStateException(p + "protocols: this JDK supports none of " + settings.protocols()
                        + " with a BCP 195 cipher suite");
            }
            return new ClientTls(settings, context, certificateRequests, protocols, suites);
        } catch (GeneralSecurityException e) {
            // Messages of the JDK's key and certificate errors name formats and algorithms, not key bytes.
            throw new IllegalStateException("cannot set up TLS (" + p + "*): " + e.getClass().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    public TlsSettings settings() {
        return settings;
    }

    /**
     * Whether the last peer that asked this client for a certificate got none because none is configured.
     * A TLS 1.3 server refuses that after the client's handshake is done, which HTTP clients often report
     * only as a closed connection; this explains it.
     */
    public boolean lastCertificateRequestUnanswered() {
        return certificateRequests.lastRequestUnanswered;
    }

    public SSLContext context() {
        return context;
    }

    public List<String> protocols() {
        return List.of(protocols);
    }

    public List<String> cipherSuites() {
        return List.of(cipherSuites);
    }

    /** Parameters for one connection: BCP 195 protocols and suites, hostname check as configured. */
    public SSLParameters parameters() {
        var parameters = new SSLParameters(cipherSuites.clone(), protocols.clone());
        parameters.setUseCipherSuitesOrder(true);
        // "HTTPS" is RFC 2818/6125 matching of subjectAltName (DNS names and IP addresses), also right for DICOM.
        parameters.setEndpointIdentificationAlgorithm(settings.verifyHostname() ? "HTTPS" : null);
        return parameters;
    }

    /**
     * A TLS connection to {@code host:port} with its handshake done: TCP within {@code connectTimeout},
     * the handshake within {@code handshakeTimeout}. The socket is returned with no read time-out.
     *
     * <p>For a peer that speaks only after the client (DICOM: the requester sends A-ASSOCIATE-RQ first).
     * In TLS 1.3 the client finishes its handshake before the server has judged the client's certificate,
     * so when the peer asked for one we wait briefly for its verdict: a refusal comes as an alert (or a
     * close), is reported here, and no application byte has been sent.
     *
     * @throws IOException the TCP or TLS failure; {@link TlsFailure#reason} says what it means
     */
    public SSLSocket connect(String host, int port, Duration connectTimeout, Duration handshakeTimeout) throws IOException {
        var tcp = new Socket();
        try {
            tcp.connect(new InetSocketAddress(host, port), millis(connectTimeout));
            tcp.setTcpNoDelay(true);
            var tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, host, port, true);
            tls.setSSLParameters(parameters());
            tls.setSoTimeout(millis(handshakeTimeout));
            try {
                tls.startHandshake();
            } catch (java.net.SocketException e) {
                // A TLS 1.3 server that refuses the client's certificate may close before the client has
                // written its Finished: the client sees a broken pipe, not the alert.
                if (certificateRequests.asked(tls)) {
                    throw refusal(e);
                }
                throw e;
            }
            if (certificateRequests.asked(tls) && "TLSv1.3".equals(tls.getSession().getProtocol())) {
                awaitVerdict(tls, handshakeTimeout);
            }
            tls.setSoTimeout(0);
            return tls;
        } catch (IOException | RuntimeException e) {
            try {
                tcp.close();
            } catch (IOException ignored) {
                // the failure is what matters
            }
            throw e;
        }
    }

    private void awaitVerdict(SSLSocket tls, Duration handshakeTimeout) throws IOException {
        tls.setSoTimeout(millis(handshakeTimeout.compareTo(VERDICT_WAIT) < 0 ? handshakeTimeout : VERDICT_WAIT));
        int first;
        try {
            first = tls.getInputStream().read();
        } catch (java.net.SocketTimeoutException accepted) {
            return; // no refusal: the connection stands
        }
        if (first < 0) {
            throw refusal(null);
        }
        throw new IOException("the peer sent data before the association request; not a DICOM acceptor");
    }

    /** The peer ended the connection after asking for our certificate: it refused ours, or wanted one. */
    private javax.net.ssl.SSLException refusal(Throwable cause) {
        return new javax.net.ssl.SSLException("the peer closed the connection after asking for a client certificate ("
                + (settings.hasClientCertificate() ? "bad_certificate" : "certificate_required") + ")", cause);
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    // ---------------------------------------------------------------- reading and checking material

    private static KeyStore trustStoreOf(Path pemFile, String setting) throws GeneralSecurityException {
        List<X509Certificate> certificates = certificates(pemFile, setting);
        KeyStore store = emptyStore();
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca-" + i, certificates.get(i));
        }
        return store;
    }

    private static KeyStore pemKeyStore(Path certificateFile, Path keyFile, String p) throws GeneralSecurityException {
        List<X509Certificate> chain = certificates(certificateFile, p + "client-certificate-file");
        PrivateKey key = privateKey(keyFile, chain.get(0).getPublicKey().getAlgorithm(), p + "client-key-file");
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new IllegalStateException(p + "client-key-file " + keyFile + " is not the key of the certificate in "
                    + p + "client-certificate-file " + certificateFile);
        }
        KeyStore store = emptyStore();
        store.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
        return store;
    }

    private static void requireMatchingKey(KeyStore store, String password, String what) throws GeneralSecurityException {
        boolean found = false;
        for (String alias : Collections.list(store.aliases())) {
            if (!store.isKeyEntry(alias)) {
                continue;
            }
            var key = store.getKey(alias, password == null ? new char[0] : password.toCharArray());
            Certificate certificate = store.getCertificate(alias);
            if (!(key instanceof PrivateKey privateKey) || certificate == null) {
                continue;
            }
            if (!matches(privateKey, certificate.getPublicKey())) {
                throw new IllegalStateException(what + ": the key of entry '" + alias + "' does not match its certificate");
            }
            found = true;
        }
        if (!found) {
            throw new IllegalStateException(what + " holds no private key with a certificate");
        }
    }

    /** Whether a key belongs to a certificate: a signature by the one verifies with the other. */
    static boolean matches(PrivateKey key, PublicKey publicKey) throws GeneralSecurityException {
        String algorithm = switch (publicKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + publicKey.getAlgorithm());
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            var signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            var verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (java.security.InvalidKeyException | java.security.SignatureException e) {
            return false;
        }
    }

    private static List<X509Certificate> certificates(Path pemFile, String setting) throws GeneralSecurityException {
        String text = read(pemFile, setting);
        var factory = CertificateFactory.getInstance("X.509");
        var certificates = new ArrayList<X509Certificate>();
        Matcher pem = PEM_BLOCK.matcher(text);
        while (pem.find()) {
            if (!pem.group(1).equals("CERTIFICATE")) {
                continue;
            }
            try {
                byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
                certificates.add((X509Certificate) factory.generateCertificate(new java.io.ByteArrayInputStream(der)));
            } catch (IllegalArgumentException | CertificateException e) {
                throw new IllegalStateException(setting + " " + pemFile + ": certificate " + (certificates.size() + 1)
                        + " is not a valid PEM X.509 certificate", e);
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalStateException(setting + " " + pemFile
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return certificates;
    }

    private static PrivateKey privateKey(Path keyFile, String algorithm, String setting) throws GeneralSecurityException {
        String text = read(keyFile, setting);
        Matcher pem = PEM_BLOCK.matcher(text);
        while (pem.find()) {
            switch (pem.group(1)) {
                case "PRIVATE KEY" -> {
                    try {
                        byte[] der = Base64.getMimeDecoder().decode(pem.group(2));
                        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                    } catch (IllegalArgumentException | java.security.spec.InvalidKeySpecException e) {
                        // The cause's message could quote key bytes; only the file is named.
                        throw new IllegalStateException(setting + " " + keyFile + " is not a valid PKCS#8 " + algorithm
                                + " key (the certificate's key type)");
                    }
                }
                case "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new IllegalStateException(
                        setting + " " + keyFile + " holds a " + pem.group(1).toLowerCase(java.util.Locale.ROOT)
                        + "; PhotoBridge reads an unencrypted PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) or a "
                        + "PKCS12 key-store with a password");
                default -> {
                    // other blocks (a certificate in the same file) are skipped
                }
            }
        }
        throw new IllegalStateException(setting + " " + keyFile
                + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
    }

    private static String read(Path file, String setting) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(setting + ": file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalStateException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static KeyStore load(Path file, String password, String setting) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password == null ? null : password.toCharArray());
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(setting + ": file " + file + " does not exist");
        } catch (IOException e) {
            boolean wrongPassword = e.getCause() instanceof java.security.UnrecoverableKeyException
                    || String.valueOf(e.getMessage()).contains("password");
            throw new IllegalStateException(setting + " " + file + (wrongPassword
                    ? ": wrong password (or not a PKCS12 file)" : ": not a readable PKCS12 file"));
        }
        return store;
    }

    private static boolean hasCertificate(KeyStore store) throws GeneralSecurityException {
        for (String alias : Collections.list(store.aliases())) {
            if (store.isCertificateEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static KeyManager[] keyManagers(KeyStore store, char[] password) throws GeneralSecurityException {
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, password);
        return factory.getKeyManagers();
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

    private static javax.net.ssl.X509ExtendedKeyManager x509Keys(KeyManager[] managers) {
        return Arrays.stream(managers).filter(javax.net.ssl.X509ExtendedKeyManager.class::isInstance)
                .map(javax.net.ssl.X509ExtendedKeyManager.class::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("no X.509 key manager"));
    }

    /**
     * The client's key manager, noting which connections the server asked for a client certificate
     * (the JDK asks the key manager only then), so that a later refusal can be explained.
     */
    private static final class CertificateRequests extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509ExtendedKeyManager delegate;
        private final java.util.Set<Socket> askedOn = Collections.synchronizedSet(
                Collections.newSetFromMap(new java.util.WeakHashMap<>()));

        CertificateRequests(javax.net.ssl.X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
        }

        /** Whether the last server that asked for a client certificate got none (we had none to give). */
        private volatile boolean lastRequestUnanswered;

        boolean asked(Socket socket) {
            return askedOn.contains(socket);
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            if (socket != null) {
                askedOn.add(socket);
            }
            String alias = delegate.chooseClientAlias(keyType, issuers, socket);
            lastRequestUnanswered = alias == null;
            return alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, SSLEngine engine) {
            String alias = delegate.chooseEngineClientAlias(keyType, issuers, engine);
            lastRequestUnanswered = alias == null;
            return alias;
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return delegate.getClientAliases(keyType, issuers);
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return delegate.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return delegate.getPrivateKey(alias);
        }
    }

    private static X509TrustManager x509(TrustManager[] managers) {
        return Arrays.stream(managers).filter(X509TrustManager.class::isInstance).map(X509TrustManager.class::cast)
                .findFirst().orElseThrow(() -> new IllegalStateException("no X.509 trust manager"));
    }

    /**
     * Verifies the peer's chain against the anchors but not its name ({@code verify-hostname=false}):
     * the JDK's HTTP client checks the name unless the trust manager is given no socket or engine.
     */
    private static final class ChainOnlyTrustManager extends X509ExtendedTrustManager {
        private final X509TrustManager delegate;

        ChainOnlyTrustManager(X509TrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
