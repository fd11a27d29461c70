package org.photobridge.gateway.intake;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;

/**
 * A request body read by a request thread, received by the event loop without asking for it piece by
 * piece. RESTEasy Reactive's blocking stream asks the event loop for one piece at a time and waits
 * for it: two hand-overs between threads for every piece of at most 64 KiB, some 130 for a 4 MB photo,
 * each a wake-up on the other side (docs/performance.md, "where an accepted photo's CPU goes now").
 * Here the event loop queues the pieces as they come and wakes a reader that has caught up only once
 * {@value #WAKE_BYTES} bytes are queued (or the body has ended or failed); it stops reading the
 * connection while {@value #PAUSE_BYTES} bytes are queued, and the reader lets it go on once it has
 * taken half of them. So a body costs a few hand-overs, and at most about {@value #PAUSE_BYTES} bytes
 * of it wait in the queue, outside the image memory budget (the file's array is reserved from the
 * budget by {@link MultipartUpload}): with the budget's queue of waiting uploads full
 * ({@code photobridge.memory.queue-length}, 64 by default), up to about 64 MiB beside the budget (by
 * default half the heap). Over HTTP/2 a paused stream returns no credit to the client: Vert.x holds what
 * arrived before the client ran out of window, at most the stream's receive window
 * ({@code photobridge.http.http2-stream-window}, 1 MiB, {@code edge.Http2FlowControl}) besides the queue.
 *
 * <p>Opened on the request thread, which reads it; the event loop only calls {@link #onData},
 * {@link #onEnd} and {@link #onFailure}. A reader that gets nothing for {@code readTimeout} closes the
 * connection and gets an {@link IOException}, as with RESTEasy's stream.
 */
final class RequestBodyStream extends InputStream {
    /** A reader that has caught up is woken once this much is queued again. */
    static final int WAKE_BYTES = 256 << 10;
    /** The connection is not read while this much is queued. */
    static final int PAUSE_BYTES = 1 << 20;

    private final HttpServerRequest request;
    /** The request's event loop. */
    private final Context context;
    private final long timeoutMillis;
    private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
    /** Guarded by this: bytes in {@link #queue}, whether the reader waits, the connection is paused, the end. */
    private long queued;
    private boolean waiting;
    private boolean paused;
    private boolean ended;
    private Throwable failure;
    /** How often the reader waited, for tests: the hand-overs this stream is there to keep few. */
    private int waits;

    /** The piece being read, by the reader only. */
    private Buffer current;
    private int at;

    private RequestBodyStream(HttpServerRequest request, Duration readTimeout) {
        this.request = request;
        // Vert.x's requests and every wrapper Quarkus puts around them (forwarded headers, filters) carry it.
        this.context = request instanceof HttpServerRequestInternal internal ? internal.context()
                : Vertx.currentContext();
        this.timeoutMillis = Math.max(1, readTimeout.toMillis());
    }

    /**
     * Takes over the body of {@code request}, which RESTEasy Reactive paused when the request came in
     * (nothing it holds is lost: Vert.x keeps what arrived while paused and hands it on once resumed),
     * and answers {@code Expect: 100-continue}.
     */
    static RequestBodyStream open(HttpServerRequest request, Duration readTimeout) {
        var stream = new RequestBodyStream(request, readTimeout);
        if (request.isEnded()) {
            // Nothing is left to arrive (Vert.x says ended only once nothing is held back either).
            stream.ended = true;
            return stream;
        }
        request.pause();
        request.handler(stream::onData);
        request.endHandler(ignored -> stream.onEnd());
        request.exceptionHandler(stream::onFailure);
        if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            // The client sends its body once told to (RESTEasy's stream does this at its first read).
            request.response().writeContinue();
        }
        request.resume();
        return stream;
    }

    /** On the event loop: a piece of the body. */
    void onData(Buffer piece) {
        if (piece.length() == 0) {
            return;
        }
        boolean pause = false;
        synchronized (this) {
            if (ended || failure != null) {
                return;
            }
            queue.add(piece);
            queued += piece.length();
            if (!paused && queued >= PAUSE_BYTES) {
                paused = true;
                pause = true;
            }
            if (waiting && queued >= WAKE_BYTES) {
                notifyAll();
            }
        }
        // Outside the lock: Vert.x takes the connection's. Pausing and resuming both happen on the event
        // loop, so they cannot pass each other.
        if (pause) {
            request.pause();
        }
    }

    /** On the event loop, asked by the reader: reads the connection again unless the queue has filled since. */
    private void resumeUnlessFull() {
        synchronized (this) {
            if (paused) {
                return;
            }
        }
        request.resume();
    }

    synchronized void onEnd() {
        ended = true;
        notifyAll();
    }

    synchronized void onFailure(Throwable cause) {
        if (!ended) {
            failure = cause;
        }
        notifyAll();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        int read = 0;
        while (read < length) {
            if (current == null || at == current.length()) {
                // Take the next piece; wait only when nothing at all has been read by this call.
                current = next(read == 0);
                at = 0;
                if (current == null) {
                    return read == 0 ? -1 : read;
                }
            }
            int n = Math.min(length - read, current.length() - at);
            current.getBytes(at, at + n, into, offset + read);
            at += n;
            read += n;
        }
        return read;
    }

    /** The next queued piece; null at the end of the body, or when {@code wait} is false and none is queued. */
    private synchronized Buffer next(boolean wait) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (queue.isEmpty()) {
            if (failure != null) {
                throw new IOException("the request body could not be read", failure);
            }
            if (ended || !wait) {
                return null;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                request.connection().close();
                throw new IOException("Read timed out");
            }
            waiting = true;
            waits++;
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the request body");
            } finally {
                waiting = false;
            }
        }
        Buffer piece = queue.poll();
        queued -= piece.length();
        if (paused && queued <= PAUSE_BYTES / 2) {
            paused = false;
            if (context != null) {
                context.runOnContext(ignored -> resumeUnlessFull());
            } else {
                request.resume();
            }
        }
        return piece;
    }

    /** How many times the reader waited for the event loop. */
    synchronized int waits() {
        return waits;
    }

    @Override
    public synchronized int available() {
        return (int) Math.min(Integer.MAX_VALUE, queued + (current == null ? 0 : current.length() - at));
    }
}
