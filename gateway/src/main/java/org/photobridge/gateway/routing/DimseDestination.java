package org.photobridge.gateway.routing;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.DicomStreamCopier;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import com.pixelmed.network.AReleaseException;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.CStoreRequestCommandMessage;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.DicomNetworkException;
import com.pixelmed.network.PresentationContext;
import com.pixelmed.network.StorageSOPClassSCU;
import com.pixelmed.network.VerificationSOPClassSCU;
import com.pixelmed.utils.CopyStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.net.Socket;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.LinkedList;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;
import org.photobridge.gateway.outbox.WorkOutcome;

/**
 * Delivers DICOM objects to a PACS by DIMSE C-STORE and checks it with C-ECHO, using PixelMed.
 *
 * <p><b>Timeouts.</b> PixelMed 20220618 opens its socket with {@code new Socket(host, port)} and never
 * sets {@code SO_TIMEOUT}: by itself it waits for the operating system's connect timeout (about two
 * minutes on Linux) and then forever for an A-ASSOCIATE answer or a C-STORE response. This class
 * therefore runs every PixelMed call on its own daemon thread and watches it:
 * <ul>
 *   <li>until the association is established, the attempt is bounded by {@code connectTimeout +
 *       readTimeout}; past that the caller gets {@link WorkOutcome.Retry} and the thread is
 *       abandoned (PixelMed gives no handle to close its socket at that stage). While an abandoned
 *       thread is still blocked, further attempts to this destination return Retry at once, so a hung
 *       peer costs at most one parked thread per concurrent sender.</li>
 *   <li>once associated, the socket is taken from the association, {@code SO_TIMEOUT} is set to
 *       {@code readTimeout}, and a watchdog closes the socket if no byte has been written or answered
 *       for {@code readTimeout} (this also ends a write blocked by a peer that stopped reading).</li>
 * </ul>
 * {@link #check()} uses PixelMed's {@link VerificationSOPClassSCU}, which never exposes its socket, so
 * a C-ECHO is bounded by abandoning the thread after {@code connectTimeout + readTimeout}.
 *
 * <p><b>Transfer syntax.</b> The presentation contexts offered are the object's own transfer syntax and
 * Explicit VR Little Endian. The object's bytes are copied as they are when its own syntax is accepted,
 * so a JPEG Baseline photo stays JPEG Baseline; an encapsulated (compressed) object is never
 * decompressed to fit a PACS that accepts only uncompressed syntaxes: that is reported as Failed.
 */
public final class DimseDestination implements Destination {

    private static final Logger LOG = Logger.getLogger(DimseDestination.class);

    private static final String EXPLICIT_VR_LITTLE_ENDIAN = TransferSyntax.ExplicitVRLittleEndian;
    private static final Duration GRACE_AFTER_CLOSE = Duration.ofSeconds(5);
    private static final long WATCH_INTERVAL_MILLIS = 100;
    private static final Field ASSOCIATION_SOCKET = associationSocketField();

    private final DimseSettings settings;
    /** Worker threads given up on while still blocked inside PixelMed. */
    private final Set<Thread> abandoned = ConcurrentHashMap.newKeySet();

    public DimseDestination(DimseSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String name() {
        return settings.name();
    }

    public DimseSettings settings() {
        return settings;
    }

    @Override
    public WorkOutcome deliver(DicomSource source, String sopClassUid, String sopInstanceUid) {
        FileMeta meta;
        try {
            meta = FileMeta.read(source);
        } catch (NoSuchFileException e) {
            return new WorkOutcome.Failed(where() + ": the DICOM file to send does not exist (outbox inconsistency)");
        } catch (IOException | DicomException e) {
            return new WorkOutcome.Failed(where() + ": the DICOM file to send cannot be read as DICOM Part 10 ("
                    + e.getClass().getSimpleName() + "); it must be rebuilt before it can be sent");
        }
        if (!meta.sopClassUid().equals(sopClassUid) || !meta.sopInstanceUid().equals(sopInstanceUid)) {
            // Guards against sending one patient's photo under another outbox entry.
            return new WorkOutcome.Failed(where() + ": the file's meta header names SOP Instance "
                    + meta.sopInstanceUid() + " of class " + meta.sopClassUid() + ", but the outbox entry is "
                    + sopInstanceUid + " of class " + sopClassUid + "; not sent");
        }
        return supervise("C-STORE", attempt -> store(attempt, source, meta));
    }

    @Override
    public Reachability check() {
        WorkOutcome outcome = supervise("C-ECHO", attempt -> echo());
        return new Reachability(outcome instanceof WorkOutcome.Done, outcome.message());
    }

    // ---------------------------------------------------------------- the work, on a worker thread

    private WorkOutcome echo() {
        try {
            // Throws on rejection, abort or a non-success status.
            new VerificationSOPClassSCU(settings.host(), settings.port(), settings.calledAeTitle(),
                    settings.callingAeTitle(), false);
            return new WorkOutcome.Done(where() + ": C-ECHO succeeded");
        } catch (Exception e) {
            return outcomeForException("C-ECHO", e, false);
        }
    }

    private WorkOutcome store(Attempt attempt, DicomSource source, FileMeta meta) {
        var contexts = new LinkedList<PresentationContext>();
        contexts.add(new PresentationContext((byte) 1, meta.sopClassUid(), meta.transferSyntaxUid()));
        if (!meta.transferSyntaxUid().equals(EXPLICIT_VR_LITTLE_ENDIAN)) {
            contexts.add(new PresentationContext((byte) 3, meta.sopClassUid(), EXPLICIT_VR_LITTLE_ENDIAN));
        }
        Association association;
        try {
            association = AssociationFactory.createNewAssociation(settings.host(), settings.port(),
                    settings.calledAeTitle(), settings.callingAeTitle(), contexts, null, false);
        } catch (Exception e) {
            return outcomeForException("association", e, false);
        }
        try {
            if (!attempt.associated(association, settings.readTimeout())) {
                abortQuietly(association);
                return new WorkOutcome.Retry(where() + ": association came too late; abandoned");
            }
            String acceptedSyntax = acceptedTransferSyntax(association, meta);
            if (acceptedSyntax == null) {
                association.release();
                return noUsableContext(association, meta);
            }
            var scu = new StatusReportingStorageScu(attempt);
            // The object streams from its source (for photos: decrypted from the store as it is read)
            // into the association; it is never written out in plaintext.
            try (InputStream raw = source.open(); var in = new DicomInputStream(raw)) {
                var metaHeader = new AttributeList();
                metaHeader.readOnlyMetaInformationHeader(in);
                scu.sendOne(association, meta.sopClassUid(), meta.sopInstanceUid(),
                        in.getTransferSyntaxToReadDataSet().getUID(), in);
            } catch (Exception e) {
                if (scu.failure == null) {
                    scu.failure = e;
                }
            }
            if (scu.failure != null) {
                if (!attempt.timedOut) {
                    abortQuietly(association);
                }
                return outcomeForException("C-STORE", scu.failure, attempt.timedOut);
            }
            if (scu.status == null) {
                abortQuietly(association);
                return new WorkOutcome.Retry(where() + ": C-STORE ended without a response from the PACS; will retry");
            }
            releaseQuietly(association);
            return outcomeForStatus(scu.status, where(), acceptedSyntax);
        } catch (Exception e) {
            if (!attempt.timedOut) {
                abortQuietly(association);
            }
            return outcomeForException("C-STORE", e, attempt.timedOut);
        }
    }

    /** The accepted syntax this object can be sent in without decompressing it, or null. */
    private static String acceptedTransferSyntax(Association association, FileMeta meta) {
        for (String candidate : new String[] {meta.transferSyntaxUid(), EXPLICIT_VR_LITTLE_ENDIAN}) {
            if (candidate.equals(EXPLICIT_VR_LITTLE_ENDIAN) && TransferSyntax.isEncapsulated(meta.transferSyntaxUid())) {
                continue;
            }
            try {
                association.getSuitablePresentationContextID(meta.sopClassUid(), candidate);
                return candidate;
            } catch (DicomNetworkException notAccepted) {
                // try the next one
            }
        }
        return null;
    }

    private WorkOutcome noUsableContext(Association association, FileMeta meta) {
        try {
            association.getSuitablePresentationContextID(meta.sopClassUid());
        } catch (DicomNetworkException none) {
            return new WorkOutcome.Failed(where() + ": the PACS accepted no presentation context for SOP Class "
                    + meta.sopClassUid() + " (SOP class not supported by the PACS); configure the PACS to accept it");
        }
        return new WorkOutcome.Failed(where() + ": the PACS does not accept transfer syntax "
                + meta.transferSyntaxUid() + " for SOP Class " + meta.sopClassUid()
                + " and PhotoBridge does not decompress photos; configure the PACS to accept it");
    }

    /**
     * PixelMed's C-STORE SCU, changed only where it hides the outcome: its response handler keeps the
     * status to itself and its multi-instance loop swallows exceptions. The association, presentation
     * context choice and PDU encoding stay PixelMed's.
     */
    private static final class StatusReportingStorageScu extends StorageSOPClassSCU {
        private final Attempt attempt;
        Integer status;
        Exception failure;

        StatusReportingStorageScu(Attempt attempt) throws DicomNetworkException, DicomException, IOException {
            super();
            this.attempt = attempt;
        }

        /** Sends one object whose data set {@code in} is positioned at; true when the PACS stored it. */
        boolean sendOne(Association association, String sopClass, String sopInstance, String inputSyntax,
                DicomInputStream in) throws AReleaseException, DicomNetworkException, DicomException, IOException {
            byte contextId = association.getSuitablePresentationContextID(sopClass);
            String outputSyntax = association.getTransferSyntaxForPresentationContextID(contextId);
            return sendOneSOPInstance(association, sopClass, sopInstance, inputSyntax, in, contextId, outputSyntax,
                    null, -1);
        }

        @Override
        protected boolean sendOneSOPInstance(Association association, String sopClass, String sopInstance,
                String inputSyntax, DicomInputStream in, byte contextId, String outputSyntax,
                String moveOriginatorAeTitle, int moveOriginatorMessageId)
                throws AReleaseException, DicomNetworkException, DicomException, IOException {
            try {
                // PixelMed picks any accepted context; prefer the one that needs no conversion.
                byte chosen = contextId;
                String syntax = outputSyntax;
                try {
                    chosen = association.getSuitablePresentationContextID(sopClass, inputSyntax);
                    syntax = inputSyntax;
                } catch (DicomNetworkException notAccepted) {
                    if (TransferSyntax.isEncapsulated(inputSyntax)) {
                        throw new DicomNetworkException("refusing to decompress " + inputSyntax + " to " + outputSyntax);
                    }
                }
                var handler = new StatusHandler();
                association.setReceivedDataHandler(handler);
                association.send(chosen,
                        new CStoreRequestCommandMessage(sopClass, sopInstance, moveOriginatorAeTitle, moveOriginatorMessageId)
                                .getBytes(),
                        null);
                OutputStream out = new ProgressOutputStream(association.getAssociationOutputStream(chosen), attempt);
                if (inputSyntax.equals(syntax)) {
                    CopyStream.copy(in, out);
                    out.close();
                } else {
                    // Uncompressed to uncompressed only (checked above); the copier closes the stream.
                    new DicomStreamCopier(in, new DicomOutputStream(out, null, syntax));
                }
                attempt.progress();
                association.waitForCommandPDataPDUs();
                status = handler.getStatus();
                return handler.wasSuccessful();
            } catch (AReleaseException | DicomNetworkException | DicomException | IOException | RuntimeException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Keeps the C-STORE-RSP status, which PixelMed's own handler evaluates and drops. */
    private static final class StatusHandler extends CompositeResponseHandler {
        StatusHandler() {
            status = 0xFFFF;
        }

        @Override
        protected void evaluateStatusAndSetSuccess(AttributeList list) {
            status = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Status, 0xFFFF);
            success = isStoredStatus(status);
        }
    }

    /** Counts bytes handed to the association as progress, so a stalled write can be timed out. */
    private static final class ProgressOutputStream extends FilterOutputStream {
        private final Attempt attempt;

        ProgressOutputStream(OutputStream out, Attempt attempt) {
            super(out);
            this.attempt = attempt;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            attempt.progress();
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            attempt.progress();
        }
    }

    // ---------------------------------------------------------------- outcome mapping

    private static boolean isStoredStatus(int status) {
        return status == 0x0000 || status == 0x0111 || (status & 0xF000) == 0xB000 || status == 0x0001
                || status == 0x0107 || status == 0x0116;
    }

    /**
     * Maps a C-STORE response status (PS3.4 B.2.3, PS3.7 C) to an outcome. Warnings count as stored;
     * resource shortages and processing failures are worth retrying; refusals of the object are not.
     */
    static WorkOutcome outcomeForStatus(int status, String where, String transferSyntaxUid) {
        String code = "0x" + String.format(Locale.ROOT, "%04X", status);
        String sent = transferSyntaxUid == null ? "" : " (sent as " + transferSyntaxUid + ")";
        if (status == 0x0000) {
            return new WorkOutcome.Done(where + ": stored, status 0x0000" + sent);
        }
        if (status == 0x0111) {
            return new WorkOutcome.Done(where + ": PACS already holds this SOP Instance (status 0x0111 duplicate)" + sent);
        }
        if ((status & 0xF000) == 0xB000 || status == 0x0001 || status == 0x0107 || status == 0x0116) {
            return new WorkOutcome.Done(where + ": stored with warning " + code + " (" + warningMeaning(status)
                    + "); check the object in the PACS" + sent);
        }
        if ((status & 0xFF00) == 0xA700 || status == 0x0213) {
            return new WorkOutcome.Retry(where + ": PACS refused with status " + code
                    + " (out of resources); will retry, ask the PACS team to check its storage if this persists");
        }
        if (status == 0x0110) {
            return new WorkOutcome.Retry(where + ": PACS reported status 0x0110 (processing failure); will retry,"
                    + " check the PACS log if this persists");
        }
        if (status == 0xFE00) {
            return new WorkOutcome.Retry(where + ": PACS cancelled the C-STORE (status 0xFE00); will retry");
        }
        if ((status & 0xFF00) == 0xA900) {
            return new WorkOutcome.Failed(where + ": PACS refused the object with status " + code
                    + " (data set does not match SOP Class); the object needs correcting, not resending");
        }
        if ((status & 0xF000) == 0xC000) {
            return new WorkOutcome.Failed(where + ": PACS refused the object with status " + code
                    + " (cannot understand); the object needs correcting, not resending");
        }
        if (status == 0x0122) {
            return new WorkOutcome.Failed(where + ": PACS refused with status 0x0122 (SOP Class not supported);"
                    + " configure the PACS to accept this SOP Class");
        }
        if (status == 0x0124) {
            return new WorkOutcome.Failed(where + ": PACS refused with status 0x0124 (not authorized);"
                    + " check the calling AE title is allowed to store");
        }
        if (status == 0xFFFF) {
            return new WorkOutcome.Retry(where + ": C-STORE response carried no status; will retry");
        }
        return new WorkOutcome.Failed(where + ": PACS answered with failure status " + code
                + "; an operator must look at the PACS log before resending");
    }

    private static String warningMeaning(int status) {
        return switch (status) {
            case 0xB000 -> "coercion of data elements";
            case 0xB006 -> "elements discarded";
            case 0xB007 -> "data set does not match SOP Class";
            default -> "warning";
        };
    }

    /**
     * Maps what PixelMed throws to an outcome. PixelMed reports rejection and abort as
     * {@link DicomNetworkException} whose message carries PS3.8 result, source and reason in words,
     * for example {@code A-ASSOCIATE-RJ indication - rejected-permanent by DICOM UL Service User,
     * called AE Title not recognized}.
     */
    WorkOutcome outcomeForException(String phase, Throwable e, boolean timedOut) {
        String where = where();
        // PixelMed turns socket trouble into "A-P-ABORT indication - ... java.net.ConnectException: ..."
        // keeping only the text, so both the exception chain and its text are consulted.
        String text = describe(e);
        if (timedOut || text.contains("SocketTimeoutException")) {
            return new WorkOutcome.Retry(where + ": no answer from the PACS for " + seconds(settings.readTimeout())
                    + " during " + phase + "; will retry");
        }
        if (text.contains("ConnectException")) {
            return new WorkOutcome.Retry(where + ": connection refused; is the PACS running and is the port right?"
                    + " Will retry");
        }
        if (text.contains("UnknownHostException")) {
            return new WorkOutcome.Retry(where + ": host name does not resolve; check the destination's host setting."
                    + " Will retry");
        }
        if (text.contains("NoRouteToHostException")) {
            return new WorkOutcome.Retry(where + ": no route to host; check the network. Will retry");
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("A-ASSOCIATE-RJ")) {
            String detail = message.substring(message.indexOf("rejected") >= 0 ? message.indexOf("rejected") : 0);
            if (message.contains("rejected-transient")) {
                return new WorkOutcome.Retry(where + ": association rejected (" + detail + "); will retry");
            }
            return new WorkOutcome.Failed(where + ": association rejected (" + detail + "); check the called AE title '"
                    + settings.calledAeTitle() + "' and that the PACS knows calling AE title '"
                    + settings.callingAeTitle() + "'");
        }
        if (message.contains("A-ABORT")) {
            return new WorkOutcome.Retry(where + ": the PACS aborted the association during " + phase + "; will retry");
        }
        if (message.startsWith("refusing to decompress")) {
            return new WorkOutcome.Failed(where + ": the PACS did not accept the object's own transfer syntax and "
                    + "PhotoBridge does not decompress photos (" + message.substring("refusing to decompress ".length())
                    + "); configure the PACS to accept it");
        }
        if (message.startsWith("C-ECHO reports failure status")) {
            return new WorkOutcome.Retry(where + ": " + message);
        }
        if (e instanceof DicomException) {
            return new WorkOutcome.Failed(where + ": the object could not be encoded for sending ("
                    + e.getClass().getSimpleName() + "); it must be rebuilt");
        }
        // Connection reset, broken pipe, socket closed by the PACS: network trouble is worth a retry.
        return new WorkOutcome.Retry(where + ": " + phase + " failed (" + e.getClass().getSimpleName()
                + (message.isEmpty() ? "" : ": " + firstLine(message)) + "); will retry");
    }

    // ---------------------------------------------------------------- supervision of PixelMed calls

    private interface Work {
        WorkOutcome run(Attempt attempt) throws Exception;
    }

    /** What the watchdog knows about one attempt; written by the worker, read by the caller. */
    private static final class Attempt {
        private volatile Socket socket;
        private volatile boolean associated;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean abandonedByCaller;
        volatile boolean timedOut;

        /** Records the association; false when the caller has already given up on this attempt. */
        synchronized boolean associated(Association association, Duration readTimeout) {
            if (abandonedByCaller) {
                return false;
            }
            Socket s = socketOf(association);
            if (s != null) {
                try {
                    s.setSoTimeout(Math.toIntExact(Math.max(1, readTimeout.toMillis())));
                } catch (IOException | ArithmeticException e) {
                    LOG.debugf("could not set SO_TIMEOUT: %s", e);
                }
            }
            socket = s;
            associated = true;
            progress();
            return true;
        }

        synchronized boolean abandon() {
            abandonedByCaller = true;
            return !associated;
        }

        boolean isAssociated() {
            return associated;
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        long idleNanos() {
            return System.nanoTime() - lastProgress;
        }

        void closeSocket() {
            Socket s = socket;
            if (s != null) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing is all we wanted
                }
            }
        }
    }

    private WorkOutcome supervise(String phase, Work work) {
        for (Thread t : abandoned) {
            if (!t.isAlive()) {
                abandoned.remove(t);
            }
        }
        if (!abandoned.isEmpty()) {
            return new WorkOutcome.Retry(where() + ": an earlier " + phase.toLowerCase(Locale.ROOT)
                    + " attempt is still blocked waiting for the PACS (peer hung?); will retry");
        }
        var attempt = new Attempt();
        Callable<WorkOutcome> call = () -> work.run(attempt);
        var task = new FutureTask<>(call);
        var thread = new Thread(task, "photobridge-dimse-" + settings.name());
        thread.setDaemon(true);
        thread.start();
        long associateLimit = settings.connectTimeout().plus(settings.readTimeout()).toNanos();
        long idleLimit = settings.readTimeout().toNanos();
        long started = System.nanoTime();
        long closedAt = 0;
        try {
            while (true) {
                try {
                    return task.get(WATCH_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    // fall through to the watchdog checks
                }
                long now = System.nanoTime();
                if (!attempt.isAssociated()) {
                    if (now - started > associateLimit && attempt.abandon()) {
                        abandoned.add(thread);
                        return new WorkOutcome.Retry(where() + ": no association with the PACS within "
                                + seconds(settings.connectTimeout().plus(settings.readTimeout()))
                                + " (host unreachable or PACS not answering); will retry");
                    }
                } else if (closedAt == 0 && attempt.idleNanos() > idleLimit) {
                    attempt.timedOut = true;
                    attempt.closeSocket();
                    closedAt = now;
                } else if (closedAt != 0 && now - closedAt > GRACE_AFTER_CLOSE.toNanos()) {
                    abandoned.add(thread);
                    return new WorkOutcome.Retry(where() + ": no answer from the PACS for "
                            + seconds(settings.readTimeout()) + " during " + phase + "; will retry");
                }
            }
        } catch (InterruptedException e) {
            attempt.abandon();
            attempt.closeSocket();
            abandoned.add(thread);
            Thread.currentThread().interrupt();
            return new WorkOutcome.Retry(where() + ": " + phase + " interrupted (gateway shutting down?); will retry");
        } catch (ExecutionException e) {
            LOG.warnf("%s: unexpected error during %s: %s", where(), phase, e.getCause());
            return outcomeForException(phase, e.getCause(), attempt.timedOut);
        }
    }

    // ---------------------------------------------------------------- small helpers

    /** The object's identity and encoding, from its Part 10 meta header. */
    private record FileMeta(String sopClassUid, String sopInstanceUid, String transferSyntaxUid) {
        static FileMeta read(DicomSource source) throws IOException, DicomException {
            try (InputStream raw = source.open(); var in = new DicomInputStream(raw)) {
                if (!in.haveMetaHeader()) {
                    throw new DicomException("no Part 10 meta header");
                }
                var meta = new AttributeList();
                meta.readOnlyMetaInformationHeader(in);
                String sopClass = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.MediaStorageSOPClassUID);
                String sopInstance = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.MediaStorageSOPInstanceUID);
                String syntax = Attribute.getSingleStringValueOrEmptyString(meta, TagFromName.TransferSyntaxUID);
                if (sopClass.isEmpty() || sopInstance.isEmpty() || syntax.isEmpty()) {
                    throw new DicomException("meta header lacks SOP Class, SOP Instance or Transfer Syntax UID");
                }
                return new FileMeta(sopClass, sopInstance, syntax);
            }
        }
    }

    private String where() {
        return "DIMSE destination '" + settings.name() + "' (" + settings.calledAeTitle() + "@" + settings.endpoint() + ")";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String describe(Throwable e) {
        var text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static void releaseQuietly(Association association) {
        try {
            association.release();
        } catch (DicomNetworkException e) {
            LOG.debugf("release failed after a completed C-STORE: %s", e.getMessage());
        }
    }

    private static void abortQuietly(Association association) {
        try {
            association.abort();
        } catch (DicomNetworkException | RuntimeException e) {
            LOG.debugf("abort failed: %s", e.getMessage());
        }
    }

    private static Socket socketOf(Association association) {
        if (ASSOCIATION_SOCKET == null) {
            return null;
        }
        try {
            return (Socket) ASSOCIATION_SOCKET.get(association);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    /** PixelMed keeps the association's socket in a protected field and offers no accessor. */
    private static Field associationSocketField() {
        try {
            Field f = Association.class.getDeclaredField("socket");
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Logger.getLogger(DimseDestination.class).warnf(
                    "PixelMed Association.socket not accessible (%s); DIMSE read timeouts fall back to abandoning the thread", e);
            return null;
        }
    }
}
