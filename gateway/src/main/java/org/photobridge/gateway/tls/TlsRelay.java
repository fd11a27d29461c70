package org.photobridge.gateway.tls;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.ssl.SSLSocket;

import org.jboss.logging.Logger;

/**
 * Carries one DICOM association over TLS for a toolkit that can only open plain TCP connections
 * (PixelMed's initiator takes a host and port, never a socket, and its own TLS offers only legacy
 * suites). The TLS connection to the PACS is made and its handshake finished first, so a certificate or
 * protocol failure is known before a DICOM byte is sent; then a listening socket on an ephemeral
 * 127.0.0.1 port accepts exactly one connection (the toolkit's) and two threads copy bytes each way.
 *
 * <p>Bounded: two daemon threads per association, both ended by {@link #close()} or when either side
 * closes; the listening socket closes after its one connection or after the accept time-out. Nothing is
 * written to disk. A TLS failure that happens after the handshake (a TLS 1.3 peer refusing our client
 * certificate sends its alert then) is kept for {@link #failure()}.
 */
public final class TlsRelay implements Closeable {
    private static final Logger LOG = Logger.getLogger(TlsRelay.class);
    private static final int BUFFER_BYTES = 16 * 1024;

    private final SSLSocket tls;
    private final ServerSocket listener;
    private final String threadName;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Socket local;
    private volatile Throwable failure;

    private TlsRelay(SSLSocket tls, ServerSocket listener, String threadName) {
        this.tls = tls;
        this.listener = listener;
        this.threadName = threadName;
    }

    /**
     * Connects to the peer over TLS (handshake done) and starts listening for the local connection.
     *
     * @param acceptTimeout how long the local side may take to connect to {@link #localPort()}
     * @throws IOException the TCP or TLS failure ({@link TlsFailure#reason} explains TLS ones)
     */
    public static TlsRelay open(ClientTls client, String name, String host, int port, Duration connectTimeout,
            Duration handshakeTimeout, Duration acceptTimeout) throws IOException {
        SSLSocket tls = client.connect(host, port, connectTimeout, handshakeTimeout);
        ServerSocket listener;
        try {
            listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            listener.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, acceptTimeout.toMillis())));
        } catch (IOException e) {
            tls.close();
            throw e;
        }
        var relay = new TlsRelay(tls, listener, "photobridge-dimse-tls-" + name);
        var up = new Thread(relay::acceptAndPumpUp, relay.threadName + "-up");
        up.setDaemon(true);
        up.start();
        return relay;
    }

    /** The loopback address the toolkit connects to. */
    public String localHost() {
        return listener.getInetAddress().getHostAddress();
    }

    /** The ephemeral loopback port the toolkit connects to. */
    public int localPort() {
        return listener.getLocalPort();
    }

    /** The negotiated protocol and cipher suite, for messages. */
    public String negotiated() {
        var session = tls.getSession();
        return session.getProtocol() + " " + session.getCipherSuite();
    }

    /** A failure of the TLS side while relaying (an alert from the peer), if any. */
    public Throwable failure() {
        return failure;
    }

    private void acceptAndPumpUp() {
        try {
            Socket accepted;
            try {
                accepted = listener.accept();
            } finally {
                closeQuietly(listener);
            }
            accepted.setTcpNoDelay(true);
            local = accepted;
            if (closed.get()) {
                close();
                return;
            }
            var down = new Thread(() -> pump(tls, accepted, false), threadName + "-down");
            down.setDaemon(true);
            down.start();
            pump(accepted, tls, true);
        } catch (IOException e) {
            LOG.debugf("DIMSE TLS relay: no local connection (%s)", e.getClass().getSimpleName());
            close();
        }
    }

    /** Copies bytes until either side ends; then closes everything (an association has no half-close). */
    private void pump(Socket from, Socket to, boolean upstream) {
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // A TLS failure is kept: it may be the peer's alert, which the toolkit only sees as a closed socket.
            if (failure == null && isTls(e)) {
                failure = e;
            }
            LOG.debugf("DIMSE TLS relay %s ended: %s", upstream ? "up" : "down", e.getClass().getSimpleName());
        } finally {
            close();
        }
    }

    private static boolean isTls(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    /** Ends the relay: both connections and the listener (idempotent). */
    @Override
    public void close() {
        closed.set(true);
        closeQuietly(listener);
        closeQuietly(local);
        closeQuietly(tls);
    }

    private static void closeQuietly(Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing is all that is wanted
            }
        }
    }
}
