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
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.NoSuchFileException;
import java.util.LinkedList;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.photobridge.gateway.pacs.tls.ClientTls;
import org.photobridge.gateway.pacs.tls.DimseLink;

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

    public DimseDestination(DimseSettings settings) {
        this(settings, Optional.empty());
    }

    /** A destination reached over TLS when {@code tls} is present. */
    public DimseDestination(DimseSettings settings, Optional<ClientTls> tls) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tls = Objects.requireNonNull(tls, "tls");
        this.watchdog = new DimseWatchdog(settings, this::where, this::outcomeForException);
    }

    @Override
    public String name() {
        return settings.name();
    }

    public DimseSettings settings() {
        return settings;
    }

    @Override
    public PacsOutcome deliver(DicomSource source, String sopClassUid, String sopInstanceUid) {
        FileMeta meta;
        try {
            meta = FileMeta.read(source);
        } catch (NoSuchFileException e) {
            return new PacsOutcome.Failed(where() + ": the DICOM file to send does not exist (outbox inconsistency)");
        } catch (IOException | DicomException e) {
            return new PacsOutcome.Failed(where() + ": the DICOM file to send cannot be read as DICOM Part 10 ("
                    + e.getClass().getSimpleName() + "); it must be rebuilt before it can be sent");
        }
        if (!meta.sopClassUid().equals(sopClassUid) || !meta.sopInstanceUid().equals(sopInstanceUid)) {
            // Guards against sending one patient's photo under another outbox entry.
            return new PacsOutcome.Failed(where() + ": the file's meta header names SOP Instance "
                    + meta.sopInstanceUid() + " of class " + meta.sopClassUid() + ", but the outbox entry is "
                    + sopInstanceUid + " of class " + sopClassUid + "; not sent");
        }
        return watchdog.supervise("C-STORE", attempt -> overLink("C-STORE", link -> store(attempt, link, source, meta)));
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

    private PacsOutcome store(DimseWatchdog.Attempt attempt, DimseLink link, DicomSource source, FileMeta meta) {
        var contexts = new LinkedList<PresentationContext>();
        contexts.add(new PresentationContext((byte) 1, meta.sopClassUid(), meta.transferSyntaxUid()));
        if (!meta.transferSyntaxUid().equals(EXPLICIT_VR_LITTLE_ENDIAN)) {
            contexts.add(new PresentationContext((byte) 3, meta.sopClassUid(), EXPLICIT_VR_LITTLE_ENDIAN));
        }
        Association association;
        try {
            association = AssociationFactory.createNewAssociation(link.host(), link.port(),
                    settings.calledAeTitle(), settings.callingAeTitle(), contexts, null, false);
        } catch (Exception e) {
            return outcomeForException("association", e, false);
        }
        try {
            if (!attempt.associated(association, settings.readTimeout())) {
                abortQuietly(association);
                return new PacsOutcome.Retry(where() + ": association came too late; abandoned");
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
                return new PacsOutcome.Retry(where() + ": C-STORE ended without a response from the PACS; will retry");
            }
            releaseQuietly(association);
            return DimseStatus.outcomeForStatus(scu.status, where(), acceptedSyntax);
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
}
