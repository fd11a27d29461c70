import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The load driver of the delivery and accept-latency benchmarks (docs/performance.md). JDK only, run
 * as a single source file by bench/delivery.sh:
 *
 * <pre>
 *   java bench/DeliveryBench.java generate DIR COUNT [ORIENTATION]
 *   java bench/DeliveryBench.java upload KEY=VALUE...
 * </pre>
 *
 * {@code generate} writes COUNT distinct 12-megapixel (4000 x 3000) baseline JPEGs of about 4 MB:
 * a smooth scene with fine texture, so that the encoder cannot shrink them to nothing, each from
 * its own seed. With an EXIF ORIENTATION other than 1 they are 4032 x 3024 (whole 16-pixel MCUs,
 * as a phone's 12-megapixel photos), stored as the camera saw them, with an EXIF segment (orientation
 * only) that says how to turn them: a phone's portrait photo is orientation 6. {@code upload} posts them to the gateway at a given concurrency, records the time
 * from each request's start to its answer, then counts at the receiver (Orthanc's instance count,
 * or the files a dcmtk storescp wrote) until every photo has arrived. It prints its figures and one
 * line starting with {@code RESULT} that the script reads.
 */
public final class DeliveryBench {

    private static final Duration RECEIVER_DEADLINE = Duration.ofMinutes(15);

    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("generate")) {
            generate(Path.of(args[1]), Integer.parseInt(args[2]), args.length > 3 ? Integer.parseInt(args[3]) : 1);
        } else if (args.length >= 1 && args[0].equals("upload")) {
            upload(options(args));
        } else if (args.length >= 1 && args[0].equals("consent")) {
            consent(options(args));
        } else {
            System.err.println("usage: DeliveryBench generate DIR COUNT [ORIENTATION] | upload key=value... | consent key=value...");
            System.exit(2);
        }
    }

    // ---------------------------------------------------------------------------------- generate

    static void generate(Path dir, int count, int orientation) throws IOException {
        if (orientation < 1 || orientation > 8) {
            throw new IllegalArgumentException("an EXIF orientation is 1 to 8, not " + orientation);
        }
        int width = orientation == 1 ? 4000 : 4032;
        int height = orientation == 1 ? 3000 : 3024;
        Files.createDirectories(dir);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            Path target = dir.resolve(String.format(Locale.ROOT, "photo-%05d.jpg", i));
            if (!Files.exists(target)) {
                byte[] jpeg = encode(writer, scene(i, width, height));
                if (orientation != 1) {
                    jpeg = withOrientation(jpeg, orientation);
                }
                Path partial = dir.resolve(target.getFileName() + ".part");
                Files.write(partial, jpeg);
                Files.move(partial, target);
            }
            bytes += Files.size(target);
        }
        writer.dispose();
        System.out.printf(Locale.ROOT, "%d JPEGs of %dx%d%s, %.1f MB on average, in %s%n", count, width, height,
                orientation == 1 ? "" : " with EXIF orientation " + orientation, bytes / 1e6 / count, dir);
    }

    /** A skin-toned gradient with a pattern that varies per seed, and per-pixel texture. */
    private static BufferedImage scene(int seed, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed * 7919L + 17);
        double fx = 0.002 + random.nextDouble() * 0.004;
        double fy = 0.002 + random.nextDouble() * 0.004;
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double wave = Math.sin(x * fx + seed) * Math.cos(y * fy) * 40;
                int texture = random.nextInt(48) - 24;
                int r = clamp(200 + wave + texture);
                int g = clamp(150 + wave * 0.8 + texture);
                int b = clamp(130 + wave * 0.6 + texture);
                row[x] = (r << 16) | (g << 8) | b;
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    /**
     * The stream with an EXIF APP1 segment after the JFIF header (or after SOI) whose IFD0 holds
     * only the orientation, little-endian, as a phone writes it among its other tags.
     */
    private static byte[] withOrientation(byte[] jpeg, int orientation) {
        byte[] app1 = {
            (byte) 0xFF, (byte) 0xE1, 0, 34,
            'E', 'x', 'i', 'f', 0, 0,
            'I', 'I', 42, 0, 8, 0, 0, 0, // TIFF header, IFD0 at 8
            1, 0, // one entry
            0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte) orientation, 0, 0, 0, // Orientation, SHORT, 1
            0, 0, 0, 0, // no next IFD
        };
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        byte[] out = new byte[jpeg.length + app1.length];
        System.arraycopy(jpeg, 0, out, 0, at);
        System.arraycopy(app1, 0, out, at, app1.length);
        System.arraycopy(jpeg, at, out, at + app1.length, jpeg.length - at);
        return out;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, v));
    }

    private static byte[] encode(ImageWriter writer, BufferedImage image) throws IOException {
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.80f);
        ByteArrayOutputStream out = new ByteArrayOutputStream(6 << 20);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------ upload

    static void upload(Map<String, String> o) throws Exception {
        List<Path> images;
        try (Stream<Path> files = Files.list(Path.of(o.get("images")))) {
            images = files.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        int limit = Integer.parseInt(o.getOrDefault("count", String.valueOf(images.size())));
        images = images.subList(0, Math.min(limit, images.size()));
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "8"));
        String label = o.getOrDefault("label", "gateway");
        boolean waitForReceiver = !o.getOrDefault("receiver", "none").equals("none");

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .version(httpVersion(o)).build();
        Tokens tokens = new Tokens(http, o.get("token-url"), o.get("user"),
                Files.readString(Path.of(o.get("password-file"))).strip());
        Receiver receiver = Receiver.of(http, o);
        String run = UUID.randomUUID().toString().substring(0, 8);
        String gateway = o.get("gateway");

        recordConsent(http, gateway, tokens.current(), run);
        long before = waitForReceiver ? receiver.count() : 0;
        long[] latencyNanos = new long[images.size()];
        long totalBytes = 0;
        for (Path p : images) totalBytes += Files.size(p);
        AtomicInteger next = new AtomicInteger();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Path> work = images;

        boolean lean = httpVersion(o) == HttpClient.Version.HTTP_1_1;
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(pool.submit(() -> {
                try (Http11Connection connection = lean ? new Http11Connection(URI.create(gateway)) : null) {
                    for (int i; (i = next.getAndIncrement()) < work.size();) {
                        byte[] jpeg = read(work.get(i));
                        // Encounters of ten photos each: several studies, as a clinic day would make.
                        String metadata = metadata(run, i / 10);
                        String token = tokens.current();
                        if (lean) connection.prepare(token, jpeg, metadata);
                        long t0 = System.nanoTime();
                        int status = lean ? connection.post() : post(http, gateway, token, jpeg, metadata);
                        latencyNanos[i] = System.nanoTime() - t0;
                        if (status != 202) failures.add("photo " + i + ": HTTP " + status);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : workers) f.get();
        pool.shutdown();
        long accepted = System.nanoTime();
        if (!failures.isEmpty()) {
            System.err.println("uploads not accepted: " + failures.size() + ", first: " + failures.get(0));
            System.exit(1);
        }

        long delivered = accepted;
        if (waitForReceiver) {
            long expected = before + images.size();
            long deadline = System.nanoTime() + RECEIVER_DEADLINE.toNanos();
            long seen;
            while ((seen = receiver.count()) < expected) {
                if (System.nanoTime() > deadline) {
                    System.err.printf("receiver has %d of %d new objects after %s%n", seen - before,
                            images.size(), RECEIVER_DEADLINE);
                    System.exit(1);
                }
                Thread.sleep(50);
            }
            delivered = System.nanoTime();
        }

        long[] sorted = latencyNanos.clone();
        java.util.Arrays.sort(sorted);
        double acceptSeconds = (accepted - start) / 1e9;
        double deliverSeconds = (delivered - start) / 1e9;
        double mb = totalBytes / 1e6;
        System.out.printf(Locale.ROOT, "%s: %d photos, %.1f MB, concurrency %d%n", label, images.size(), mb, concurrency);
        System.out.printf(Locale.ROOT, "  all accepted after %.2f s; accept latency p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms%n",
                acceptSeconds, ms(pct(sorted, 50)), ms(pct(sorted, 95)), ms(pct(sorted, 99)), ms(sorted[sorted.length - 1]));
        if (waitForReceiver) {
            System.out.printf(Locale.ROOT, "  all at the receiver after %.2f s: %.2f MB/s%n", deliverSeconds, mb / deliverSeconds);
        }
        System.out.printf(Locale.ROOT, "RESULT label=%s photos=%d mb=%.3f seconds=%.3f mbps=%.3f p50=%.1f p95=%.1f p99=%.1f%n",
                label, images.size(), mb, deliverSeconds, mb / deliverSeconds,
                ms(pct(sorted, 50)), ms(pct(sorted, 95)), ms(pct(sorted, 99)));
    }

    /**
     * {@code http=1.1} (default): a connection per concurrent upload, as separate capture clients or a
     * reverse proxy speaking HTTP/1.1 to the gateway have, each written by {@link Http11Connection};
     * {@code http=2}: the JDK client's HTTP/2 over cleartext (h2c), every concurrent upload a stream
     * of one connection.
     */
    static HttpClient.Version httpVersion(Map<String, String> o) {
        return switch (o.getOrDefault("http", "1.1")) {
            case "2" -> HttpClient.Version.HTTP_2;
            case "1.1" -> HttpClient.Version.HTTP_1_1;
            default -> throw new IllegalArgumentException("http= takes 2 or 1.1");
        };
    }

    /**
     * Records the consent of the run named by {@code run=} and prints a fresh token on standard
     * output, for a load generator that is not ours (bench/wrk-upload.lua) to upload with.
     */
    static void consent(Map<String, String> o) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Tokens tokens = new Tokens(http, o.get("token-url"), o.get("user"),
                Files.readString(Path.of(o.get("password-file"))).strip());
        recordConsent(http, o.get("gateway"), tokens.current(), o.get("run"));
        System.out.println(tokens.current());
    }

    private static long pct(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A made-up patient per run; nothing here is a real person. */
    private static String metadata(String run, int encounter) {
        return """
                {"patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"BENCH-%s"}},\
                "encounter":{"identifier":{"system":"urn:oid:1.2.3.4.6","value":"BENCH-%s-%d"}},\
                "department":"dermatology","accessTags":["dermatology"],\
                "bodySite":{"system":"http://snomed.info/sct","code":"40983000"},"laterality":"L"}"""
                .formatted(run, run, encounter);
    }

    /** The run's patient consents to photos for clinical care, as capture requires by default. */
    private static void recordConsent(HttpClient http, String gateway, String token, String run)
            throws IOException, InterruptedException {
        String consent = """
                {"resourceType":"Consent","status":"active",\
                "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},\
                "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],\
                "patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"BENCH-%s"}},\
                "dateTime":"2026-01-01T00:00:00Z",\
                "policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTIN"}]},\
                "provision":{"type":"permit","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"TREAT"}]}}""".formatted(run);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway + "/fhir/Consent"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(consent)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) throw new IOException("recording the consent answered " + r.statusCode());
    }

    private static int post(HttpClient http, String gateway, String token, byte[] jpeg, String metadata)
            throws IOException, InterruptedException {
        Multipart form = Multipart.of(metadata);
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + "/api/v1/photos"))
                .timeout(Duration.ofMinutes(2))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", form.contentType())
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(form.head()),
                        HttpRequest.BodyPublishers.ofByteArray(jpeg), HttpRequest.BodyPublishers.ofByteArray(form.tail())))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** An upload's multipart/form-data body around the photo: the metadata part and the file part's head, then the end. */
    record Multipart(String contentType, byte[] head, byte[] tail) {
        static Multipart of(String metadata) {
            String boundary = "bench" + UUID.randomUUID();
            byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                    + "Content-Type: application/json\r\n\r\n" + metadata + "\r\n--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
                    + "Content-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
            return new Multipart("multipart/form-data; boundary=" + boundary, head, tail);
        }
    }

    /**
     * One keep-alive HTTP/1.1 connection of one worker, written and read by that worker's thread
     * alone. With the JDK's {@link HttpClient} (every connection's bytes through its selector thread,
     * the body handed over in pieces) the driver reported 32 ms more than the wire showed at the p50
     * of a concurrency-8 run and 47 ms more at the p99 (docs/performance.md, "our driver's own
     * time"): it timed itself. Here the request is built into one buffer before its clock starts (as
     * wrk builds its request before timing it), written with blocking writes, and the answer's status
     * read; its body is read and dropped.
     */
    static final class Http11Connection implements AutoCloseable {
        private final InetSocketAddress address;
        private final String hostHeader;
        private final String path;
        private ByteBuffer request = ByteBuffer.allocateDirect(8 << 20);
        private final ByteBuffer answer = ByteBuffer.allocate(64 << 10);
        private SocketChannel channel;

        Http11Connection(URI gateway) {
            int port = gateway.getPort() > 0 ? gateway.getPort() : 80;
            this.address = new InetSocketAddress(gateway.getHost(), port);
            this.hostHeader = gateway.getHost() + ":" + port;
            this.path = (gateway.getPath() == null ? "" : gateway.getPath().replaceAll("/$", "")) + "/api/v1/photos";
        }

        /** Builds the next upload's request: headers, the multipart head, the photo, the closing boundary. */
        void prepare(String token, byte[] jpeg, String metadata) {
            Multipart form = Multipart.of(metadata);
            byte[] headers = ("POST " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\n"
                    + "Authorization: Bearer " + token + "\r\n"
                    + "Content-Type: " + form.contentType() + "\r\n"
                    + "Content-Length: " + (form.head().length + jpeg.length + form.tail().length) + "\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8);
            int size = headers.length + form.head().length + jpeg.length + form.tail().length;
            if (request.capacity() < size) request = ByteBuffer.allocateDirect(size);
            request.clear();
            request.put(headers).put(form.head()).put(jpeg).put(form.tail()).flip();
        }

        /** Sends the prepared request and returns the answer's status once its body has been read. */
        int post() throws IOException {
            if (channel == null) {
                channel = SocketChannel.open(address);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            while (request.hasRemaining()) channel.write(request);
            answer.clear();
            int headerEnd;
            while ((headerEnd = headerEnd()) < 0) {
                if (!answer.hasRemaining()) throw new IOException("answer headers over " + answer.capacity() + " bytes");
                fill();
            }
            String headers = new String(answer.array(), 0, headerEnd, StandardCharsets.ISO_8859_1);
            String[] lines = headers.split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) throw new IOException("not an HTTP/1.1 answer");
            int status = Integer.parseInt(statusLine[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon < 0) continue;
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.contains("chunked");
                    case "connection" -> close = value.contains("close");
                    default -> { }
                }
            }
            // What follows the headers in the buffer is the start of the body.
            answer.limit(answer.position()).position(headerEnd + 4);
            answer.compact().flip();
            if (chunked) {
                readChunked();
            } else if (length >= 0) {
                skip(length);
            } else {
                // Neither a length nor chunks: the body ends with the connection.
                close = true;
                do {
                    answer.clear();
                } while (channel.read(answer) >= 0);
            }
            if (close) close();
            return status;
        }

        /** The offset of the blank line that ends the headers in {@link #answer} (in write mode), or -1. */
        private int headerEnd() {
            byte[] a = answer.array();
            for (int i = 0; i + 3 < answer.position(); i++) {
                if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') return i;
            }
            return -1;
        }

        /** Reads more of the answer into {@link #answer}, in write mode. */
        private void fill() throws IOException {
            if (channel.read(answer) < 0) throw new EOFException("the gateway closed the connection mid-answer");
        }

        /** Drops {@code n} bytes of body: what is buffered (read mode) first, then from the connection. */
        private void skip(long n) throws IOException {
            while (n > 0) {
                if (!answer.hasRemaining()) {
                    answer.clear();
                    fill();
                    answer.flip();
                }
                int step = (int) Math.min(n, answer.remaining());
                answer.position(answer.position() + step);
                n -= step;
            }
        }

        private String line() throws IOException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (!answer.hasRemaining()) {
                    answer.clear();
                    fill();
                    answer.flip();
                }
                char c = (char) (answer.get() & 0xff);
                if (c == '\n') return sb.toString().trim();
                sb.append(c);
            }
        }

        private void readChunked() throws IOException {
            while (true) {
                String size = line();
                int semicolon = size.indexOf(';');
                long n = Long.parseLong(semicolon < 0 ? size : size.substring(0, semicolon), 16);
                if (n == 0) {
                    while (!line().isEmpty()) { } // trailers, then the blank line
                    return;
                }
                skip(n);
                line(); // the chunk's CRLF
            }
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("expected key=value, got " + args[i]);
            o.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        return o;
    }

    /** Password-grant tokens from Keycloak, renewed a minute before they expire. */
    static final class Tokens {
        private final HttpClient http;
        private final String url;
        private final String form;
        private String token;
        private long expiresAt;

        Tokens(HttpClient http, String url, String user, String password) {
            this.http = http;
            this.url = url;
            this.form = "grant_type=password&client_id=photobridge-cli&username=" + enc(user) + "&password=" + enc(password);
        }

        synchronized String current() throws IOException, InterruptedException {
            if (token == null || System.nanoTime() > expiresAt) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IOException("token endpoint answered " + r.statusCode());
                token = field(r.body(), "access_token");
                long lifetime = Long.parseLong(field(r.body(), "expires_in"));
                expiresAt = System.nanoTime() + Duration.ofSeconds(Math.max(10, lifetime - 60)).toNanos();
            }
            return token;
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }

    /** Reads a top-level string or number field from a small JSON object (JDK only, no parser). */
    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(\"([^\"]*)\"|(\\d+))").matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + name + " in the answer");
        return m.group(2) != null ? m.group(2) : m.group(3);
    }

    /** Where the photos are counted: Orthanc's statistics, or the files a dcmtk storescp wrote. */
    interface Receiver {
        long count() throws IOException, InterruptedException;

        static Receiver of(HttpClient http, Map<String, String> o) {
            String kind = o.getOrDefault("receiver", "none");
            switch (kind) {
                case "orthanc": {
                    String auth = "Basic " + Base64.getEncoder().encodeToString((o.get("orthanc-user") + ":"
                            + readQuietly(o.get("orthanc-password-file"))).getBytes(StandardCharsets.UTF_8));
                    URI statistics = URI.create(o.get("orthanc") + "/statistics");
                    return () -> {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(statistics).timeout(Duration.ofSeconds(10))
                                .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) throw new IOException("Orthanc /statistics answered " + r.statusCode());
                        return Long.parseLong(field(r.body(), "CountInstances"));
                    };
                }
                case "directory": {
                    Path dir = Path.of(o.get("directory"));
                    return () -> {
                        try (Stream<Path> files = Files.list(dir)) {
                            // storescp writes into a file named after the SOP class and instance; a
                            // file appears once the object's data set started to arrive.
                            return files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
                        }
                    };
                }
                case "none":
                    return () -> 0;
                default:
                    throw new IllegalArgumentException("receiver is orthanc, directory or none, not " + kind);
            }
        }

        private static String readQuietly(String file) {
            try {
                return Files.readString(Path.of(file)).strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
