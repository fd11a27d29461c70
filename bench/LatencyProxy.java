import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay that delays every byte by half a round trip in each direction, for benchmarking the
 * gateway as a capture client on a hospital's Wi-Fi or VPN meets it (bench/delivery.sh --rtt). It
 * adds latency only: what it reads it passes on as soon as its time has come, whatever the amount,
 * so TCP's own window never limits a connection through it and only the protocol's does (HTTP/2's
 * flow control windows). JDK only, run as a source file:
 *
 * <pre>java bench/LatencyProxy.java listen=9080 target=127.0.0.1:8080 rtt=20</pre>
 */
public final class LatencyProxy {
    private static final byte[] END = new byte[0];

    private record Piece(long dueNanos, byte[] bytes) {
    }

    public static void main(String[] args) throws IOException {
        int listen = 0;
        String target = null;
        long rttMillis = -1;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "listen" -> listen = Integer.parseInt(kv[1]);
                case "target" -> target = kv[1];
                case "rtt" -> rttMillis = Long.parseLong(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + kv[0]);
            }
        }
        if (listen <= 0 || target == null || rttMillis < 0) {
            throw new IllegalArgumentException("usage: listen=PORT target=HOST:PORT rtt=MILLISECONDS");
        }
        String host = target.substring(0, target.lastIndexOf(':'));
        int port = Integer.parseInt(target.substring(target.lastIndexOf(':') + 1));
        long oneWayNanos = TimeUnit.MILLISECONDS.toNanos(rttMillis) / 2;
        try (var server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listen));
            System.out.printf("latency proxy: 127.0.0.1:%d -> %s, round trip +%d ms%n", listen, target, rttMillis);
            while (true) {
                Socket client = server.accept();
                Socket upstream;
                try {
                    upstream = new Socket(host, port);
                } catch (IOException e) {
                    // Nothing listens there (yet): the client sees its connection closed.
                    closeQuietly(client);
                    continue;
                }
                for (Socket s : new Socket[] {client, upstream}) {
                    s.setTcpNoDelay(true);
                }
                var open = new AtomicInteger(2);
                relay(client, upstream, oneWayNanos, open);
                relay(upstream, client, oneWayNanos, open);
            }
        }
    }

    /**
     * Reads {@code from} as it comes and writes each piece to {@code to} once it is due; the last of
     * a pair's two directions to end closes both sockets.
     */
    private static void relay(Socket from, Socket to, long delayNanos, AtomicInteger open) {
        var queue = new LinkedBlockingQueue<Piece>();
        Thread reader = new Thread(() -> {
            byte[] buffer = new byte[64 << 10];
            try (InputStream in = from.getInputStream()) {
                for (int n; (n = in.read(buffer)) > 0;) {
                    queue.add(new Piece(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException e) {
                // The connection went away: pass the end on.
            }
            queue.add(new Piece(System.nanoTime() + delayNanos, END));
        }, "relay-read");
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Piece piece = queue.take();
                    long wait = piece.dueNanos() - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (piece.bytes() == END) {
                        to.shutdownOutput();
                        if (open.decrementAndGet() == 0) {
                            closeQuietly(from);
                            closeQuietly(to);
                        }
                        return;
                    }
                    out.write(piece.bytes());
                }
            } catch (IOException | InterruptedException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "relay-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
