import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.HashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load driver of the consent search benchmark (docs/performance.md, benchmark 4). JDK only, run
 * as a source file by bench/consent-search.sh:
 *
 * <pre>
 *   java bench/SearchBench.java gateway=URL token-url=URL user=NAME password-file=FILE
 *        label=NAME query=PATH concurrency=C requests=N [patients=P] [warmup=W] [http=2|1.1]
 * </pre>
 *
 * With {@code http=2} (the default, the JDK client's own) all concurrent requests share one HTTP/2
 * connection (h2c), so one event-loop thread of the gateway reads, authenticates and writes all of
 * them; with {@code http=1.1} each concurrent request has a connection of its own, as separate
 * clients would.
 *
 * The query is a path below the gateway (a search, or a read as the reference) with {@code {patient}} standing for a seeded patient's
 * identifier value, drawn at random for each request (SEED-0 … SEED-(P-1)). Every answer must be
 * 200 with a FHIR resource; search answers without entries are counted and reported, so a query that
 * silently matches nothing does not pass for a fast one. Prints percentiles and a RESULT line.
 */
public final class SearchBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("expected key=value, got " + a);
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        HttpClient.Version version = switch (o.getOrDefault("http", "2")) {
            case "2" -> HttpClient.Version.HTTP_2;
            case "1.1" -> HttpClient.Version.HTTP_1_1;
            default -> throw new IllegalArgumentException("http must be 2 or 1.1");
        };
        HttpClient http = HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(10)).build();
        String token = token(http, o.get("token-url"), o.get("user"), Files.readString(Path.of(o.get("password-file"))).strip());
        String gateway = o.get("gateway");
        String query = o.get("query");
        String label = o.getOrDefault("label", query);
        int concurrency = Integer.parseInt(o.getOrDefault("concurrency", "1"));
        int requests = Integer.parseInt(o.getOrDefault("requests", "500"));
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "50"));
        int patients = Integer.parseInt(o.getOrDefault("patients", "500000"));

        run(http, gateway, token, query, patients, Math.min(warmup, requests), concurrency, new long[warmup], new AtomicInteger());
        long[] nanos = new long[requests];
        AtomicInteger empty = new AtomicInteger();
        long start = System.nanoTime();
        run(http, gateway, token, query, patients, requests, concurrency, nanos, empty);
        double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "%s: %d requests at concurrency %d in %.1f s (%.0f/s); p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; %d without entries%n",
                label, requests, concurrency, seconds, requests / seconds, ms(pct(nanos, 50)), ms(pct(nanos, 95)),
                ms(pct(nanos, 99)), ms(nanos[nanos.length - 1]), empty.get());
        System.out.printf(Locale.ROOT, "RESULT label=%s concurrency=%d p50=%.2f p99=%.2f empty=%d%n", label, concurrency,
                ms(pct(nanos, 50)), ms(pct(nanos, 99)), empty.get());
    }

    private static void run(HttpClient http, String gateway, String token, String query, int patients, int count,
            int concurrency, long[] nanos, AtomicInteger empty) throws Exception {
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < count;) {
                    String patient = "SEED-" + ThreadLocalRandom.current().nextInt(patients);
                    String path = query.replace("{patient}", URLEncoder.encode(patient, StandardCharsets.UTF_8));
                    HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + path))
                            .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                            .header("Accept", "application/fhir+json").build();
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                    nanos[i] = System.nanoTime() - t0;
                    boolean search = path.contains("?");
                    if (r.statusCode() != 200 || !r.body().contains("\"resourceType\"")) {
                        throw new IOException(path + " answered " + r.statusCode() + " without a FHIR resource");
                    }
                    if (search && !r.body().contains("\"entry\"")) empty.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : workers) f.get();
        pool.shutdown();
    }

    private static String token(HttpClient http, String url, String user, String password) throws Exception {
        String form = "grant_type=password&client_id=photobridge-cli&username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("token endpoint answered " + r.statusCode());
        Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        if (!m.find()) throw new IOException("no access token in the answer");
        return m.group(1);
    }

    private static long pct(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
