package org.photobridge.gateway.pacs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.photobridge.gateway.tls.ClientTls;
import org.photobridge.gateway.tls.TlsFailure;
import org.photobridge.gateway.tls.TlsSettings;

/**
 * The one HTTP client PhotoBridge speaks to a PACS with: STOW-RS ({@link StowRsDestination}),
 * WADO-RS ({@link WadoRsClient}) and Orthanc's REST API ({@link OrthancDeleter}) all go through it,
 * so they share one way of connecting and one reading of the answers.
 *
 * <ul>
 *   <li>One {@link HttpClient} per configured base URL, HTTP/1.1, with the connect time-out; it
 *       <b>never follows redirects</b> ({@link HttpClient.Redirect#NEVER}) and has no
 *       {@link java.net.Authenticator}.</li>
 *   <li>Every request is a path below the base URL and cannot leave its scheme, host and port; the
 *       credentials' {@code Authorization} header is set on each such request and nowhere else, so it
 *       reaches only the configured server. A PACS that answers with a redirect gets no second request:
 *       its 3xx is a failure ({@link #failure}).</li>
 *   <li>{@code https://} goes over TLS 1.3/1.2 with BCP 195 cipher suites only, verifying the server's
 *       certificate (and by default its name) against the destination's CA, presenting its client
 *       certificate when one is configured ({@link ClientTls}). A TLS failure's reason says which of
 *       these failed ({@link TlsFailure}).</li>
 *   <li>A whole exchange (sending the body, waiting, reading the answer) is bounded by the time-out.</li>
 *   <li>Request bodies are streamed as the caller's {@link HttpRequest.BodyPublisher} gives them (with
 *       the Content-Length the publisher declares); answers are read up to a bound the caller gives, and
 *       answers that are not 2xx only up to {@value #MAX_ERROR_BODY_BYTES} bytes.</li>
 *   <li>One classification of what went wrong: an exchange that produced no answer is
 *       {@link Unreachable} (always worth a retry); an answer's status is a {@link Failure}, retryable or
 *       permanent. Their reasons name the status and the kind of trouble, never the request path or a
 *       body (which may carry UIDs or patient data); callers prefix where it happened.</li>
 * </ul>
 */
public final class PacsHttpClient {

    /** Answers that are not 2xx are read at most this far (a STOW-RS failure list or an error document fits). */
    public static final int MAX_ERROR_BODY_BYTES = 1 << 20;

    /** The largest answer body a caller may ask to read into memory. */
    private static final long MAX_BODY_BYTES = Integer.MAX_VALUE - 64;

    private final URI base;
    private final String baseText;
    private final Optional<String> authorization;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final HttpClient http;
    private final boolean clientCertificate;
    private final Optional<ClientTls> tlsClient;

    /**
     * @param baseUrl        the server's root for these requests (a DICOMweb service root or Orthanc's REST
     *                       root); request paths are appended to it
     * @param credentials    sent with every request to {@code baseUrl}, and only there
     * @param connectTimeout bound on opening the TCP (and TLS) connection
     * @param timeout        bound on a whole exchange: sending the request body, waiting, reading the answer
     */
    public PacsHttpClient(URI baseUrl, HttpCredentials credentials, Duration connectTimeout, Duration timeout) {
        this(baseUrl, credentials, connectTimeout, timeout, Optional.empty());
    }

    /**
     * As above, with the TLS client used when {@code baseUrl} is {@code https://}; empty means the JDK's
     * default CAs, no client certificate, under the same BCP 195 policy.
     */
    public PacsHttpClient(URI baseUrl, HttpCredentials credentials, Duration connectTimeout, Duration timeout,
            Optional<ClientTls> tls) {
        requireHttpBase("PACS HTTP client", baseUrl);
        Objects.requireNonNull(credentials, "credentials");
        requirePositive("PACS HTTP client", "connectTimeout", connectTimeout);
        requirePositive("PACS HTTP client", "timeout", timeout);
        this.baseText = baseUrl.toString().replaceAll("/+$", "");
        this.base = URI.create(baseText);
        this.authorization = credentials.authorization();
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        var builder = HttpClient.newBuilder();
        boolean withClientCertificate = false;
        Optional<ClientTls> used = Optional.empty();
        if ("https".equalsIgnoreCase(baseUrl.getScheme())) {
            ClientTls client = tls.orElseGet(() -> ClientTls.of(TlsSettings.defaults("PACS HTTPS client: tls.", true)));
            builder.sslContext(client.context()).sslParameters(client.parameters());
            withClientCertificate = client.settings().hasClientCertificate();
            used = Optional.of(client);
        }
        this.clientCertificate = withClientCertificate;
        this.tlsClient = used;
        this.http = builder
                .connectTimeout(connectTimeout)
                // Never: a redirect would carry the Authorization header (and, for STOW-RS, the photo) to a
                // server nobody configured; a POST could also be resent as a GET. A 3xx is a failure instead.
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The base URL without trailing slashes. */
    public URI baseUrl() {
        return base;
    }

    public Duration timeout() {
        return timeout;
    }

    // ---------------------------------------------------------------- requests

    /** An answer read (up to its bound) before the connection was given back. */
    public record Response(int status, HttpHeaders headers, byte[] body, boolean truncated) {

        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    /**
     * GET {@code path}.
     *
     * @param maxBodyBytes how much of a 2xx answer to read; more is cut off and {@link Response#truncated()}
     */
    public Response get(String path, String accept, long maxBodyBytes) throws Unreachable {
        return send(request(path).header("Accept", accept).GET(), maxBodyBytes);
    }

    /** An answer whose 2xx body went, as it arrived, to the caller's subscriber ({@link #getStreamed}). */
    public record Streamed<T>(int status, HttpHeaders headers, Optional<T> body) {

        public Optional<String> header(String name) {
            return headers.firstValue(name);
        }
    }

    /**
     * GET {@code path}, handing a 2xx answer's body to {@code successBody} as it arrives instead of
     * collecting it (WADO-RS parses its multipart answer this way and holds only the instance); the
     * whole exchange, the body included, is bounded by the time-out as for {@link #get}. Other answers
     * are read at most {@value #MAX_ERROR_BODY_BYTES} bytes and dropped.
     */
    public <T> Streamed<T> getStreamed(String path, String accept,
            Function<HttpResponse.ResponseInfo, HttpResponse.BodySubscriber<T>> successBody) throws Unreachable {
        var subscription = new AtomicReference<Flow.Subscription>();
        HttpResponse.BodyHandler<Optional<T>> handler = info -> {
            HttpResponse.BodySubscriber<Optional<T>> body = info.statusCode() >= 200 && info.statusCode() < 300
                    ? HttpResponse.BodySubscribers.mapping(successBody.apply(info), Optional::of)
                    : HttpResponse.BodySubscribers.mapping(new BoundedBody(MAX_ERROR_BODY_BYTES, -1), read -> Optional.empty());
            return new Cancellable<>(body, subscription);
        };
        CompletableFuture<HttpResponse<Optional<T>>> exchange = http.sendAsync(request(path).header("Accept", accept).GET()
                .build(), handler);
        try {
            HttpResponse<Optional<T>> response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Streamed<>(response.statusCode(), response.headers(), response.body());
        } catch (TimeoutException e) {
            exchange.cancel(true);
            Optional.ofNullable(subscription.get()).ifPresent(Flow.Subscription::cancel);
            throw new Unreachable("no response within " + DimseFailures.seconds(timeout), e);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Optional.ofNullable(subscription.get()).ifPresent(Flow.Subscription::cancel);
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted (gateway shutting down?)", e);
        } catch (ExecutionException e) {
            throw unreachable(e.getCause() == null ? e : e.getCause());
        }
    }

    /** A body subscriber whose subscription can be cancelled from outside (on time-out). */
    private record Cancellable<T>(HttpResponse.BodySubscriber<T> delegate, AtomicReference<Flow.Subscription> subscription)
            implements HttpResponse.BodySubscriber<T> {
        @Override
        public CompletionStage<T> getBody() {
            return delegate.getBody();
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            delegate.onSubscribe(s);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            delegate.onNext(item);
        }

        @Override
        public void onError(Throwable throwable) {
            delegate.onError(throwable);
        }

        @Override
        public void onComplete() {
            delegate.onComplete();
        }
    }

    /** POST {@code body}, streamed as its publisher gives it, to {@code path}. */
    public Response post(String path, String contentType, String accept, HttpRequest.BodyPublisher body,
            long maxBodyBytes) throws Unreachable {
        var request = request(path).header("Content-Type", contentType);
        if (accept != null) {
            request.header("Accept", accept);
        }
        return send(request.POST(body), maxBodyBytes);
    }

    /** DELETE {@code path}. */
    public Response delete(String path, long maxBodyBytes) throws Unreachable {
        return send(request(path).DELETE(), maxBodyBytes);
    }

    /** A request to a path below the base URL, with the credentials and the time-out. */
    private HttpRequest.Builder request(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/") || path.startsWith("//") || path.contains("\\")
                || Arrays.stream(path.split("[/?#]")).anyMatch(s -> s.equals("..") || s.equals("."))) {
            throw new IllegalArgumentException("a request path must stay below the base URL");
        }
        URI uri = URI.create(baseText + path);
        if (!base.getScheme().equalsIgnoreCase(uri.getScheme())
                || !Objects.equals(base.getRawAuthority(), uri.getRawAuthority())) {
            // Cannot happen for a path checked as above; the credentials must never go anywhere else.
            throw new IllegalArgumentException("a request path must stay below the base URL");
        }
        var request = HttpRequest.newBuilder(uri).timeout(timeout);
        authorization.ifPresent(value -> request.header("Authorization", value));
        return request;
    }

    private Response send(HttpRequest.Builder request, long maxBodyBytes) throws Unreachable {
        if (maxBodyBytes < 0 || maxBodyBytes > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("maxBodyBytes out of range: " + maxBodyBytes);
        }
        var reading = new AtomicReference<BoundedBody>();
        HttpResponse.BodyHandler<BoundedBody.Read> handler = info -> {
            long limit = info.statusCode() >= 200 && info.statusCode() < 300 ? maxBodyBytes
                    : Math.min(maxBodyBytes, MAX_ERROR_BODY_BYTES);
            var body = new BoundedBody(limit, info.headers().firstValueAsLong("Content-Length").orElse(-1));
            reading.set(body);
            return body;
        };
        CompletableFuture<HttpResponse<BoundedBody.Read>> exchange = http.sendAsync(request.build(), handler);
        try {
            HttpResponse<BoundedBody.Read> response = exchange.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Response(response.statusCode(), response.headers(), response.body().bytes(),
                    response.body().truncated());
        } catch (TimeoutException e) {
            abandon(exchange, reading.get());
            throw new Unreachable("no response within " + DimseFailures.seconds(timeout), e);
        } catch (InterruptedException e) {
            abandon(exchange, reading.get());
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted (gateway shutting down?)", e);
        } catch (ExecutionException e) {
            throw unreachable(e.getCause() == null ? e : e.getCause());
        }
    }

    private static void abandon(CompletableFuture<?> exchange, BoundedBody body) {
        exchange.cancel(true);
        if (body != null) {
            body.cancel();
        }
    }

    /** What a failed exchange (no answer) was; the reason names the kind of trouble only. */
    Unreachable unreachable(Throwable e) {
        if (has(e, HttpConnectTimeoutException.class)) {
            return new Unreachable("could not connect within " + DimseFailures.seconds(connectTimeout), e);
        }
        if (has(e, HttpTimeoutException.class)) {
            return new Unreachable("no response within " + DimseFailures.seconds(timeout), e);
        }
        if (has(e, ConnectException.class)) {
            return new Unreachable("connection refused (is the PACS running and is the URL right?)", e);
        }
        if (has(e, UnknownHostException.class)) {
            return new Unreachable("host name does not resolve (check the URL)", e);
        }
        var tlsReason = TlsFailure.reason(e, clientCertificate);
        if (tlsReason.isPresent()) {
            return new Unreachable(tlsReason.get(), e);
        }
        if (tlsClient.isPresent() && tlsClient.get().lastCertificateRequestUnanswered()) {
            return new Unreachable("TLS: the peer demands a client certificate and none is configured "
                    + "(tls.client-certificate-file / tls.key-store); it closed the connection", e);
        }
        if (has(e, UncheckedIOException.class)) {
            // A streamed request body whose source failed (the store could not be read).
            return new Unreachable("the object to send could not be read while sending it", e);
        }
        return new Unreachable("network error (" + e.getClass().getSimpleName() + ")", e);
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- what went wrong

    /** No answer came: connection refused or timed out, network error, interrupted. Always worth a retry. */
    public static final class Unreachable extends IOException {
        Unreachable(String reason, Throwable cause) {
            super(reason, cause);
        }

        /** The reason, without where it happened. */
        public String reason() {
            return getMessage();
        }

        /** A {@link PacsOutcome.Retry} saying where and why. */
        public PacsOutcome outcome(String where) {
            return new PacsOutcome.Retry(where + ": " + reason() + "; will retry");
        }
    }

    /** What an answer that is not the one wanted means: worth a retry, or not until something changes. */
    public record Failure(boolean retryable, String reason) {

        /** {@link PacsOutcome.Retry} or {@link PacsOutcome.Failed}, saying where and why. */
        public PacsOutcome outcome(String where) {
            return retryable ? new PacsOutcome.Retry(where + ": " + reason + "; will retry")
                    : new PacsOutcome.Failed(where + ": " + reason);
        }
    }

    /**
     * The common meaning of an HTTP status that is not the success the caller looked for. Callers
     * handle first the statuses that mean something particular to them (a 404 that means "not held",
     * a 409 with a STOW-RS failure list).
     *
     * @param retryAfter the answer's Retry-After header, named in the reason when the PACS asked to wait
     */
    public static Failure failure(int status, Optional<String> retryAfter) {
        String later = retryAfter.map(value -> ", Retry-After " + value).orElse("");
        if (status >= 300 && status < 400) {
            return new Failure(false, "PACS answered a redirect; redirects are not followed (HTTP " + status
                    + "); configure the URL the PACS serves from");
        }
        return switch (status) {
            case 400 -> new Failure(false, "the PACS rejected the request as malformed (HTTP 400)");
            case 401 -> new Failure(false, "credentials rejected (HTTP 401); fix the destination's credentials");
            case 403 -> new Failure(false, "not permitted (HTTP 403); ask the PACS team for the rights this needs");
            case 404 -> new Failure(false, "no such service (HTTP 404); check the destination's base URL");
            case 405 -> new Failure(false, "the PACS does not allow this here (HTTP 405); check the base URL");
            case 406 -> new Failure(false, "the PACS cannot answer in the media type asked for (HTTP 406)");
            case 413 -> new Failure(false, "the request is larger than the PACS accepts (HTTP 413)");
            case 415 -> new Failure(false, "the PACS does not accept the media type sent (HTTP 415)");
            case 408, 425, 429 -> new Failure(true, "the PACS asked to try later (HTTP " + status + later + ")");
            default -> status >= 500
                    ? new Failure(true, "PACS server error (HTTP " + status + later + ")")
                    : new Failure(false, "unexpected HTTP " + status + "; check the PACS log");
        };
    }

    // ---------------------------------------------------------------- settings checks shared by the records

    /** Throws unless {@code baseUrl} is an http(s) URL without credentials in it. */
    static void requireHttpBase(String what, URI baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        String scheme = baseUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException(what + ": baseUrl must be http or https, was " + scheme);
        }
        if (baseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException(what + ": put credentials in the credentials setting, not in baseUrl");
        }
    }

    static void requirePositive(String what, String field, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(what + ": " + field + " must be positive, was " + value);
        }
    }

    // ---------------------------------------------------------------- reading an answer, bounded

    /** Collects an answer body up to a limit; past it, stops reading and says so. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<BoundedBody.Read> {

        record Read(byte[] bytes, boolean truncated) {
        }

        private final long limit;
        private final CompletableFuture<Read> result = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private byte[] buffer;
        private int size;

        BoundedBody(long limit, long declaredLength) {
            this.limit = limit;
            long initial = declaredLength >= 0 ? Math.min(declaredLength, limit) : Math.min(limit, 64 * 1024);
            this.buffer = new byte[(int) Math.max(0, initial)];
        }

        @Override
        public CompletionStage<Read> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                int n = item.remaining();
                if (size + (long) n > limit) {
                    int room = (int) (limit - size);
                    grow(size + room);
                    item.get(buffer, size, room);
                    size += room;
                    result.complete(new Read(bytes(), true));
                    subscription.cancel();
                    return;
                }
                grow(size + n);
                item.get(buffer, size, n);
                size += n;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(new Read(bytes(), false));
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        private void grow(int needed) {
            if (needed > buffer.length) {
                long doubled = Math.max(needed, Math.min(limit, 2L * buffer.length));
                buffer = Arrays.copyOf(buffer, (int) doubled);
            }
        }

        private byte[] bytes() {
            return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
        }
    }
}
