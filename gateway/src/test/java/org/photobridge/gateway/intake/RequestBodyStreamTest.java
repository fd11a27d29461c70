package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * {@link RequestBodyStream} on a real Vert.x HTTP server (the same one Quarkus runs), fed by a plain
 * socket so that the test decides how the body arrives; the stream is read on a thread of its own, as
 * the request thread reads it.
 */
class RequestBodyStreamTest {
    private Vertx vertx;
    private HttpServer server;
    private final ExecutorService readers = Executors.newCachedThreadPool();
    /** The stream of each request, opened on a reader thread. */
    private final LinkedBlockingQueue<CompletableFuture<RequestBodyStream>> opened = new LinkedBlockingQueue<>();
    private Duration readTimeout = Duration.ofSeconds(30);

    @BeforeEach
    void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(request -> {
            // As RESTEasy Reactive does: paused on the event loop, read on a worker.
            request.pause();
            var stream = new CompletableFuture<RequestBodyStream>();
            opened.add(stream);
            readers.submit(() -> stream.complete(RequestBodyStream.open(request, readTimeout)));
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopServer() throws Exception {
        readers.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Socket send(long contentLength) throws IOException {
        var socket = new Socket("127.0.0.1", server.actualPort());
        socket.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + contentLength
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private RequestBodyStream stream() throws Exception {
        return opened.poll(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
    }

    private static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Runs {@code work} on a reader thread, as the request thread runs the resource method. */
    private <T> CompletableFuture<T> onReader(java.util.concurrent.Callable<T> work) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, readers);
    }

    private static byte[] readAll(RequestBodyStream in, int chunk) throws IOException {
        var out = new ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0;) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void bodySentInSmallPiecesIsReadWholeWithAHandOverPerQuarterMegabyteAtMost() throws Exception {
        byte[] body = random(4 << 20, 7);
        try (Socket socket = send(body.length)) {
            var reading = onReader(() -> {
                var in = stream();
                return new Object[] {readAll(in, 64 << 10), in.waits()};
            });
            OutputStream out = socket.getOutputStream();
            for (int at = 0; at < body.length; at += 8 << 10) {
                out.write(body, at, Math.min(8 << 10, body.length - at));
                out.flush();
            }
            Object[] result = reading.get(60, TimeUnit.SECONDS);
            assertArrayEquals(body, (byte[]) result[0]);
            // Each wait but the last ends with at least WAKE_BYTES queued: 16 for 4 MiB, plus the end.
            int waits = (int) result[1];
            assertTrue(waits <= body.length / RequestBodyStream.WAKE_BYTES + 1,
                    "the reader waited " + waits + " times for a 4 MiB body");
        }
    }

    @Test
    void aReaderThatDoesNotReadStopsTheConnectionWithAboutAMegabyteQueued() throws Exception {
        byte[] body = random(16 << 20, 8);
        try (Socket socket = send(body.length)) {
            var sending = onReader(() -> {
                socket.getOutputStream().write(body);
                socket.getOutputStream().flush();
                return null;
            });
            var in = stream();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (in.available() < RequestBodyStream.PAUSE_BYTES && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(in.available() >= RequestBodyStream.PAUSE_BYTES, "the queue never filled: " + in.available());
            // Loopback delivers 16 MiB in far less than this; paused, the queue stays at the pause mark.
            Thread.sleep(500);
            int queued = in.available();
            assertTrue(queued <= RequestBodyStream.PAUSE_BYTES + (64 << 10), queued + " bytes queued");
            // Read on, the connection is resumed and the whole body arrives, in order.
            assertArrayEquals(body, readAll(in, 48 << 10));
            sending.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientThatGoesAwayMidBodyFailsTheRead() throws Exception {
        var in = onReader(this::stream);
        try (Socket socket = send(1 << 20)) {
            socket.getOutputStream().write(new byte[100_000]);
            socket.getOutputStream().flush();
            var stream = in.get(10, TimeUnit.SECONDS);
            byte[] buffer = new byte[64 << 10];
            long read = 0;
            while (read < 100_000) {
                read += stream.read(buffer, 0, buffer.length);
            }
            assertEquals(100_000, read);
            socket.close();
            assertThrows(IOException.class, () -> stream.read(buffer, 0, buffer.length));
        }
    }

    @Test
    void aClientThatSendsNothingForTheReadTimeoutIsCutOff() throws Exception {
        readTimeout = Duration.ofMillis(300);
        try (Socket socket = send(1 << 20)) {
            socket.getOutputStream().write(new byte[10]);
            socket.getOutputStream().flush();
            var in = stream();
            byte[] buffer = new byte[64];
            assertEquals(10, readAll10(in, buffer));
            var e = assertThrows(IOException.class, () -> in.read(buffer, 0, buffer.length));
            assertEquals("Read timed out", e.getMessage());
            // The connection was closed: the client reads its end.
            socket.setSoTimeout(5_000);
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    /** Reads the first 10 bytes, however they come (a piece under the wake-up mark comes with the timeout). */
    private static int readAll10(RequestBodyStream in, byte[] buffer) throws IOException {
        int read = 0;
        while (read < 10) {
            read += in.read(buffer, read, 10 - read);
        }
        return read;
    }

    @Test
    void aClientThatExpects100ContinueIsToldToSendItsBody() throws Exception {
        byte[] body = random(300_000, 9);
        try (var socket = new Socket("127.0.0.1", server.actualPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /upload HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            var reading = onReader(() -> readAll(stream(), 64 << 10));
            // Nothing of the body is sent before the interim answer.
            var line = new StringBuilder();
            for (int c; (c = socket.getInputStream().read()) != '\n';) {
                assertTrue(c >= 0, "the connection ended before an interim answer");
                line.append((char) c);
            }
            assertEquals("HTTP/1.1 100 Continue", line.toString().strip());
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            assertArrayEquals(body, reading.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aBodyThatHasEndedBeforeItIsOpenedReadsWhole() throws Exception {
        byte[] body = "a small body".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = send(body.length)) {
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            Thread.sleep(200);
            assertArrayEquals(body, readAll(stream(), 5));
        }
    }
}
