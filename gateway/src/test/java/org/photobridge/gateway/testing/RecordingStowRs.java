package org.photobridge.gateway.testing;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A STOW-RS endpoint (PS3.18 10.5) that records every instance it is sent, for counting deliveries at
 * the receiver: an in-JVM HTTP server on a loopback port, {@code POST <base>/studies} with a
 * {@code multipart/related; type="application/dicom"} body, each part read with PixelMed and its SOP
 * Instance UID kept (a second copy is counted, never merged). It answers 200 with a DICOM JSON
 * Referenced SOP Sequence, and {@code GET <base>/studies} (a QIDO-RS probe) with an empty list.
 *
 * <p>Faults are programmable, for the next {@code k} POSTs or until {@link #reset()}: {@link Fault}.
 */
public final class RecordingStowRs implements AutoCloseable {
    private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?", Pattern.CASE_INSENSITIVE);
    private static final String DICOM_JSON = "application/dicom+json";
    private static final Duration HANG_LIMIT = Duration.ofMinutes(5);

    /** What the endpoint does to a POST instead of storing and confirming it. */
    public enum Fault {
        /** 409 Conflict with the instance in the Failed SOP Sequence and a Failure Reason; stores nothing. */
        CONFLICT,
        /** 500 Internal Server Error with no body; stores nothing. */
        SERVER_ERROR,
        /**
         * Stores the instance, then waits {@link #slowDelay()} before answering 200: a PACS that keeps
         * the object but confirms late. A sender that gives up first does not know it was stored.
         */
        SLOW,
        /** Reads the request and never answers (until {@link #reset()} or {@link #close()}); stores nothing. */
        HANG
    }

    /** One POST as the endpoint saw it. */
    public record Post(int status, Fault fault, List<String> sopInstanceUids) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<String> stored = new CopyOnWriteArrayList<>();
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final Map<Fault, AtomicInteger> faultCounts = new EnumMap<>(Fault.class);
    private volatile String requiredAuthorization;
    private Fault fault;
    private int faultsLeft;
    private Duration slowDelay = Duration.ofSeconds(5);
    private int conflictFailureReason = 0x0122;
    private CountDownLatch hangRelease = new CountDownLatch(1);

    public RecordingStowRs() {
        this(null, false);
    }

    /**
     * An endpoint served over HTTPS with {@code tls} (its certificate and, when {@code requireClientCertificate},
     * the CAs client certificates must chain to); null serves plain HTTP.
     */
    public RecordingStowRs(javax.net.ssl.SSLContext tls, boolean requireClientCertificate) {
        for (Fault f : Fault.values()) {
            faultCounts.put(f, new AtomicInteger());
        }
        try {
            var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            if (tls == null) {
                server = HttpServer.create(address, 0);
            } else {
                var https = com.sun.net.httpserver.HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls) {
                    @Override
                    public void configure(com.sun.net.httpserver.HttpsParameters parameters) {
                        var ssl = tls.getDefaultSSLParameters();
                        ssl.setNeedClientAuth(requireClientCertificate);
                        parameters.setSSLParameters(ssl);
                    }
                });
                server = https;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executor = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "recording-stow-rs");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/dicom-web/studies", this::handle);
    }

    public RecordingStowRs start() {
        server.start();
        return this;
    }

    /** The DICOMweb base URL, e.g. http://127.0.0.1:41234/dicom-web (STOW-RS goes to its /studies). */
    public String baseUrl() {
        String scheme = server instanceof com.sun.net.httpserver.HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/dicom-web";
    }

    /** From now on, requests without this HTTP basic authentication get 401; null stops checking. */
    public void requireBasicAuth(String username, String password) {
        requiredAuthorization = username == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The next {@code count} POSTs meet {@code fault}; later ones are stored normally. */
    public synchronized void failNext(Fault fault, int count) {
        this.fault = fault;
        this.faultsLeft = count;
        if (fault == Fault.HANG) {
            hangRelease = new CountDownLatch(1);
        }
    }

    /** Every POST meets {@code fault} until {@link #reset()}. */
    public void failUntilReset(Fault fault) {
        failNext(fault, Integer.MAX_VALUE);
    }

    /** How long a {@link Fault#SLOW} answer takes. */
    public synchronized void slowDelay(Duration delay) {
        this.slowDelay = delay;
    }

    public synchronized Duration slowDelay() {
        return slowDelay;
    }

    /** The Failure Reason (a C-STORE status, PS3.18 Table 10.5.3-3) a {@link Fault#CONFLICT} answer gives. */
    public synchronized void conflictFailureReason(int reason) {
        this.conflictFailureReason = reason;
    }

    /** No more faults; hanging requests are released (answered 503, nothing stored). */
    public synchronized void reset() {
        fault = null;
        faultsLeft = 0;
        hangRelease.countDown();
    }

    /** Forgets what was received and counted (not the faults). */
    public void clear() {
        stored.clear();
        posts.clear();
        faultCounts.values().forEach(c -> c.set(0));
    }

    /** The SOP Instance UID of every instance stored, one entry per copy, in arrival order (a multiset). */
    public List<String> receivedSopInstanceUids() {
        return List.copyOf(stored);
    }

    /** SOP Instance UID to the number of copies stored. */
    public Map<String, Long> receivedCounts() {
        return stored.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }

    public int receivedCount(String sopInstanceUid) {
        return (int) stored.stream().filter(sopInstanceUid::equals).count();
    }

    /** Every POST to /studies, in arrival order, with the answer it got (0 while a hanging one waits). */
    public List<Post> posts() {
        return List.copyOf(posts);
    }

    /** How many POSTs met this fault. */
    public int faultCount(Fault fault) {
        return faultCounts.get(fault).get();
    }

    /** Waits until at least one copy of this SOP Instance was stored; fails after {@code timeout}. */
    public void awaitReceived(String sopInstanceUid, Duration timeout) {
        await("STOW-RS endpoint receives " + sopInstanceUid).atMost(timeout)
                .pollInterval(Duration.ofMillis(200)).until(() -> receivedCount(sopInstanceUid) >= 1);
    }

    @Override
    public void close() {
        reset();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- the exchange

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = requiredAuthorization;
            if (auth != null && !auth.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"recording-stow-rs\"");
                answer(exchange, 401, null);
                return;
            }
            switch (exchange.getRequestMethod().toUpperCase(Locale.ROOT)) {
                case "GET" -> answer(exchange, 200, "[]"); // QIDO-RS probe: no studies to list
                case "POST" -> store(exchange);
                default -> answer(exchange, 405, null);
            }
        }
    }

    private void store(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
        Matcher boundary = BOUNDARY.matcher(contentType);
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("multipart/related") || !boundary.find()) {
            posts.add(new Post(415, null, List.of()));
            answer(exchange, 415, null);
            return;
        }
        List<String[]> instances = new ArrayList<>(); // {sopClassUid, sopInstanceUid}
        for (byte[] part : parts(body, boundary.group(1))) {
            instances.add(identify(part));
        }
        List<String> uids = instances.stream().map(i -> i[1]).toList();
        Fault now = takeFault();
        if (now != null) {
            faultCounts.get(now).incrementAndGet();
        }
        if (now == null || now == Fault.SLOW) {
            stored.addAll(uids);
        }
        int status = now == null ? 200 : switch (now) {
            case CONFLICT -> 409;
            case SERVER_ERROR -> 500;
            case HANG -> 0;
            case SLOW -> 200;
        };
        Post post = new Post(status, now, uids);
        posts.add(post);
        if (now == Fault.SLOW) {
            pause(slowDelay());
        }
        if (now == Fault.HANG) {
            CountDownLatch release;
            synchronized (this) {
                release = hangRelease;
            }
            try {
                release.await(HANG_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 503, null);
            return;
        }
        switch (post.status()) {
            case 409 -> answer(exchange, 409, failedResponse(instances));
            case 500 -> answer(exchange, 500, null);
            default -> answer(exchange, 200, storedResponse(instances));
        }
    }

    private synchronized Fault takeFault() {
        if (fault == null || faultsLeft <= 0) {
            return null;
        }
        Fault now = fault;
        if (faultsLeft != Integer.MAX_VALUE && --faultsLeft == 0) {
            fault = null;
        }
        return now;
    }

    private String storedResponse(List<String[]> instances) {
        var items = instances.stream().map(i -> "{" + uid("00081150", i[0]) + "," + uid("00081155", i[1])
                + ",\"00081190\":{\"vr\":\"UR\",\"Value\":[\"" + baseUrl() + "/studies/instances/" + i[1] + "\"]}}")
                .collect(Collectors.joining(","));
        return "{\"00081199\":{\"vr\":\"SQ\",\"Value\":[" + items + "]}}";
    }

    private String failedResponse(List<String[]> instances) {
        int reason;
        synchronized (this) {
            reason = conflictFailureReason;
        }
        var items = instances.stream().map(i -> "{" + uid("00081150", i[0]) + "," + uid("00081155", i[1])
                + ",\"00081197\":{\"vr\":\"US\",\"Value\":[" + reason + "]}}").collect(Collectors.joining(","));
        return "{\"00081198\":{\"vr\":\"SQ\",\"Value\":[" + items + "]}}";
    }

    private static String uid(String tag, String value) {
        return "\"" + tag + "\":{\"vr\":\"UI\",\"Value\":[\"" + value + "\"]}";
    }

    /** {sopClassUid, sopInstanceUid} of one part, read with PixelMed. */
    private static String[] identify(byte[] part) throws IOException {
        try (InputStream in = new ByteArrayInputStream(part); var dicom = new DicomInputStream(in)) {
            var list = new AttributeList();
            list.setDecompressPixelData(false);
            list.read(dicom);
            return new String[] {
                    Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPClassUID),
                    Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID)};
        } catch (DicomException e) {
            throw new IOException("a part is not a DICOM Part 10 object: " + e.getMessage(), e);
        }
    }

    /** The bodies of a multipart/related message (RFC 2046: parts between delimiter lines, headers first). */
    static List<byte[]> parts(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        List<byte[]> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int lineEnd = at + delimiter.length;
            if (lineEnd + 1 < body.length && body[lineEnd] == '-' && body[lineEnd + 1] == '-') {
                break; // close delimiter
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), lineEnd);
            int next = indexOf(body, ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII), headersEnd);
            if (headersEnd < 0 || next < 0) {
                throw new IllegalArgumentException("truncated multipart body");
            }
            int start = headersEnd + 4;
            byte[] part = new byte[next - start];
            System.arraycopy(body, start, part, 0, part.length);
            parts.add(part);
            at = next + 2;
        }
        return parts;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        if (json == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", DICOM_JSON);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
