package org.photobridge.gateway.dicomweb;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.TagFromName;

import org.jboss.logging.Logger;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.gateway.access.AccessPolicy;
import org.photobridge.gateway.access.Caller;
import org.photobridge.gateway.audit.AuditLog;
import org.photobridge.gateway.dicom.InstanceRef;
import org.photobridge.gateway.dicomweb.ViewableStudies.JudgedStudy;
import org.photobridge.gateway.dicomweb.ViewableStudies.ViewableSeries;
import org.photobridge.gateway.dicomweb.ViewableStudies.ViewableStudy;
import org.photobridge.gateway.edge.HeldAnswer;
import org.photobridge.gateway.persistence.EncounterStudy;
import org.photobridge.gateway.persistence.PhotoRecord;
import org.photobridge.gateway.persistence.StudyCatalog;
import org.photobridge.gateway.persistence.StudySeries;
import org.photobridge.gateway.photo.MemoryBudget;
import org.photobridge.gateway.photo.MemoryBusyException;
import org.photobridge.gateway.problem.ProblemException;
import org.photobridge.gateway.routing.PhotoSources;
import org.photobridge.gateway.viewer.PhotoRenderer;
import org.photobridge.gateway.viewer.PhotoViewer;
import org.photobridge.gateway.viewer.UnrenderablePhotoException;

/**
 * DICOM query and retrieve for EHR viewers: finds what the caller may see (access policy, then
 * withdrawal, then consent for clinical care), answers with it alone, fetches the objects from the
 * gateway's copy or the PACS, and audits every query, read, view and refusal. What is refused is
 * never confirmed to exist: it answers as if it were not there.
 */
@ApplicationScoped
public class QueryRetrieve {
    private static final Logger LOG = Logger.getLogger(QueryRetrieve.class);

    /** How many studies one query looks at, at most, before access is judged. */
    static final int MAX_STUDIES_SCANNED = 1000;

    @Inject
    ViewableStudies viewable;

    @Inject
    StudyCatalog catalog;

    @Inject
    PhotoSources sources;

    @Inject
    AuditLog audit;

    @Inject
    Clock clock;

    @Inject
    MemoryBudget budget;

    @Inject
    ObjectMapper json;

    private final PhotoRenderer renderer = new PhotoRenderer();

    /** The level a QIDO-RS query answers at. */
    public enum Level {
        STUDY, SERIES, INSTANCE;

        String label() {
            return switch (this) {
                case STUDY -> "studies";
                case SERIES -> "series";
                case INSTANCE -> "instances";
            };
        }
    }

    /** Where in the hierarchy a request is: all studies, one study, or one series of a study. */
    public record Scope(Optional<String> study, Optional<String> series, Optional<String> instance) {
        public static Scope all() {
            return new Scope(Optional.empty(), Optional.empty(), Optional.empty());
        }

        public static Scope study(String study) {
            return new Scope(Optional.of(QidoQuery.pathUid(study)), Optional.empty(), Optional.empty());
        }

        public static Scope series(String study, String series) {
            return new Scope(Optional.of(QidoQuery.pathUid(study)), Optional.of(QidoQuery.pathUid(series)),
                    Optional.empty());
        }

        public static Scope instance(String study, String series, String instance) {
            return new Scope(Optional.of(QidoQuery.pathUid(study)), Optional.of(QidoQuery.pathUid(series)),
                    Optional.of(QidoQuery.pathUid(instance)));
        }

        String describe() {
            return instance.isPresent() ? "instance" : series.isPresent() ? "series" : study.isPresent() ? "study" : "all";
        }

        List<String> entities() {
            var entities = new ArrayList<String>();
            study.ifPresent(uid -> entities.add("urn:dicom:uid:" + uid));
            series.ifPresent(uid -> entities.add("urn:dicom:uid:" + uid));
            instance.ifPresent(uid -> entities.add("urn:dicom:uid:" + uid));
            return entities;
        }
    }

    /** A QIDO-RS answer: the matches (DICOM JSON) and warnings for the Warning header. */
    public record Answer(List<ObjectNode> results, List<String> warnings) {
    }

    // ---------------------------------------------------------------- QIDO-RS

    /** Answers a QIDO-RS query at a level within a scope, with what the caller may see. */
    public Answer query(Caller caller, Level level, Scope scope, QidoQuery query, String baseUrl) {
        var agent = AuditLog.Agent.of(caller);
        boolean namesPatient = query.namesPatient() || scope.study().isPresent();
        var access = namesPatient ? AccessPolicy.patientRecords(caller) : AccessPolicy.acrossPatients(caller);
        if (!access.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, agent, Optional.empty(), scope.entities(),
                    "QIDO-RS " + level.label() + " refused: " + access.reason());
            throw ProblemException.forbidden("forbidden", access.reason());
        }
        var criteria = query.criteria(clock.getZone());
        if (scope.study().isPresent()) {
            if (!criteria.studyInstanceUids().isEmpty() && !criteria.studyInstanceUids().contains(scope.study().get())) {
                criteria = null; // the path and the query name different studies: nothing matches
            } else {
                criteria = new StudyCatalog.Criteria(criteria.patientValue(), criteria.patientSystems(),
                        List.of(scope.study().get()), criteria.createdFrom(), criteria.createdBefore());
            }
        }
        List<JudgedStudy> judged = criteria == null || !query.admitsModality(QidoAttributes.MODALITY) ? List.of()
                : viewable.judge(caller, criteria, MAX_STUDIES_SCANNED);

        var rows = rows(level, scope, query, judged);
        int total = rows.size();
        int end = (int) Math.min(total, (long) query.offset() + query.limit());
        List<Row> page = rows.subList(Math.min(query.offset(), end), end);

        var attributes = new QidoAttributes(baseUrl, clock.getZone());
        var results = new ArrayList<ObjectNode>();
        Map<EncounterStudy, Optional<AttributeList>> headers = new LinkedHashMap<>();
        for (Row row : page) {
            try {
                results.add(switch (level) {
                    case STUDY -> attributes.study(row.study(), headers.computeIfAbsent(row.study().study(),
                            s -> objectHeader(row.study(), query)), query);
                    case SERIES -> attributes.series(row.study(), row.series());
                    case INSTANCE -> attributes.instance(row.study(), row.series(), row.photo());
                });
            } catch (DicomException e) {
                throw new IllegalStateException("cannot encode a query result", e);
            }
        }
        auditQuery(agent, level, namesPatient, judged, page);

        var warnings = new ArrayList<String>();
        if (!query.ignored().isEmpty()) {
            warnings.add("The following matching keys are not supported and were ignored: "
                    + String.join(", ", query.ignored()));
        }
        if (query.offset() + page.size() < total) {
            warnings.add("There are " + (total - query.offset() - page.size())
                    + " additional results that can be requested");
        }
        return new Answer(results, warnings);
    }

    /** One result row: a study, or a series of it, or a photo of that series. */
    private record Row(ViewableStudy study, ViewableSeries series, PhotoRecord photo) {
        BusinessIdentifier patient() {
            return study.patient();
        }

        String entity() {
            return "urn:dicom:uid:" + (photo != null ? photo.sopInstanceUid
                    : series != null ? series.series().seriesInstanceUid : study.study().studyInstanceUid);
        }
    }

    private static List<Row> rows(Level level, Scope scope, QidoQuery query, List<JudgedStudy> judged) {
        var rows = new ArrayList<Row>();
        for (JudgedStudy each : judged) {
            ViewableStudy study = each.viewable();
            var seriesRows = new ArrayList<Row>();
            var instanceRows = new ArrayList<Row>();
            for (ViewableSeries series : study.series()) {
                String seriesUid = series.series().seriesInstanceUid;
                if (scope.series().isPresent() && !scope.series().get().equals(seriesUid)) {
                    continue;
                }
                if (level != Level.STUDY && !query.seriesInstanceUids().isEmpty()
                        && !query.seriesInstanceUids().contains(seriesUid)) {
                    continue;
                }
                seriesRows.add(new Row(study, series, null));
                for (PhotoRecord photo : series.photos()) {
                    if ((query.sopInstanceUids().isEmpty() || query.sopInstanceUids().contains(photo.sopInstanceUid))
                            && (query.sopClassUids().isEmpty() || query.sopClassUids().contains(photo.sopClassUid))) {
                        instanceRows.add(new Row(study, series, photo));
                    }
                }
            }
            switch (level) {
                case STUDY -> {
                    if (!study.isEmpty()) {
                        rows.add(new Row(study, null, null));
                    }
                }
                case SERIES -> rows.addAll(seriesRows);
                case INSTANCE -> rows.addAll(instanceRows);
            }
        }
        return rows;
    }

    /** The first permitted object of a study, when the query asks for attributes only objects hold. */
    private Optional<AttributeList> objectHeader(ViewableStudy study, QidoQuery query) {
        if (QidoQuery.FROM_OBJECTS.stream().noneMatch(query::includes) || study.isEmpty()) {
            return Optional.empty();
        }
        ViewableSeries series = study.series().get(0);
        // The whole object is read for its header: it counts against the budget like any other fetch.
        try (var memory = reserve(PhotoRenderer.memoryNeeded(series.photos().get(0).blobBytes),
                "reading a study's attributes")) {
            return read(study.study(), series.series(), series.photos().get(0))
                    .map(bytes -> {
                        try {
                            AttributeList header = DicomObjects.read(bytes);
                            // Kept for the rest of the query, after the reservation: without its pixels.
                            header.remove(TagFromName.PixelData);
                            return header;
                        } catch (IOException e) {
                            LOG.warnf("photo %s is not readable DICOM (%s)", series.photos().get(0).id,
                                    e.getClass().getSimpleName());
                            return null;
                        }
                    });
        } catch (PhotoSources.Unavailable e) {
            return Optional.empty(); // the answer goes without those attributes
        }
    }

    private void auditQuery(AuditLog.Agent agent, Level level, boolean namesPatient, List<JudgedStudy> judged,
            List<Row> returned) {
        String what = "QIDO-RS " + level.label();
        if (!namesPatient) {
            audit.record(AuditAction.PATIENT_QUERY, true, agent, Optional.empty(),
                    returned.stream().map(Row::entity).toList(),
                    what + " across patients: " + returned.size() + " returned");
            return;
        }
        var patients = new LinkedHashSet<BusinessIdentifier>();
        judged.forEach(study -> patients.add(study.patient()));
        if (patients.isEmpty()) {
            audit.record(AuditAction.PATIENT_QUERY, true, agent, Optional.empty(), List.of(),
                    what + ": no patient matched; 0 returned");
            return;
        }
        for (BusinessIdentifier patient : patients) {
            List<String> entities = returned.stream().filter(r -> r.patient().equals(patient)).map(Row::entity).toList();
            audit.record(AuditAction.PATIENT_QUERY, true, agent, Optional.of(patient), entities,
                    what + ": " + entities.size() + " returned");
        }
    }

    // ---------------------------------------------------------------- WADO-RS

    /** A permitted photo with its place in the hierarchy. */
    record Served(EncounterStudy study, StudySeries series, PhotoRecord photo) {
        InstanceRef ref() {
            return new InstanceRef(study.studyInstanceUid, series.seriesInstanceUid, photo.sopClassUid,
                    photo.sopInstanceUid);
        }
    }

    /**
     * The DICOM objects in scope that the caller may see, in the first transfer syntax accepted. Every
     * part is held until the answer is written: the answer keeps their memory reserved until then.
     */
    public HeldAnswer retrieve(Caller caller, Scope scope, List<String> acceptedSyntaxes) {
        List<Served> served = permitted(caller, scope, "retrieve");
        var parts = new ArrayList<MultipartRelated.Part>();
        long needed = 0;
        for (Served each : served) {
            needed += PhotoRenderer.memoryNeeded(each.photo().blobBytes);
        }
        var memory = reserve(needed, "retrieving " + served.size() + " instance(s) at once");
        boolean handedOver = false;
        try {
            long held = 0;
            for (Served each : served) {
                byte[] stored = fetch(each);
                if (decompresses(storedSyntax(stored), acceptedSyntaxes)) {
                    requireFreeFor(stored);
                }
                MultipartRelated.Part part = encoded(stored, acceptedSyntaxes);
                held += part.content().length;
                parts.add(part);
            }
            // What is held while writing: the parts, no longer what fetching and decoding needed.
            memory.shrinkTo(held);
            auditServed(caller, AuditAction.PHOTO_VIEWED, served, "WADO-RS " + scope.describe() + " retrieve: "
                    + parts.size() + " instance(s) served");
            var body = new MultipartRelated(parts);
            var answer = new HeldAnswer(body.contentType(), body::writeTo, memory);
            handedOver = true;
            return answer;
        } finally {
            releaseUnlessHandedOver(memory, handedOver);
        }
    }

    /**
     * Frames of one instance (the gateway's photos have exactly one), in the first encoding
     * accepted: as stored (the JPEG stream) or uncompressed. 404 for a frame number other than 1.
     */
    public HeldAnswer frames(Caller caller, Scope scope, List<Integer> frameNumbers,
            List<AcceptHeader.FrameEncoding> accepted) {
        List<Served> served = permitted(caller, scope, "frames");
        if (frameNumbers.stream().anyMatch(n -> n != 1)) {
            throw ProblemException.notFound("no such frame: the instance has one frame, number 1");
        }
        MultipartRelated.Part part = null;
        var memory = reserve(PhotoRenderer.memoryNeeded(served.get(0).photo().blobBytes), "fetching the frame");
        boolean handedOver = false;
        try {
            byte[] stored = fetch(served.get(0));
            String storedSyntax = storedSyntax(stored);
            boolean storedJpeg = DicomObjects.JPEG_BASELINE.equals(storedSyntax);
            for (AcceptHeader.FrameEncoding encoding : accepted) {
                boolean asStored = encoding.transferSyntax().equals("*")
                        || encoding.transferSyntax().equals(storedSyntax);
                if (asStored && (storedJpeg || encoding.mediaType().equals(AcceptHeader.OCTET_STREAM))) {
                    part = new MultipartRelated.Part(DicomObjects.frame(stored, true), encoding.mediaType(), storedSyntax);
                } else if (encoding.mediaType().equals(AcceptHeader.OCTET_STREAM)
                        && encoding.transferSyntax().equals(DicomObjects.EXPLICIT_LITTLE)) {
                    if (storedJpeg) {
                        requireFreeFor(stored);
                    }
                    part = new MultipartRelated.Part(DicomObjects.frame(stored, false), AcceptHeader.OCTET_STREAM,
                            DicomObjects.EXPLICIT_LITTLE);
                }
                if (part != null) {
                    break;
                }
            }
            if (part == null) {
                throw AcceptHeader.notAcceptable("the frame is stored as " + storedSyntax + "; ask for"
                        + " application/octet-stream with transfer-syntax=* (as stored) or without one (uncompressed)");
            }
            memory.shrinkTo(part.content().length);
            var answer = new MultipartRelated(part.mediaType(), List.of(part));
            auditServed(caller, AuditAction.PHOTO_VIEWED, served, "WADO-RS frames served");
            var held = new HeldAnswer(answer.contentType(), answer::writeTo, memory);
            handedOver = true;
            return held;
        } catch (IOException e) {
            LOG.warnf("photo %s: frame not readable (%s)", served.get(0).photo().id, e.getClass().getSimpleName());
            throw unreadable();
        } finally {
            releaseUnlessHandedOver(memory, handedOver);
        }
    }

    /**
     * The metadata (DICOM JSON, without pixel data) of every object in scope that the caller may see.
     * The objects are read one at a time under one reservation (enough for the largest); the encoded
     * answer stays reserved until it is written.
     */
    public HeldAnswer metadata(Caller caller, Scope scope) {
        List<Served> served = permitted(caller, scope, "metadata");
        long largest = 0;
        for (Served each : served) {
            largest = Math.max(largest, PhotoRenderer.memoryNeeded(each.photo().blobBytes));
        }
        var memory = reserve(largest, "reading metadata");
        boolean handedOver = false;
        try {
            var results = new ArrayList<ObjectNode>();
            for (Served each : served) {
                try {
                    AttributeList list = DicomObjects.read(fetch(each));
                    ObjectNode dataset = DicomJson.dataset(list);
                    // Where the stored encoding is told to clients that fetch frames or the instance (PS3.18 F.2).
                    dataset.set(DicomJson.key(DicomWebTags.AVAILABLE_TRANSFER_SYNTAX_UID),
                            DicomJson.string("UI", DicomObjects.transferSyntax(list)));
                    results.add(sorted(dataset));
                } catch (IOException | DicomException e) {
                    LOG.warnf("photo %s could not be read for metadata (%s)", each.photo().id,
                            e.getClass().getSimpleName());
                    throw unreadable();
                }
            }
            byte[] encoded = json.writeValueAsBytes(results);
            memory.shrinkTo(encoded.length);
            auditServed(caller, AuditAction.PATIENT_READ, served, "WADO-RS " + scope.describe() + " metadata: "
                    + results.size() + " instance(s) read");
            var answer = new HeldAnswer(AcceptHeader.DICOM_JSON, out -> out.write(encoded), memory);
            handedOver = true;
            return answer;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write DICOM JSON", e);
        } finally {
            releaseUnlessHandedOver(memory, handedOver);
        }
    }

    /** One instance as a JPEG, rendered at full size or as a thumbnail, reserved until written. */
    public HeldAnswer rendered(Caller caller, Scope scope, boolean thumbnail) {
        String what = thumbnail ? "thumbnail" : "rendered";
        List<Served> served = permitted(caller, scope, what);
        Served one = served.get(0);
        var memory = reserve(PhotoRenderer.memoryNeeded(one.photo().blobBytes), "rendering the instance");
        boolean handedOver = false;
        try {
            byte[] stored = fetch(one);
            byte[] jpeg = (thumbnail ? renderer.thumbnail(stored, PhotoViewer.THUMBNAIL_SIDE) : renderer.rendered(stored))
                    .bytes();
            stored = null; // only the JPEG is held from here on
            memory.shrinkTo(jpeg.length);
            auditServed(caller, AuditAction.PHOTO_VIEWED, served, "WADO-RS " + what + " served");
            var answer = new HeldAnswer(AcceptHeader.JPEG, out -> out.write(jpeg), memory);
            handedOver = true;
            return answer;
        } catch (UnrenderablePhotoException e) {
            throw new ProblemException(500, "unrenderable", "Cannot render", e.getMessage());
        } finally {
            releaseUnlessHandedOver(memory, handedOver);
        }
    }

    /**
     * Gives a reservation back unless the answer that holds it was handed over (it is then released
     * once written): on every way out, an {@link Error} included.
     */
    private static void releaseUnlessHandedOver(MemoryBudget.Reservation memory, boolean handedOver) {
        if (!handedOver) {
            memory.close();
        }
    }

    /**
     * The photos in scope the caller may view now. 404 when the scope holds none, whether it does not
     * exist or everything in it is refused (refusals are audited with their reasons).
     */
    private List<Served> permitted(Caller caller, Scope scope, String what) {
        var agent = AuditLog.Agent.of(caller);
        var access = AccessPolicy.patientRecords(caller);
        if (!access.permitted()) {
            audit.record(AuditAction.ACCESS_DENIED, false, agent, Optional.empty(), scope.entities(),
                    "WADO-RS " + what + " refused: " + access.reason());
            throw ProblemException.forbidden("forbidden", access.reason());
        }
        Optional<EncounterStudy> study = catalog.study(scope.study().orElseThrow());
        if (study.isEmpty()) {
            throw notFound();
        }
        JudgedStudy judged = viewable.judge(caller, List.of(study.get())).get(0);
        var inScope = judged.photos().stream()
                .filter(j -> scope.series().map(uid -> uid.equals(j.series().seriesInstanceUid)).orElse(true))
                .filter(j -> scope.instance().map(uid -> uid.equals(j.photo().sopInstanceUid)).orElse(true))
                .toList();
        if (inScope.isEmpty()) {
            throw notFound();
        }
        var permitted = inScope.stream().filter(ViewableStudies.Judged::permitted)
                .map(j -> new Served(study.get(), j.series(), j.photo())).toList();
        if (permitted.isEmpty()) {
            var reasons = new LinkedHashSet<String>();
            inScope.forEach(j -> reasons.add(j.reason()));
            var entities = new ArrayList<String>();
            entities.add("ImagingStudy/" + study.get().id);
            inScope.forEach(j -> entities.add("urn:dicom:uid:" + j.photo().sopInstanceUid));
            audit.record(AuditAction.ACCESS_DENIED, false, agent, Optional.of(judged.patient()), entities,
                    "WADO-RS " + what + " refused: " + String.join("; ", reasons));
            throw notFound();
        }
        return permitted;
    }

    private static ProblemException notFound() {
        return ProblemException.notFound("no such study, series or instance");
    }

    private void auditServed(Caller caller, AuditAction action, List<Served> served, String detail) {
        var entities = new ArrayList<String>();
        entities.add("ImagingStudy/" + served.get(0).study().id);
        served.forEach(s -> entities.add("urn:dicom:uid:" + s.photo().sopInstanceUid));
        audit.record(action, true, AuditLog.Agent.of(caller),
                Optional.of(new BusinessIdentifier(served.get(0).study().patientSystem,
                        served.get(0).study().patientValue)), entities, detail);
    }

    /**
     * Memory from the one budget all image work shares: waits its turn (503 with Retry-After when the
     * wait is too long); 413 when it could never fit.
     */
    private MemoryBudget.Reservation reserve(long bytes, String what) {
        if (!budget.fits(bytes)) {
            throw new ProblemException(413, "too-large-to-serve", "Too large to serve", what + " needs about "
                    + (bytes >> 20) + " MiB but this gateway allows " + (budget.totalBytes() >> 20)
                    + " MiB for image work; ask for fewer instances or for the stored encoding");
        }
        return budget.reserve(bytes);
    }

    /**
     * Decompressing an object needs several copies of its pixels beyond what the fetch reserved:
     * served only when that much of the budget is free now (a transient check, not a reservation;
     * the rest of the heap is the margin), else 503 with Retry-After.
     */
    private void requireFreeFor(byte[] stored) {
        long extra;
        try {
            extra = 4 * DicomObjects.uncompressedPixelBytes(stored);
        } catch (IOException e) {
            throw unreadable();
        }
        if (!budget.fits(extra)) {
            throw new ProblemException(413, "too-large-to-serve", "Too large to serve", "decompressing this instance"
                    + " needs about " + (extra >> 20) + " MiB but this gateway allows " + (budget.totalBytes() >> 20)
                    + " MiB for image work; ask for the stored encoding (transfer-syntax=*)");
        }
        if (budget.availableBytes() < extra) {
            throw new MemoryBusyException("the gateway is busy with other large images; try again later",
                    budget.retryAfter());
        }
    }

    private byte[] fetch(Served served) {
        return sources.require(served.photo(), new InstanceRef(served.study().studyInstanceUid,
                served.series().seriesInstanceUid, served.photo().sopClassUid, served.photo().sopInstanceUid));
    }

    private Optional<byte[]> read(EncounterStudy study, StudySeries series, PhotoRecord photo)
            throws PhotoSources.Unavailable {
        return sources.read(photo, new InstanceRef(study.studyInstanceUid, series.seriesInstanceUid,
                photo.sopClassUid, photo.sopInstanceUid));
    }

    /** The object in the first accepted transfer syntax the gateway can give; 406 when none. */
    /** True when {@link #encoded} will decompress the object for the first syntax accepted. */
    private static boolean decompresses(String storedSyntax, List<String> accepted) {
        for (String syntax : accepted) {
            if (syntax.equals("*") || syntax.equals(storedSyntax)) {
                return false;
            }
            if (syntax.equals(DicomObjects.EXPLICIT_LITTLE)) {
                return true;
            }
        }
        return false;
    }

    private static MultipartRelated.Part encoded(byte[] stored, List<String> accepted) {
        String storedSyntax = storedSyntax(stored);
        for (String syntax : accepted) {
            if (syntax.equals("*") || syntax.equals(storedSyntax)) {
                return new MultipartRelated.Part(stored, storedSyntax);
            }
            if (syntax.equals(DicomObjects.EXPLICIT_LITTLE)) {
                try {
                    return new MultipartRelated.Part(DicomObjects.asExplicitLittleEndian(stored),
                            DicomObjects.EXPLICIT_LITTLE);
                } catch (IOException e) {
                    LOG.warnf("an object could not be re-encoded (%s)", e.getClass().getSimpleName());
                    break;
                }
            }
        }
        throw AcceptHeader.notAcceptable("the object is stored as " + storedSyntax.toLowerCase(Locale.ROOT)
                + "; ask for transfer-syntax=* (as stored) or " + DicomObjects.EXPLICIT_LITTLE);
    }

    private static String storedSyntax(byte[] stored) {
        try {
            return DicomObjects.transferSyntax(DicomObjects.read(stored));
        } catch (IOException e) {
            LOG.warnf("a stored object is not readable (%s)", e.getClass().getSimpleName());
            throw unreadable();
        }
    }

    private static ProblemException unreadable() {
        return new ProblemException(502, "unreadable-object", "Unreadable object",
                "a stored object could not be read; the gateway's operators have been told in its log");
    }

    private static ObjectNode sorted(ObjectNode dataset) {
        var keys = new ArrayList<String>();
        dataset.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        ObjectNode out = dataset.objectNode();
        keys.forEach(key -> out.set(key, dataset.get(key)));
        return out;
    }
}
