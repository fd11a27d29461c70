package org.photobridge.gateway.tls;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;


/**
 * dcmtk {@code storescp} listening with TLS ({@code +tls key cert}) on a free loopback port, writing what
 * it receives to its own directory (one file per object, {@code --unique-filenames}). Peer authentication
 * and the security profile are the test's to choose.
 */
final class TlsStorescp implements AutoCloseable {
    static final String STORESCP = "/usr/bin/storescp";
    static final String AE_TITLE = "TLSSCP";

    private final Process process;
    private final int port;
    private final Path received;
    private final Path log;

    private TlsStorescp(Process process, int port, Path received, Path log) {
        this.process = process;
        this.port = port;
        this.received = received;
        this.log = log;
    }

    /** Fails the test when dcmtk is missing (deploy/local/test.sh installs it): a missing tool is never a skip. */
    static void requireStorescp() {
        if (!Files.isExecutable(Path.of(STORESCP))) {
            throw new AssertionError(STORESCP + " is not installed: install Debian package dcmtk"
                    + " (deploy/local/test.sh does)");
        }
    }

    /**
     * @param caForClients when non-null, client certificates are required and must chain to it
     *                     ({@code --require-peer-cert +cf}); when null, none is asked ({@code --ignore-peer-cert})
     * @param profile      security profile and cipher options, e.g. {@code +py} (BCP 195 non-downgrading)
     */
    static TlsStorescp start(Path root, Path key, Path certificate, Path caForClients, String... profile)
            throws Exception {
        requireStorescp();
        Path received = Files.createDirectories(root.resolve("received-" + System.nanoTime()));
        Path log = root.resolve("storescp-" + System.nanoTime() + ".log");
        int port;
        try (var probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(STORESCP, "--aetitle", AE_TITLE, "+xa",
                "--unique-filenames", "--filename-extension", ".dcm", "--output-directory", received.toString(),
                "--disable-host-lookup", "--acse-timeout", "10", "--dimse-timeout", "20", "--verbose",
                "+tls", key.toString(), certificate.toString(), "-pw"));
        if (caForClients == null) {
            command.add("-ic");
        } else {
            command.addAll(List.of("-rc", "+cf", caForClients.toString()));
        }
        command.addAll(List.of(profile));
        command.add(String.valueOf(port));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        var scp = new TlsStorescp(process, port, received, log);
        scp.awaitListening();
        return scp;
    }

    int port() {
        return port;
    }

    Path received() {
        return received;
    }

    /** How many objects storescp wrote. */
    long receivedCount() throws IOException {
        try (Stream<Path> files = Files.list(received)) {
            return files.filter(f -> f.toString().endsWith(".dcm")).count();
        }
    }

    List<Path> receivedFiles() throws IOException {
        try (Stream<Path> files = Files.list(received)) {
            return files.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Waits until the port is in LISTEN state, read from /proc/net/tcp so that no probe connection
     * occupies storescp (it serves one association at a time).
     */
    private void awaitListening() throws Exception {
        String hexPort = String.format(Locale.ROOT, ":%04X ", port);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("storescp exited with " + process.exitValue() + ": " + log());
            }
            for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path file = Path.of(table);
                if (Files.isReadable(file)) {
                    for (String line : Files.readAllLines(file)) {
                        String[] columns = line.trim().split("\\s+");
                        if (columns.length > 3 && (columns[1] + " ").endsWith(hexPort) && columns[3].equals("0A")) {
                            return;
                        }
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("storescp did not listen on " + port + " within 15 s: " + log());
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
