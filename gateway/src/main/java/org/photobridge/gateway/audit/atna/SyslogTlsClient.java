package org.photobridge.gateway.audit.atna;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;

/**
 * Delivers a batch of framed syslog messages to the collector over one TLS connection (RFC 5425)
 * and reports success only once the collector has answered our close_notify with its own.
 *
 * <p>RFC 5425 has no acknowledgements. What it does have (section 4.4): a receiver that gets the
 * sender's close_notify must reply with its own. TLS records arrive in order, so a close_notify
 * from the collector after ours means its TLS layer consumed every message before ours. That is
 * the receipt the exporter's cursor waits for. Anything else (refused connection, failed handshake,
 * reset, time-out, a stream that ends without close_notify, a reset after it) is a failure, and the
 * batch is sent again later.
 *
 * <p>Some receivers skip the close_notify and just close the TCP connection (rsyslog's GnuTLS
 * driver does). {@link Receipt#END_OF_STREAM} accepts that as receipt too: weaker, because a TCP
 * end of stream is not authenticated, so someone on the network path could fake it.
 *
 * <p>TLS runs in an {@link SSLEngine} over a plain socket rather than an SSLSocket, because an
 * SSLSocket reports "end of stream" alike for a close_notify and for a connection that merely
 * ended, and here the difference is the whole point.
 */
public final class SyslogTlsClient implements AutoCloseable {
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);
    private static final long MAX_UNEXPECTED_BYTES = 64 * 1024;
    private static final Duration END_OF_STREAM_WAIT = Duration.ofSeconds(2);

    private final SSLContext tls;
    private final String host;
    private final int port;
    private final String[] protocols;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final Receipt receipt;
    /** Closes a connection that outlives its deadline: socket writes have no time-out of their own. */
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "photobridge-atna-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    /** What the exporter takes as the collector's receipt of a batch. */
    public enum Receipt {
        /** The collector's TLS close_notify in answer to ours (RFC 5425 4.4); authenticated. */
        CLOSE_NOTIFY,
        /** Its close_notify, or else an orderly end of the TCP stream after ours; not authenticated. */
        END_OF_STREAM
    }

    public SyslogTlsClient(SSLContext tls, String host, int port, List<String> protocols, Duration connectTimeout,
            Duration timeout, Receipt receipt) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.protocols = protocols.toArray(new String[0]);
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.receipt = receipt;
    }

    /** host:port of the collector, for messages. */
    public String collector() {
        return host + ":" + port;
    }

    /**
     * Sends the frames on a new connection and waits for the collector's close_notify.
     *
     * @throws IOException when the collector cannot be shown to have read every frame
     */
    public void deliver(List<byte[]> frames) throws IOException {
        var socket = new Socket();
        // One deadline for connect, handshake, writes and the closing exchange.
        long deadlineMillis = connectTimeout.plus(timeout).toMillis();
        ScheduledFuture<?> deadline = watchdog.schedule(() -> closeQuietly(socket), deadlineMillis,
                TimeUnit.MILLISECONDS);
        try {
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(connectTimeout.toMillis()));
            socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
            new Connection(socket).deliver(socket, frames);
        } catch (SocketTimeoutException e) {
            throw new IOException("the collector did not answer within " + timeout, e);
        } catch (IOException e) {
            if (deadline.isDone()) {
                throw new IOException("the exchange with the collector took longer than " + deadlineMillis + " ms", e);
            }
            throw e;
        } finally {
            deadline.cancel(false);
            closeQuietly(socket);
        }
    }

    /** One TLS client session driven by hand over the socket's streams. */
    private final class Connection {
        private final SSLEngine engine;
        private final InputStream in;
        private final OutputStream out;
        private ByteBuffer netIn;
        private ByteBuffer netOut;
        private ByteBuffer appIn;

        Connection(Socket socket) throws IOException {
            engine = tls.createSSLEngine(host, port);
            engine.setUseClientMode(true);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setProtocols(protocols);
            engine.setSSLParameters(parameters);
            in = socket.getInputStream();
            out = new BufferedOutputStream(socket.getOutputStream(), 32 * 1024);
            netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            netOut = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        }

        void deliver(Socket socket, List<byte[]> frames) throws IOException {
            engine.beginHandshake();
            handshake();
            for (byte[] frame : frames) {
                wrap(ByteBuffer.wrap(frame));
            }
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                wrap(NOTHING);
            }
            out.flush();
            awaitCloseNotify();
            awaitEndOfStream(socket);
        }

        private void handshake() throws IOException {
            while (true) {
                switch (engine.getHandshakeStatus()) {
                    case NEED_WRAP -> {
                        wrap(NOTHING);
                        out.flush();
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> unwrap();
                    case NEED_TASK -> runTasks();
                    case FINISHED, NOT_HANDSHAKING -> {
                        return;
                    }
                }
            }
        }

        /** The collector's close_notify; what it sends before that (session tickets) is consumed. */
        private void awaitCloseNotify() throws IOException {
            long unexpected = 0;
            while (!engine.isInboundDone()) {
                SSLEngineResult result;
                try {
                    result = unwrap();
                } catch (EOFException e) {
                    if (receipt == Receipt.END_OF_STREAM) {
                        return;
                    }
                    throw e;
                }
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
                unexpected += result.bytesProduced();
                if (unexpected > MAX_UNEXPECTED_BYTES) {
                    throw new IOException("the collector sends data instead of closing the connection");
                }
            }
        }

        /**
         * A receiver that closes with our data unread makes its TCP stack reset the connection: a
         * reset soon after the close_notify still means the batch may not have been read. A receiver
         * that keeps the TCP connection open after its close_notify is not waited for long.
         */
        private void awaitEndOfStream(Socket socket) throws IOException {
            socket.setSoTimeout(Math.toIntExact(Math.min(timeout.toMillis(), END_OF_STREAM_WAIT.toMillis())));
            byte[] rest = new byte[512];
            long total = 0;
            try {
                int read;
                while ((read = in.read(rest)) >= 0) {
                    total += read;
                    if (total > MAX_UNEXPECTED_BYTES) {
                        throw new IOException("the collector sends data after its close_notify");
                    }
                }
            } catch (SocketTimeoutException e) {
                // close_notify came and no reset followed: received
            }
        }

        private void wrap(ByteBuffer source) throws IOException {
            do {
                netOut.clear();
                SSLEngineResult result = engine.wrap(source, netOut);
                if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                    netOut = ByteBuffer.allocate(Math.max(netOut.capacity() * 2,
                            engine.getSession().getPacketBufferSize()));
                    continue;
                }
                netOut.flip();
                out.write(netOut.array(), 0, netOut.limit());
                if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return;
                }
            } while (source.hasRemaining());
        }

        /** Unwraps one record, reading from the socket as needed. */
        private SSLEngineResult unwrap() throws IOException {
            while (true) {
                netIn.flip();
                SSLEngineResult result = engine.unwrap(netIn, appIn);
                netIn.compact();
                // A syslog receiver has nothing to say; whatever it sends is dropped.
                appIn.clear();
                switch (result.getStatus()) {
                    case OK, CLOSED -> {
                        if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                            runTasks();
                        }
                        return result;
                    }
                    case BUFFER_OVERFLOW -> appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2,
                            engine.getSession().getApplicationBufferSize()));
                    case BUFFER_UNDERFLOW -> readMore();
                }
            }
        }

        private void readMore() throws IOException {
            int packet = engine.getSession().getPacketBufferSize();
            if (netIn.capacity() < packet || !netIn.hasRemaining()) {
                ByteBuffer larger = ByteBuffer.allocate(Math.max(packet, netIn.capacity() * 2));
                netIn.flip();
                larger.put(netIn);
                netIn = larger;
            }
            int read = in.read(netIn.array(), netIn.arrayOffset() + netIn.position(), netIn.remaining());
            if (read < 0) {
                throw new EOFException("the collector ended the connection without a TLS close_notify");
            }
            netIn.position(netIn.position() + read);
        }

        private void runTasks() {
            Runnable task;
            while ((task = engine.getDelegatedTask()) != null) {
                task.run();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing after a failure or a deadline; the failure is what gets reported
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
