package org.photobridge.gateway.faults;

import static org.awaitility.Awaitility.await;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.photobridge.gateway.testing.GatewayProcess;
import org.photobridge.gateway.testing.Receivers;
import org.photobridge.gateway.testing.RecordingScp;
import org.photobridge.gateway.testing.RecordingStowRs;
import org.photobridge.gateway.testing.TestDatabase;

/**
 * What the fault ITs share: the campaign size ({@code -Dpbtest.campaign=long} for the long run),
 * destinations pointing at recording receivers, a load driver, and counting in the database and
 * at the receivers.
 */
final class Campaign {
    static final int CONCURRENCY = 16;
    static final String STOW_USER = "recv-stow-user";
    static final String STOW_PASSWORD = "recv-stow-password";

    private Campaign() {
    }

    static boolean longRun() {
        return "long".equalsIgnoreCase(System.getProperty("pbtest.campaign", "ci"));
    }

    /** {@code ci} uploads in the CI run, {@code long} with {@code -Dpbtest.campaign=long}. */
    static int size(int ci, int longSize) {
        int size = longRun() ? longSize : ci;
        String override = System.getProperty("pbtest.campaign.uploads");
        if (override != null && !override.isBlank()) {
            size = Integer.parseInt(override.trim());
        }
        System.out.printf("CAMPAIGN size: %s run, %d uploads%n", longRun() ? "long" : "ci", size);
        return size;
    }

    /** A database to count in. */
    record Db(String url, String username, String password) {
        static Db tests() {
            return new Db(TestDatabase.JDBC_URL, "photobridge", "");
        }

        void reset() {
            GatewayProcess.resetDatabase(url, username, password);
        }

        long count(String sql) {
            try (var connection = DriverManager.getConnection(url, username, password);
                    var statement = connection.createStatement()) {
                statement.setQueryTimeout(30);
                try (var rows = statement.executeQuery(sql)) {
                    rows.next();
                    return rows.getLong(1);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(sql, e);
            }
        }

        List<String> strings(String sql) {
            try (var connection = DriverManager.getConnection(url, username, password);
                    var statement = connection.createStatement()) {
                statement.setQueryTimeout(30);
                List<String> values = new ArrayList<>();
                try (var rows = statement.executeQuery(sql)) {
                    while (rows.next()) {
                        values.add(rows.getString(1));
                    }
                }
                return values;
            } catch (SQLException e) {
                throw new IllegalStateException(sql, e);
            }
        }

        /** Work items by "KIND STATUS" (for summaries). */
        Map<String, Long> workByKindAndStatus() {
            Map<String, Long> counts = new TreeMap<>();
            for (String row : strings("select kind || ' ' || status || '=' || count(*) from work_item group by kind, status")) {
                int eq = row.lastIndexOf('=');
                counts.put(row.substring(0, eq), Long.parseLong(row.substring(eq + 1)));
            }
            return counts;
        }

        /** Work of these kinds still to do: queued or retrying, or held under a lease. */
        long pendingWork(String... kinds) {
            return count("select count(*) from work_item where kind in ('" + String.join("', '", kinds)
                    + "') and (status in ('QUEUED', 'RETRYING') or lease_token is not null)");
        }
    }

    /** The two test destinations, each at its own recording receiver. */
    static Map<String, String> destinations(RecordingScp scp, RecordingStowRs stow, String withdrawalAction) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("photobridge.destinations.pacs-dimse.enabled", "false");
        config.put("photobridge.destinations.pacs-stow.enabled", "false");
        String dimse = "photobridge.destinations." + Receivers.DIMSE + ".";
        config.put(dimse + "kind", "dimse");
        config.put(dimse + "host", "127.0.0.1");
        config.put(dimse + "port", String.valueOf(scp.port()));
        config.put(dimse + "ae-title", scp.aeTitle());
        config.put(dimse + "calling-ae-title", Receivers.CALLING_AE_TITLE);
        config.put(dimse + "withdrawal-action", withdrawalAction);
        config.put(dimse + "connect-timeout", Receivers.DIMSE_CONNECT_TIMEOUT);
        config.put(dimse + "timeout", "15s");
        if (stow != null) {
            String web = "photobridge.destinations." + Receivers.STOW + ".";
            config.put(web + "kind", "stow-rs");
            config.put(web + "url", stow.baseUrl());
            config.put(web + "username", STOW_USER);
            config.put(web + "password", STOW_PASSWORD);
            config.put(web + "plain-http-on-loopback", "true"); // the recording receiver is plain HTTP on 127.0.0.1
            config.put(web + "withdrawal-action", withdrawalAction);
            config.put(web + "timeout", "15s");
        }
        // A killed replica's leases pass to the others after this long (longer than any attempt).
        config.put("photobridge.routing.lease", "40s");
        return config;
    }

    /** Copies per SOP Instance UID beyond the first, over the given UIDs. */
    static long duplicates(Map<String, Long> counts, Collection<String> uids) {
        return uids.stream().mapToLong(uid -> Math.max(0, counts.getOrDefault(uid, 0L) - 1)).sum();
    }

    static List<String> missing(Map<String, Long> counts, Collection<String> uids) {
        return uids.stream().filter(uid -> counts.getOrDefault(uid, 0L) == 0).toList();
    }

    static Map<String, Long> duplicated(Map<String, Long> counts, Set<String> uids) {
        Map<String, Long> dups = new TreeMap<>();
        counts.forEach((uid, n) -> {
            if (n > 1 && uids.contains(uid)) {
                dups.put(uid, n);
            }
        });
        return dups;
    }

    /**
     * Uploads in the background at {@link #CONCURRENCY}: upload {@code i} goes where
     * {@code target.apply(i)} says. The test thread watches {@link #done()} to time its faults.
     */
    static final class Load implements AutoCloseable {
        private final ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY, r -> {
            Thread t = new Thread(r, "campaign-upload");
            t.setDaemon(true);
            return t;
        });
        private final AtomicInteger done = new AtomicInteger();
        private final List<Future<?>> futures = new ArrayList<>();
        private final long startedAt = System.nanoTime();

        Load(Uploader uploader, int uploads, IntFunction<GatewayProcess> target, IntFunction<String> mrn) {
            for (int i = 0; i < uploads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    try {
                        GatewayProcess gateway = target.apply(n);
                        uploader.upload(gateway.name(), gateway.baseUrl(), mrn.apply(n));
                    } finally {
                        done.incrementAndGet();
                    }
                }));
            }
            pool.shutdown();
        }

        int done() {
            return done.get();
        }

        void awaitDone(int count, Duration timeout) {
            await("uploads done >= " + count).atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> done.get() >= count);
        }

        /** Waits for every upload; rethrows what a client thread threw. */
        Duration finish(Duration timeout) throws Exception {
            if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
                throw new AssertionError("uploads did not finish within " + timeout);
            }
            for (Future<?> f : futures) {
                f.get(1, TimeUnit.SECONDS);
            }
            return Duration.ofNanos(System.nanoTime() - startedAt);
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }
}
