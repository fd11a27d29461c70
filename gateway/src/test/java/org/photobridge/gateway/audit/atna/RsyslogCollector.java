package org.photobridge.gateway.audit.atna;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;

/**
 * A real ATNA collector for the tests: Debian's rsyslogd, started as a child process on a free
 * loopback port with its own configuration, certificates (made with the openssl CLI), PID file and
 * output file, all in one directory; the system's rsyslog is never touched. It listens with imtcp
 * and a TLS stream driver ({@code ossl}: OpenSSL, or {@code gtls}: GnuTLS), takes RFC 5425
 * octet-counted frames, and writes each message's raw text as one line of {@code received.log}.
 *
 * <p>Everything it needs is written to {@code collector.properties} in its directory, so a test
 * can {@link #attach(Path)} to a collector a Quarkus test resource started.
 */
public final class RsyslogCollector {
    /** The client certificate's name, which the collector permits (x509/name). */
    public static final String CLIENT_NAME = "photobridge-test-client";
    private static final Pattern LINE = Pattern.compile(
            "^<(\\d+)>1 (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) (-|\\[.*?\\]) \uFEFF(.*)$");
    private static final Pattern SEQUENCE_ID = Pattern.compile("\\[meta sequenceId=\"(\\d+)\"\\]");

    private final Path directory;
    private final Properties settings;

    private RsyslogCollector(Path directory, Properties settings) {
        this.directory = directory;
        this.settings = settings;
    }

    /** What a collector is made of. */
    public record Options(String driver, boolean requireClientCertificate, List<String> serverNames) {
        public static Options mutualTls(String driver) {
            return new Options(driver, true, List.of("localhost", "127.0.0.1"));
        }
    }

    /** One message as the collector wrote it. */
    public record Received(int pri, String timestamp, String hostname, String appName, String procId, String msgId,
            String structuredData, String xml) {
        public long sequenceId() {
            Matcher m = SEQUENCE_ID.matcher(structuredData);
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        }
    }

    /**
     * Makes sure rsyslogd and the TLS driver module are installed. Without them the test fails.
     */
    public static void requireInstalled(String driver) {
        missing(driver).ifPresent(RsyslogCollector::unavailable);
    }

    /** Why a collector with this driver cannot run here, if it cannot. */
    public static Optional<String> missing(String driver) {
        if (rsyslogd().isEmpty()) {
            return Optional.of("rsyslogd is not installed: install the Debian packages rsyslog, rsyslog-openssl "
                    + "and rsyslog-gnutls (deploy/local/test.sh does), plus openssl");
        }
        if (driverModule(driver).isEmpty()) {
            return Optional.of("rsyslog's TLS driver lmnsd_" + driver + " is not installed: install the Debian "
                    + "package " + ("gtls".equals(driver) ? "rsyslog-gnutls" : "rsyslog-openssl"));
        }
        if (onPath("openssl").isEmpty()) {
            return Optional.of("the openssl CLI is not installed (Debian package openssl); the test makes its "
                    + "certificates with it");
        }
        return Optional.empty();
    }

    /** A missing rsyslog or openssl fails the test: the test command installs both. */
    public static void unavailable(String why) {
        Assertions.fail(why);
    }

    /** Creates certificates and configuration in {@code directory}; does not start the collector. */
    public static RsyslogCollector create(Path directory, Options options) throws IOException {
        Files.createDirectories(directory.resolve("work"));
        Path ca = directory.resolve("ca.pem");
        Path caKey = directory.resolve("ca.key");
        openssl(directory, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=PhotoBridge test CA");
        String sans = String.join(",", options.serverNames().stream()
                .map(n -> n.matches("[0-9.]+") ? "IP:" + n : "DNS:" + n).toList());
        issue(directory, "server", options.serverNames().get(0), "subjectAltName=" + sans
                + "\nextendedKeyUsage=serverAuth\n");
        issue(directory, "client", CLIENT_NAME, "subjectAltName=DNS:" + CLIENT_NAME
                + "\nextendedKeyUsage=clientAuth\n");
        int port;
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        String authMode = options.requireClientCertificate() ? "x509/name" : "anon";
        String peers = options.requireClientCertificate() ? " permittedPeer=[\"" + CLIENT_NAME + "\"]" : "";
        String config = """
                global(workDirectory="%1$s/work" maxMessageSize="64k"
                       defaultNetstreamDriver="%2$s"
                       defaultNetstreamDriverCAFile="%1$s/ca.pem"
                       defaultNetstreamDriverCertFile="%1$s/server.pem"
                       defaultNetstreamDriverKeyFile="%1$s/server.key")
                module(load="imtcp" streamDriver.name="%2$s" streamDriver.mode="1" streamDriver.authMode="%3$s"%4$s)
                template(name="raw" type="string" string="%%rawmsg%%\\n")
                input(type="imtcp" address="127.0.0.1" port="%5$d" name="atna")
                if $inputname == "atna" then {
                    action(type="omfile" file="%1$s/received.log" template="raw")
                }
                """.formatted(directory.toAbsolutePath(), options.driver(), authMode, peers, port);
        Files.writeString(directory.resolve("rsyslog.conf"), config);
        var settings = new Properties();
        settings.setProperty("port", Integer.toString(port));
        settings.setProperty("driver", options.driver());
        try (OutputStream out = Files.newOutputStream(directory.resolve("collector.properties"))) {
            settings.store(out, "test ATNA collector");
        }
        return new RsyslogCollector(directory, settings);
    }

    /** A collector that {@link #create} set up in {@code directory}, perhaps in another class loader. */
    public static RsyslogCollector attach(Path directory) {
        var settings = new Properties();
        try (InputStream in = Files.newInputStream(directory.resolve("collector.properties"))) {
            settings.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RsyslogCollector(directory, settings);
    }

    public Path directory() {
        return directory;
    }

    public int port() {
        return Integer.parseInt(settings.getProperty("port"));
    }

    public Path caFile() {
        return directory.resolve("ca.pem");
    }

    public Path clientCertificate() {
        return directory.resolve("client.pem");
    }

    public Path clientKey() {
        return directory.resolve("client.key");
    }

    /** Starts rsyslogd in the foreground as a child process and waits until it listens. */
    public void start() throws IOException, InterruptedException {
        Files.deleteIfExists(pidFile());
        Process process = new ProcessBuilder(rsyslogd().orElseThrow().toString(), "-n",
                "-f", directory.resolve("rsyslog.conf").toString(), "-i", pidFile().toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("rsyslogd.out").toFile()))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rsyslogd exited with " + process.exitValue() + ": " + output());
            }
            if (Files.exists(pidFile()) && listening()) {
                return;
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("rsyslogd did not listen on port " + port() + " within 20 s: " + output());
    }

    /** Stops the collector (SIGTERM, as a service manager would) and waits until it has exited. */
    public void stop() throws InterruptedException {
        Optional<ProcessHandle> process = process();
        if (process.isEmpty()) {
            return;
        }
        process.get().destroy();
        try {
            process.get().onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            process.get().destroyForcibly();
        }
    }

    public boolean running() {
        return process().isPresent();
    }

    /** Every message written so far, in order of arrival. */
    public List<Received> received() throws IOException {
        Path file = directory.resolve("received.log");
        if (!Files.exists(file)) {
            return List.of();
        }
        var messages = new ArrayList<Received>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError("not an RFC 5424 message with a UTF-8 MSG: " + line);
            }
            messages.add(new Received(Integer.parseInt(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5),
                    m.group(6), m.group(7), m.group(8)));
        }
        return messages;
    }

    /** Waits until {@code done} holds for what was received; fails with what was received otherwise. */
    public List<Received> await(Duration within, java.util.function.Predicate<List<Received>> done)
            throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(within);
        List<Received> received = received();
        while (!done.test(received)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the collector did not receive what was expected within " + within
                        + "; it has sequence ids " + received.stream().map(Received::sequenceId).toList());
            }
            Thread.sleep(200);
            received = received();
        }
        return received;
    }

    private Optional<ProcessHandle> process() {
        try {
            if (!Files.exists(pidFile())) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile()).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private boolean listening() {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Path pidFile() {
        return directory.resolve("rsyslogd.pid");
    }

    private String output() {
        try {
            return Files.readString(directory.resolve("rsyslogd.out"));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static void issue(Path directory, String name, String commonName, String extensions) throws IOException {
        Path extensionFile = directory.resolve(name + ".ext");
        Files.writeString(extensionFile, extensions);
        openssl(directory, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", directory.resolve(name + ".key").toString(), "-out", directory.resolve(name + ".csr").toString(),
                "-subj", "/CN=" + commonName);
        openssl(directory, "x509", "-req", "-in", directory.resolve(name + ".csr").toString(),
                "-CA", directory.resolve("ca.pem").toString(), "-CAkey", directory.resolve("ca.key").toString(),
                "-CAcreateserial", "-out", directory.resolve(name + ".pem").toString(), "-days", "2",
                "-extfile", extensionFile.toString());
    }

    /** Runs the openssl CLI in {@code directory}; its output goes to openssl.out there. */
    static void openssl(Path directory, String... arguments) throws IOException {
        var command = new ArrayList<String>();
        command.add("openssl");
        command.addAll(List.of(arguments));
        Path log = directory.resolve("openssl.out");
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("openssl " + arguments[0] + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Optional<Path> rsyslogd() {
        for (String candidate : List.of("/usr/sbin/rsyslogd", "/sbin/rsyslogd")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(Path.of(candidate));
            }
        }
        return onPath("rsyslogd");
    }

    private static Optional<Path> driverModule(String driver) {
        String module = "lmnsd_" + driver + ".so";
        for (String root : List.of("/usr/lib", "/usr/lib64", "/lib")) {
            Path dir = Path.of(root);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> found = Files.find(dir, 3, (p, a) -> p.getFileName().toString().equals(module)
                    && p.getParent().getFileName().toString().equals("rsyslog"))) {
                Optional<Path> first = found.findFirst();
                if (first.isPresent()) {
                    return first;
                }
            } catch (IOException | UncheckedIOException e) {
                // unreadable corners of /usr/lib do not matter
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir, program);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
