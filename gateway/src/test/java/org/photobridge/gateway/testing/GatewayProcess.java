package org.photobridge.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway ({@code gateway/target/quarkus-app/quarkus-run.jar}) run as an OS process of
 * its own, for tests that crash, kill and restart it. Configuration is passed as system properties,
 * except secrets (names ending in {@code password} or {@code secret}), which go through the
 * environment (MicroProfile Config's name mapping) rather than the command line that {@code ps}
 * shows to every user of the machine. Output goes to a log file per start in the data directory.
 *
 * <p>Every wait has a deadline; a JVM shutdown hook kills whatever a test left running.
 */
public final class GatewayProcess implements AutoCloseable {
    public static final Duration START_TIMEOUT = Duration.ofSeconds(240);
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "gateway-process-cleanup"));
    }

    private final String name;
    private final Path data;
    private final int port;
    private final Map<String, String> properties;
    private final List<String> jvmOptions = new ArrayList<>(List.of("-Xmx512m"));
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Process process;
    private Path log;
    private int starts;

    /**
     * A gateway named {@code name} (for logs) with its data directory, HTTP port and configuration;
     * nothing runs until {@link #start()}.
     */
    public GatewayProcess(String name, Path data, int port, Map<String, String> properties) {
        this.name = name;
        this.data = data;
        this.port = port;
        this.properties = new LinkedHashMap<>(properties);
        this.properties.put("quarkus.http.port", String.valueOf(port));
        this.properties.putIfAbsent("photobridge.data.directory", data.toString());
    }

    /**
     * The settings every test gateway needs: its data directory and storage key, the test stack's
     * Keycloak (and Orthanc destinations, which a caller may switch off), the tests' PostgreSQL
     * database ({@link TestDatabase}), short retry times and no consent required at capture.
     */
    public static Map<String, String> baseConfig(Path data, Path storageKey) {
        Map<String, String> config = new LinkedHashMap<>(TestStack.stackConfig());
        config.put("photobridge.data.directory", data.toString());
        config.put("photobridge.store.key-file", storageKey.toString());
        config.put("photobridge.db.url", TestDatabase.JDBC_URL);
        config.put("photobridge.db.username", "photobridge");
        config.put("photobridge.routing.initial-backoff", "1s");
        config.put("photobridge.routing.max-backoff", "2s");
        config.put("photobridge.routing.poll-interval", "1s");
        config.put("quarkus.oidc.connection-delay", "0");
        config.put("photobridge.consent.capture-policy", "off");
        // As in the test profile: the campaigns view breast photos with password-only tokens.
        config.put("photobridge.step-up.enabled", "false");
        return config;
    }

    /** Writes a fresh AES-256 storage key (base64, mode 0600) to {@code file} and returns it. */
    public static Path newStorageKey(Path file) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /**
     * Empties a tests' database (schema {@code public} dropped and made again), as for a fresh
     * installation: a gateway with fresh keys must not meet another run's queue or audit chain.
     */
    public static void resetDatabase(String jdbcUrl, String username, String password) {
        try (var connection = DriverManager.getConnection(jdbcUrl, username, password == null ? "" : password);
                var statement = connection.createStatement()) {
            statement.setQueryTimeout(60);
            statement.execute("drop schema if exists public cascade");
            statement.execute("create schema public");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the test database " + jdbcUrl, e);
        }
    }

    /** A free loopback port. */
    public static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path dataDirectory() {
        return data;
    }

    /** Changes a setting for the next start (a running process keeps what it started with). */
    public GatewayProcess set(String key, String value) {
        if (value == null) {
            properties.remove(key);
        } else {
            properties.put(key, value);
        }
        return this;
    }

    /** JVM options for the next start instead of the default {@code -Xmx512m}. */
    public GatewayProcess jvmOptions(List<String> options) {
        jvmOptions.clear();
        jvmOptions.addAll(options);
        return this;
    }

    /** An environment variable for the next start (not a secret: see the class comment). */
    public GatewayProcess environment(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** The current start's log file. */
    public synchronized Path log() {
        return log;
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process.pid();
    }

    /** Starts the process and waits until {@code /q/health/live} answers 200; returns this. */
    public GatewayProcess start() {
        Path jar = TestStackProperties.repositoryRoot().resolve("gateway/target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new AssertionError("package the gateway first (mvn verify does): " + jar);
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        Map<String, String> secrets = new HashMap<>();
        properties.forEach((key, value) -> {
            if (key.endsWith("password") || key.endsWith("secret")) {
                secrets.put(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), value);
            } else {
                command.add("-D" + key + "=" + value);
            }
        });
        command.add("-jar");
        command.add(jar.toString());
        synchronized (this) {
            if (isAlive()) {
                throw new IllegalStateException(name + " is already running");
            }
            try {
                Files.createDirectories(data);
                log = data.resolve("gateway-" + name + "-" + (++starts) + ".log");
                var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().putAll(environment);
                builder.environment().putAll(secrets);
                process = builder.start();
            } catch (IOException e) {
                throw new AssertionError("could not start " + name, e);
            }
            LIVE.add(process);
        }
        awaitLive();
        return this;
    }

    private void awaitLive() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        var request = HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/live"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        while (Instant.now().isBefore(deadline)) {
            if (!isAlive()) {
                throw new AssertionError(name + " exited during start-up; see its log " + log + ":\n" + logTail(60));
            }
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (ConnectException notYetListening) {
                // keep waiting
            } catch (IOException notYet) {
                // keep waiting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            pause(Duration.ofMillis(300));
        }
        kill();
        throw new AssertionError(name + " did not start within " + START_TIMEOUT + "; log " + log + ":\n" + logTail(60));
    }

    /** SIGKILL: no shutdown hooks, nothing flushed; returns the exit code. */
    public synchronized int kill() {
        if (process == null) {
            return -1;
        }
        process.destroyForcibly();
        return awaitExit(STOP_TIMEOUT);
    }

    /** SIGTERM, as an orderly shutdown; waits for the exit and returns its code. */
    public synchronized int stop() {
        if (process == null) {
            return -1;
        }
        process.destroy();
        if (!waitFor(STOP_TIMEOUT)) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
            throw new AssertionError(name + " did not stop within " + STOP_TIMEOUT + " of SIGTERM; killed it");
        }
        return awaitExit(Duration.ofSeconds(1));
    }

    /** Waits until the process ended by itself (a fault-injection halt); returns its exit code. */
    public int awaitExit(Duration timeout) {
        Process p;
        synchronized (this) {
            p = process;
        }
        if (p == null) {
            return -1;
        }
        if (!waitFor(timeout)) {
            throw new AssertionError(name + " (pid " + p.pid() + ") still runs after " + timeout);
        }
        LIVE.remove(p);
        return p.exitValue();
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The last {@code lines} lines of the current start's log. */
    public String logTail(int lines) {
        try {
            if (log == null || !Files.exists(log)) {
                return "";
            }
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Every log line of every start that contains {@code text}. */
    public List<String> logLinesContaining(String text) {
        List<String> found = new ArrayList<>();
        try (var files = Files.list(data)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("gateway-" + name + "-")).toList()) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.contains(text)) {
                        found.add(line);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Kills the process if it still runs (for @AfterEach/@AfterAll and finally blocks). */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (process != null) {
            LIVE.remove(process);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
