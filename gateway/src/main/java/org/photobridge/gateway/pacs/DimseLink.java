package org.photobridge.gateway.pacs;

import java.io.IOException;
import java.util.Optional;

import org.photobridge.gateway.tls.ClientTls;
import org.photobridge.gateway.tls.TlsFailure;
import org.photobridge.gateway.tls.TlsRelay;

/**
 * Where the DICOM toolkit connects for one association: the PACS itself in plain TCP, or, for a
 * destination with {@code tls.enabled}, the loopback end of a {@link TlsRelay} whose TLS connection to
 * the PACS is already established. Closing the link ends the relay.
 */
public final class DimseLink implements AutoCloseable {
    private final String host;
    private final int port;
    private final Optional<TlsRelay> relay;
    private final boolean clientCertificate;

    private DimseLink(String host, int port, Optional<TlsRelay> relay, boolean clientCertificate) {
        this.host = host;
        this.port = port;
        this.relay = relay;
        this.clientCertificate = clientCertificate;
    }

    /**
     * Opens the link: nothing for plain TCP; for TLS the connection and handshake, bounded by the
     * destination's connect time-out and (for the handshake) its read time-out.
     *
     * @throws IOException the TCP or TLS failure; see {@link #failureOutcome}
     */
    public static DimseLink open(DimseSettings settings, Optional<ClientTls> tls) throws IOException {
        if (tls.isEmpty()) {
            return new DimseLink(settings.host(), settings.port(), Optional.empty(), false);
        }
        var relay = TlsRelay.open(tls.get(), settings.name(), settings.host(), settings.port(),
                settings.connectTimeout(), settings.readTimeout(), settings.connectTimeout());
        return new DimseLink(relay.localHost(), relay.localPort(), Optional.of(relay),
                tls.get().settings().hasClientCertificate());
    }

    /** The host the toolkit connects to. */
    public String host() {
        return host;
    }

    /** The port the toolkit connects to. */
    public int port() {
        return port;
    }

    /**
     * The outcome for a link that could not be opened: a TLS failure with its reason (nothing was sent),
     * or empty when it is plain network trouble for the caller's usual classification.
     */
    public static Optional<PacsOutcome> failureOutcome(String where, Throwable e, Optional<ClientTls> tls) {
        boolean clientCertificate = tls.map(t -> t.settings().hasClientCertificate()).orElse(false);
        return TlsFailure.reason(e, clientCertificate)
                .map(reason -> new PacsOutcome.Retry(where + ": " + reason + "; will retry"));
    }

    /**
     * The work's outcome, explained where TLS is the cause: a relay that saw a TLS alert after the
     * handshake (the toolkit only saw its connection close) replaces a failure with that reason; a
     * success over TLS names the protocol and suite.
     */
    public PacsOutcome explain(PacsOutcome outcome, String where) {
        if (relay.isEmpty()) {
            return outcome;
        }
        if (outcome instanceof PacsOutcome.Done done) {
            return new PacsOutcome.Done(done.message() + " (over " + relay.get().negotiated() + ")");
        }
        Throwable failure = relay.get().failure();
        if (failure != null) {
            var reason = TlsFailure.reason(failure, clientCertificate);
            if (reason.isPresent()) {
                return new PacsOutcome.Retry(where + ": " + reason.get() + "; will retry");
            }
        }
        return outcome;
    }

    @Override
    public void close() {
        relay.ifPresent(TlsRelay::close);
    }
}
