package org.photobridge.gateway.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
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
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;

/**
 * A C-STORE SCP that records every object it receives, for counting deliveries at the receiver: dcmtk
 * {@code storescp}, run as its own process on a free port with its own AE title, writing each
 * received object to its own directory under a unique file name ({@code +uf}), so a second copy of
 * the same SOP Instance is kept beside the first, never written over it.
 *
 * <p>storescp runs without {@code --fork}, so it serves one association at a time: a second one is
 * accepted by the kernel and then left unanswered until the first ends. A sender must be configured
 * for {@value #ASSOCIATIONS} association at once ({@code associations}) or its extra associations wait
 * for the first to end, and may time out and count as failed attempts.
 *
 * <p>It can also misbehave, for fault tests ({@link Mode}): refuse associations, abort during or
 * after a C-STORE, answer a failure status, or hang. {@link #stop()} kills the process, as a PACS
 * outage; {@link #restart()} brings it back on the same port. Every process call has a time-out,
 * and a JVM shutdown hook kills what a test left running.
 */
public final class RecordingScp implements AutoCloseable {
    /** Associations it serves at once (storescp without {@code --fork}). */
    public static final int ASSOCIATIONS = 1;
    private static final String STORESCP = "/usr/bin/storescp";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    /** Ends after (0008,0018) SOP Instance UID whatever the reader's rule about the stop tag itself. */
    private static final AttributeTag AFTER_SOP_INSTANCE_UID = new AttributeTag(0x0008, 0x0020);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "recording-scp-cleanup"));
    }

    /** How the SCP behaves while it runs. */
    public enum Mode {
        /** Accepts every association and stores every object (JPEG included: {@code +xa}). */
        RECORD,
        /** Rejects every association (A-ASSOCIATE-RJ, {@code --refuse}). */
        REFUSE,
        /** Aborts the association while the C-STORE data arrives ({@code --abort-during}); stores nothing. */
        ABORT_DURING_STORE,
        /**
         * Receives the whole C-STORE, then aborts before its response ({@code --abort-after}); storescp
         * 3.6.7 stores nothing in this mode either (checked by hand: its output directory stays empty).
         */
        ABORT_AFTER_STORE,
        /**
         * Answers every C-STORE with failure status 0xA700 (out of resources): storescp's output
         * directory is removed once it listens, so it cannot write and says so. dcmtk's storescp has
         * no option to choose a status.
         */
        FAILURE_STATUS,
        /** No storescp: a {@link HangingPeer} on the port accepts connections and never answers. */
        HANG
    }

    private final String aeTitle;
    private final Path root;
    private final Path received;
    private final Path log;
    private int port;
    private Mode mode;
    private Process process;
    private HangingPeer hangingPeer;

    /** An SCP with this AE title (1-16 characters); nothing runs until {@link #start()}. */
    public RecordingScp(String aeTitle) {
        if (aeTitle.isBlank() || aeTitle.length() > 16) {
            throw new IllegalArgumentException("AE title must be 1-16 characters: '" + aeTitle + "'");
        }
        this.aeTitle = aeTitle;
        try {
            root = Files.createTempDirectory("recording-scp-");
            received = Files.createDirectory(root.resolve("received"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log = root.resolve("storescp.log");
    }

    public String aeTitle() {
        return aeTitle;
    }

    /** The port; fixed at the first start and kept across restarts. */
    public int port() {
        if (port == 0) {
            throw new IllegalStateException("not started yet");
        }
        return port;
    }

    /** Where received objects are written, one file per copy. */
    public Path directory() {
        return received;
    }

    public synchronized Mode mode() {
        return mode;
    }

    public synchronized boolean isRunning() {
        return (process != null && process.isAlive()) || hangingPeer != null;
    }

    /** Starts recording; returns this. */
    public RecordingScp start() {
        return start(Mode.RECORD);
    }

    /** Starts in {@code mode} on this SCP's port (a free loopback port at the first start). */
    public synchronized RecordingScp start(Mode mode) {
        if (isRunning()) {
            throw new IllegalStateException("already running in mode " + this.mode);
        }
        if (port == 0) {
            port = freePort();
        }
        this.mode = mode;
        if (mode == Mode.HANG) {
            hangingPeer = HangingPeer.start(port);
            return this;
        }
        if (!Files.isExecutable(Path.of(STORESCP))) {
            throw new AssertionError(STORESCP + " is not installed; install Debian package dcmtk"
                    + " (apt-get install dcmtk)");
        }
        Path output = received;
        try {
            if (mode == Mode.FAILURE_STATUS) {
                output = Files.createDirectories(root.resolve("vanishing"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(STORESCP,
                "--aetitle", aeTitle,
                "+xa", // JPEG Baseline photos need it
                "--unique-filenames", "--filename-extension", ".dcm",
                "--output-directory", output.toString(),
                "--disable-host-lookup",
                "--acse-timeout", "10", "--dimse-timeout", "30", "--socket-timeout", "30",
                "--verbose"));
        switch (mode) {
            case REFUSE -> command.add("--refuse");
            case ABORT_DURING_STORE -> command.add("--abort-during");
            case ABORT_AFTER_STORE -> command.add("--abort-after");
            default -> {
            }
        }
        command.add(String.valueOf(port));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("could not run " + STORESCP, e);
        }
        LIVE.add(process);
        awaitListening();
        if (mode == Mode.FAILURE_STATUS) {
            deleteTree(output);
        }
        return this;
    }

    /** Kills the SCP at once, as a PACS outage: new connections are refused. */
    public synchronized void stop() {
        if (hangingPeer != null) {
            hangingPeer.close();
            hangingPeer = null;
        }
        if (process != null) {
            process.destroyForcibly();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("storescp (pid " + process.pid() + ") did not die within " + STOP_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            LIVE.remove(process);
            process = null;
        }
    }

    /** Stops whatever runs and records again on the same port. */
    public RecordingScp restart() {
        return restart(Mode.RECORD);
    }

    /** Stops whatever runs and starts again in {@code mode} on the same port. */
    public synchronized RecordingScp restart(Mode mode) {
        stop();
        return start(mode);
    }

    /** Stops the SCP and deletes its directory with everything it received. */
    @Override
    public void close() {
        stop();
        deleteTree(root);
    }

    /** How many copies of this SOP Instance the SCP holds. */
    public int receivedCount(String sopInstanceUid) {
        return receivedCounts().getOrDefault(sopInstanceUid, 0L).intValue();
    }

    /** Every copy received, as SOP Instance UID to number of copies (a multiset). */
    public Map<String, Long> receivedCounts() {
        return receivedSopInstanceUids().stream()
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }

    /**
     * The SOP Instance UID of every object received, one entry per copy, read from the stored files
     * with PixelMed. storescp writes a file before it answers the C-STORE, so every object the sender
     * was told is stored is listed; a file still being written is skipped until it can be read.
     */
    public List<String> receivedSopInstanceUids() {
        List<String> uids = new ArrayList<>();
        for (Path file : receivedFiles()) {
            try {
                var list = new AttributeList();
                list.setDecompressPixelData(false);
                list.read(file.toString(), AFTER_SOP_INSTANCE_UID);
                String uid = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID);
                if (!uid.isEmpty()) {
                    uids.add(uid);
                }
            } catch (IOException | DicomException stillBeingWritten) {
                // not complete yet
            }
        }
        return uids;
    }

    /** The files received, oldest first. */
    public List<Path> receivedFiles() {
        try (var files = Files.list(received)) {
            return files.filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).thenComparing(Path::toString))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until at least one copy of this SOP Instance arrived; fails after {@code timeout}. */
    public void awaitReceived(String sopInstanceUid, Duration timeout) {
        await("SCP " + aeTitle + " receives " + sopInstanceUid).atMost(timeout)
                .pollInterval(Duration.ofMillis(200)).until(() -> receivedCount(sopInstanceUid) >= 1);
    }

    /** Deletes every received object (between tests). */
    public void clearReceived() {
        for (Path file : receivedFiles()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** What storescp logged, for failure messages. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private void awaitListening() {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                LIVE.remove(process);
                throw new AssertionError("storescp exited with " + process.exitValue() + " on port " + port
                        + ":\n" + log());
            }
            try (var probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
        stop();
        throw new AssertionError("storescp did not listen on port " + port + " within " + START_TIMEOUT + ":\n" + log());
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (var paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
