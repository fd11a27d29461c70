package org.photobridge.gateway.pacs;

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
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.LinkedList;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.photobridge.gateway.tls.ClientTls;

/**
 * Delivers DICOM objects to a PACS by DIMSE C-STORE and checks it with C-ECHO, using PixelMed.
 *
 * <p><b>Timeouts.</b> PixelMed 20220618 opens its socket with {@code new Socket(host, port)} and never
 * sets {@code SO_TIMEOUT}: by itself it waits for the operating system's connect timeout (about two
 * minutes on Linux) and then forever for an A-ASSOCIATE answer or a C-STORE response. This class
 * therefore runs every PixelMed call on its own daemon thread and watches it:
 * <ul>
 *   <li>until the association is established, the attempt is bounded by {@code connectTimeout +
 *       readTimeout}; past that the caller gets {@link PacsOutcome.Retry} and the thread is
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
 * <p><b>Associations.</b> Up to {@code associations} are open at once per destination (deliveries on
 * several work-queue threads run in parallel); after a clean C-STORE the association is kept and the
 * next delivery of the same SOP class and transfer syntax reuses it, so a batch of queued photos costs
 * one association negotiation, not one each. A kept association unused for {@code idleRelease} is
 * released; one that fails before any byte of the next object was sent (the PACS closed it) is
 * replaced once. After any other failure an association is aborted, never reused.
 *
 * <p><b>Transfer syntax.</b> The presentation contexts offered are the object's own transfer syntax and
 * Explicit VR Little Endian. The object's bytes are copied as they are when its own syntax is accepted,
 * so a JPEG Baseline photo stays JPEG Baseline; an encapsulated (compressed) object is never
 * decompressed to fit a PACS that accepts only uncompressed syntaxes: that is reported as Failed.
 *
 * <p><b>TLS.</b> With a {@link ClientTls} every association (C-STORE and C-ECHO) goes over TLS 1.3/1.2 with
 * BCP 195 suites through a {@link DimseLink}: PixelMed connects to a loopback relay whose TLS connection
 * to the PACS is already verified ({@link #overLink}, the one place the transport is chosen).
 */
public final class DimseDestination implements Destination {

    private static final Logger LOG = Logger.getLogger(DimseDestination.class);

    private static final String EXPLICIT_VR_LITTLE_ENDIAN = TransferSyntax.ExplicitVRLittleEndian;

    private final DimseSettings settings;
    private final DimseWatchdog watchdog;
    private final Optional<ClientTls> tls;
    private final DimseAssociations associations;

    public DimseDestination(DimseSettings settings) {
        this(settings, Optional.empty());
    }

    /** A destination reached over TLS when {@code tls} is present. */
    public DimseDestination(DimseSettings settings, Optional<ClientTls> tls) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.watchdog = new DimseWatchdog(settings, this::where, this::outcomeForException);
        this.associations = new DimseAssociations(settings.associations(), settings.idleRelease());
    }

    @Override
    public String name() {
        return settings.name();
    }

    public DimseSettings settings() {
        return settings;
    }

    @Override
    public boolean checksWhileSending() {
        return true;
    }

    /**
     * Reads the object once: its header (meta header and data set up to Pixel Data) is read and
     * checked first, from a buffer that is then sent as it is, so nothing leaves before the source has
     * vouched for the object; a source that fails later, midway, aborts the association before the
     * last fragment of the object, so the PACS never has a complete object to store.
     */
    @Override
    public PacsOutcome deliver(DicomSource source, String sopClassUid, String sopInstanceUid) {
        try (InputStream stream = new BufferedInputStream(source.open(), 1 << 16)) {
            stream.mark(HEADER_LIMIT);
            FileMeta meta;
            AttributeList header;
            try {
                header = readHeader(stream);
                meta = FileMeta.of(header);
            } catch (IOException | DicomException e) {
                return unreadable(e);
            }
            if (!meta.sopClassUid().equals(sopClassUid) || !meta.sopInstanceUid().equals(sopInstanceUid)) {
                // Guards against sending one patient's photo under another outbox entry.
                return new PacsOutcome.Failed(where() + ": the file's meta header names SOP Instance "
                        + meta.sopInstanceUid() + " of class " + meta.sopClassUid() + ", but the outbox entry is "
                        + sopInstanceUid + " of class " + sopClassUid + "; not sent");
            }
            try {
                source.checkHeader(header);
            } catch (SourceRejectedException e) {
                return new PacsOutcome.Failed(where() + ": not sent: " + e.getMessage());
            }
            try {
                stream.reset();
            } catch (IOException headerLongerThanTheLimit) {
                // An object without Pixel Data larger than the limit: open it once more to send it.
                try (InputStream again = new BufferedInputStream(source.open(), 1 << 16)) {
                    return watchdog.supervise("C-STORE", attempt -> store(attempt, again, meta));
                }
            }
            // From here on the buffer only passes bytes through; it no longer keeps them.
            stream.mark(0);
            return watchdog.supervise("C-STORE", attempt -> store(attempt, stream, meta));
        } catch (NoSuchFileException e) {
            return new PacsOutcome.Failed(where() + ": the DICOM file to send does not exist (outbox inconsistency)");
        } catch (IOException e) {
            return unreadable(e);
        }
    }

    private PacsOutcome unreadable(Exception e) {
        return new PacsOutcome.Failed(where() + ": the DICOM file to send cannot be read as DICOM Part 10 ("
                + e.getClass().getSimpleName() + "); it must be rebuilt before it can be sent");
    }

    /** Associations kept open now, idle or in use. */
    int openAssociations() {
        return associations.open();
    }

    /** Releases the associations kept for later deliveries (at shutdown). */
    public void releaseIdleAssociations() {
        associations.releaseAll();
    }

    @Override
    public Reachability check() {
        PacsOutcome outcome = watchdog.supervise("C-ECHO", attempt -> overLink("C-ECHO", this::echo));
        return new Reachability(outcome instanceof PacsOutcome.Done, outcome.message());
    }

    // ---------------------------------------------------------------- the work, on a worker thread

    /** Runs {@code work} over this destination's transport: plain TCP, or TLS through a loopback relay. */
    private PacsOutcome overLink(String phase, Function<DimseLink, PacsOutcome> work) {
        DimseLink link;
        try {
            link = DimseLink.open(settings, tls);
        } catch (IOException | RuntimeException e) {
            return DimseLink.failureOutcome(where(), e, tls).orElseGet(() -> outcomeForException(phase, e, false));
        }
        try (link) {
            return link.explain(work.apply(link), where());
        }
    }

    private PacsOutcome echo(DimseLink link) {
        try {
            // Throws on rejection, abort or a non-success status.
            new VerificationSOPClassSCU(link.host(), link.port(), settings.calledAeTitle(),
                    settings.callingAeTitle(), false);
            return new PacsOutcome.Done(where() + ": C-ECHO succeeded");
        } catch (Exception e) {
            return outcomeForException("C-ECHO", e, false);
        }
    }

    /**
     * Opens an association to the PACS over {@code link} (plain TCP, or the loopback end of a TLS relay)
     * proposing {@code contexts}; the link is returned with it as its transport, so that a kept
     * association keeps its relay open and releasing it closes the relay. PixelMed sends P-DATA PDUs as large
     * as the PACS accepts (its A-ASSOCIATE-AC), up to 64 KiB; we offer a large maximum of our own and
     * a large socket send buffer so that a 3.5 MB photo is not written in small slices.
     */
    private DimseAssociations.Opened openAssociation(DimseLink link, LinkedList<PresentationContext> contexts)
            throws DicomNetworkException, IOException {
        Association association = AssociationFactory.createNewAssociation(link.host(), link.port(),
                settings.calledAeTitle(), settings.callingAeTitle(), OUR_MAXIMUM_PDU_LENGTH, SOCKET_BUFFER_BYTES,
                SOCKET_BUFFER_BYTES, contexts, null, false, null, null);
        // PixelMed writes each PDU header a byte at a time and flushes after each PDU; with Nagle's
        // algorithm the tail of every object then waits for the peer's delayed ACK (tens of ms per
        // C-STORE). dcmtk sets TCP_NODELAY for the same reason. Without Nagle, the header bytes would
        // each leave as a segment of their own: PduWrites makes each PDU one write.
        Socket socket = DimseWatchdog.socketOf(association);
        if (socket != null) {
            socket.setTcpNoDelay(true);
        }
        PduWrites.coalesce(association);
        // The link (a TLS relay, or nothing for plain TCP) lives as long as the association.
        return new DimseAssociations.Opened(association, link);
    }

    /** {@code outcome}, explained where TLS under {@code opened} is the cause (or named, on success). */
    private PacsOutcome explained(DimseAssociations.Opened opened, PacsOutcome outcome) {
        return opened.transport() instanceof DimseLink link ? link.explain(outcome, where()) : outcome;
    }

    /** The presentation contexts proposed for objects like {@code meta}. */
    private static LinkedList<PresentationContext> contextsFor(FileMeta meta) {
        var contexts = new LinkedList<PresentationContext>();
        contexts.add(new PresentationContext((byte) 1, meta.sopClassUid(), meta.transferSyntaxUid()));
        if (!meta.transferSyntaxUid().equals(EXPLICIT_VR_LITTLE_ENDIAN)) {
            contexts.add(new PresentationContext((byte) 3, meta.sopClassUid(), EXPLICIT_VR_LITTLE_ENDIAN));
        }
        return contexts;
    }

    /**
     * Sends the object {@code stream} holds (from its first byte) over a kept association for objects
     * of its kind or a new one, and keeps the association for the next delivery when it ended cleanly.
     */
    private PacsOutcome store(DimseWatchdog.Attempt attempt, InputStream stream, FileMeta meta) throws InterruptedException {
        var source = new WatchedSource(stream);
        DicomInputStream in;
        String inputSyntax;
        try {
            in = new DicomInputStream(source);
            new AttributeList().readOnlyMetaInformationHeader(in);
            inputSyntax = in.getTransferSyntaxToReadDataSet().getUID();
        } catch (IOException | DicomException e) {
            return unreadable(e);
        }
        String kind = meta.sopClassUid() + " " + meta.transferSyntaxUid();
        for (int round = 0; round < 2; round++) {
            DimseAssociations.Grant grant = associations.acquire(kind, settings.connectTimeout());
            if (grant == null) {
                return new PacsOutcome.Retry(where() + ": all " + associations.limit() + " associations to this PACS"
                        + " stayed busy for " + DimseFailures.seconds(settings.connectTimeout()) + "; will retry");
            }
            DimseAssociations.Opened opened = grant.kept();
            boolean reused = opened != null;
            if (!reused) {
                // Plain TCP, or TLS through a loopback relay whose connection to the PACS is already verified.
                DimseLink link;
                try {
                    link = DimseLink.open(settings, tls);
                } catch (IOException | RuntimeException e) {
                    associations.closed();
                    return DimseLink.failureOutcome(where(), e, tls)
                            .orElseGet(() -> outcomeForException("association", e, false));
                }
                try {
                    opened = openAssociation(link, contextsFor(meta));
                } catch (Exception e) {
                    link.close();
                    associations.closed();
                    return link.explain(outcomeForException("association", e, false), where());
                }
            }
            Association association = opened.association();
            if (!attempt.associated(association, settings.readTimeout())) {
                drop(opened);
                return new PacsOutcome.Retry(where() + ": association came too late; abandoned");
            }
            String acceptedSyntax = acceptedTransferSyntax(association, meta);
            if (acceptedSyntax == null) {
                opened.release();
                associations.closed();
                return noUsableContext(association, meta);
            }
            StatusReportingStorageScu scu;
            try {
                scu = new StatusReportingStorageScu(attempt);
            } catch (DicomNetworkException | DicomException | IOException e) {
                drop(opened);
                return outcomeForException("C-STORE", e, false);
            }
            try {
                scu.sendOne(association, meta.sopClassUid(), meta.sopInstanceUid(), inputSyntax, in);
            } catch (Exception e) {
                if (scu.failure == null) {
                    scu.failure = e;
                }
            }
            if (scu.failure != null) {
                // Never after a failure: the PACS must not take the object's end from a later message.
                if (attempt.timedOut) {
                    opened.closeTransport();
                } else {
                    opened.abort();
                }
                associations.closed();
                if (source.failure != null) {
                    return new PacsOutcome.Retry(where() + ": reading the object failed midway ("
                            + source.failure.getClass().getSimpleName() + "); the association was aborted before the"
                            + " object was complete, so the PACS stored nothing");
                }
                if (reused && !scu.objectStarted && !attempt.timedOut) {
                    // The kept association had gone stale (the PACS closed it); nothing of this object left.
                    LOG.debugf("%s: kept association unusable (%s); opening a new one", where(), scu.failure.getMessage());
                    continue;
                }
                return explained(opened, outcomeForException("C-STORE", scu.failure, attempt.timedOut));
            }
            if (scu.status == null) {
                drop(opened);
                return new PacsOutcome.Retry(where() + ": C-STORE ended without a response from the PACS; will retry");
            }
            associations.giveBack(kind, opened);
            return explained(opened, DimseStatus.outcomeForStatus(scu.status, where(), acceptedSyntax));
        }
        return new PacsOutcome.Retry(where() + ": the association failed before the object was sent; will retry");
    }

    private void drop(DimseAssociations.Opened opened) {
        opened.abort();
        associations.closed();
    }

    /** The object as it is read for sending; remembers a failure of the source itself (not of the network). */
    private static final class WatchedSource extends FilterInputStream {
        IOException failure;

        WatchedSource(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public void close() {
            // The stream belongs to deliver(), which closes it.
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

    private PacsOutcome noUsableContext(Association association, FileMeta meta) {
        try {
            association.getSuitablePresentationContextID(meta.sopClassUid());
        } catch (DicomNetworkException none) {
            return new PacsOutcome.Failed(where() + ": the PACS accepted no presentation context for SOP Class "
                    + meta.sopClassUid() + " (SOP class not supported by the PACS); configure the PACS to accept it");
        }
        return new PacsOutcome.Failed(where() + ": the PACS does not accept transfer syntax "
                + meta.transferSyntaxUid() + " for SOP Class " + meta.sopClassUid()
                + " and PhotoBridge does not decompress photos; configure the PACS to accept it");
    }

    /**
     * PixelMed's C-STORE SCU, changed only where it hides the outcome: its response handler keeps the
     * status to itself and its multi-instance loop swallows exceptions. The association, presentation
     * context choice and PDU encoding stay PixelMed's.
     */
    private static final class StatusReportingStorageScu extends StorageSOPClassSCU {
        private final DimseWatchdog.Attempt attempt;
        Integer status;
        Exception failure;
        /** Whether the C-STORE request reached the association (after that, no second try on another). */
        boolean objectStarted;

        StatusReportingStorageScu(DimseWatchdog.Attempt attempt) throws DicomNetworkException, DicomException, IOException {
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
                byte[] command = new CStoreRequestCommandMessage(sopClass, sopInstance, moveOriginatorAeTitle,
                        moveOriginatorMessageId).getBytes();
                association.send(chosen, command, null);
                objectStarted = true;
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
            success = DimseStatus.isStored(status);
        }
    }

    /** Counts bytes handed to the association as progress, so a stalled write can be timed out. */
    private static final class ProgressOutputStream extends FilterOutputStream {
        private final DimseWatchdog.Attempt attempt;

        ProgressOutputStream(OutputStream out, DimseWatchdog.Attempt attempt) {
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

    /**
     * Maps what PixelMed throws during {@code phase} to an outcome (see {@link DimseFailures}).
     */
    PacsOutcome outcomeForException(String phase, Throwable e, boolean timedOut) {
        return DimseFailures.outcomeForException(settings, where(), phase, e, timedOut);
    }

    // ---------------------------------------------------------------- small helpers

    /** Bytes of header kept to send again after checking it (a photo's header is a few KiB). */
    private static final int HEADER_LIMIT = 8 << 20;
    /** The largest PDU we accept; the PACS's answers are small, but the number is offered in A-ASSOCIATE-RQ. */
    private static final int OUR_MAXIMUM_PDU_LENGTH = 1 << 20;
    private static final int SOCKET_BUFFER_BYTES = 1 << 20;

    /** The meta header and the data set up to (not including) Pixel Data. */
    private static AttributeList readHeader(InputStream stream) throws IOException, DicomException {
        var in = new DicomInputStream(new NonClosing(stream));
        if (!in.haveMetaHeader()) {
            throw new DicomException("no Part 10 meta header");
        }
        var header = new AttributeList();
        header.setDecompressPixelData(false);
        header.read(in, TagFromName.PixelData);
        return header;
    }

    /**
     * Keeps PixelMed from closing or marking the stream it reads the header from: the same stream is
     * reset to its start and sent next, so its one mark must stay ours (PixelMed marks a markable
     * stream to look ahead, which would move it).
     */
    private static final class NonClosing extends FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readLimit) {
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }

        @Override
        public void close() {
        }
    }

    /** The object's identity and encoding, from its Part 10 meta header. */
    private record FileMeta(String sopClassUid, String sopInstanceUid, String transferSyntaxUid) {
        static FileMeta of(AttributeList header) throws DicomException {
            String sopClass = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.MediaStorageSOPClassUID);
            String sopInstance = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.MediaStorageSOPInstanceUID);
            String syntax = Attribute.getSingleStringValueOrEmptyString(header, TagFromName.TransferSyntaxUID);
            if (sopClass.isEmpty() || sopInstance.isEmpty() || syntax.isEmpty()) {
                throw new DicomException("meta header lacks SOP Class, SOP Instance or Transfer Syntax UID");
            }
            return new FileMeta(sopClass, sopInstance, syntax);
        }
    }

    private String where() {
        return "DIMSE destination '" + settings.name() + "' (" + settings.calledAeTitle() + "@" + settings.endpoint() + ")";
    }
}
