package org.photobridge.fhir.consent;

import org.photobridge.domain.ConsentTerms;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.DateRange;
import org.photobridge.fhir.SearchDates;
import org.photobridge.fhir.FhirContexts;
import org.photobridge.fhir.Page;
import org.photobridge.fhir.SearchReferences;
import org.photobridge.fhir.StoredAttachmentHash;
import org.photobridge.fhir.SignedForm;
import org.photobridge.fhir.StoredAnswer;
import org.photobridge.fhir.StoredBase64;
import org.photobridge.fhir.StoredVersion;
import org.photobridge.fhir.access.FhirAccess;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.server.SearchHandling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.annotation.ConditionalUrlParam;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RawParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServerUtils;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;

/**
 * The FHIR Consent endpoint (HAPI plain server): create (also conditional on identifier), read, vread,
 * update, history and search over a {@link ConsentRepository}. Every incoming Consent is validated
 * (R4 base and our profile) before anything is stored; an invalid one gets 422 with every problem.
 * There is no delete: withdrawal is an update to {@code inactive}, and history is kept.
 */
public final class ConsentResourceProvider implements IResourceProvider {

    public static final int DEFAULT_PAGE_SIZE = 20;
    public static final int MAX_PAGE_SIZE = org.photobridge.fhir.server.PageSizeLimit.MAX_COUNT;

    private static final Logger LOG = LoggerFactory.getLogger(ConsentResourceProvider.class);

    private final FhirContext context = FhirContexts.r4();
    private final ConsentRepository repository;
    private final ConsentValidator validator;
    private final PatientLinker patientLinker;
    private final FhirAccess access;
    private final ConsentMapper mapper = new ConsentMapper();

    /** @param access the gateway's access policy for the caller of each request, and its audit trail */
    public ConsentResourceProvider(ConsentRepository repository, ConsentValidator validator, PatientLinker patientLinker,
            FhirAccess access) {
        this.repository = repository;
        this.validator = validator;
        this.patientLinker = patientLinker;
        this.access = access;
    }

    @Override
    public Class<Consent> getResourceType() {
        return Consent.class;
    }

    /** Create; with {@code If-None-Exist: identifier=system|value} an existing match is returned (200), not duplicated. */
    @Create
    public MethodOutcome create(@ResourceParam String body, @ConditionalUrlParam String conditionalUrl,
            RequestDetails request) {
        Consent consent = parse(body, request);
        if (conditionalUrl != null && !conditionalUrl.isBlank()) {
            var identifier = conditionalIdentifier(conditionalUrl);
            var patient = patientOf(consent);
            if (patient.isPresent()) {
                access.patientRecords().require();
                var existing = repository.findByIdentifier(identifier, patient.get());
                if (existing.isPresent()) {
                    var resource = shown(toResource(existing.get()), existing.get());
                    access.audit(AuditAction.PATIENT_READ, true, patient, List.of(versionedId(existing.get())),
                            "conditional create matched an existing consent");
                    return new MethodOutcome(resource.getIdElement(), false).setResource(resource);
                }
            }
        }
        requireValid(consent, body);
        consent.setIdElement(null);
        clearVersionMeta(consent);
        var terms = mapper.toTerms(consent, null, 1);
        access.recordConsent(terms).require();
        link(consent);
        var stored = repository.create(mapper.toTerms(consent, null, 1), mapper.toSearchKeys(consent), encode(consent));
        var resource = shown(toResource(stored), stored);
        return new MethodOutcome(resource.getIdElement(), true).setResource(resource);
    }

    /** A new version; {@code If-Match: W/"n"} makes it conditional on n being the current version (412 if not). */
    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam String body, RequestDetails request) {
        Consent consent = parse(body, request);
        if (!consent.getIdElement().hasIdPart() || !consent.getIdElement().getIdPart().equals(id.getIdPart())) {
            throw new InvalidRequestException("the Consent's id in the body (" + consent.getIdElement().getIdPart()
                    + ") must match the id in the URL (" + id.getIdPart() + ")");
        }
        var current = repository.read(id.getIdPart())
                .orElseThrow(() -> new ResourceNotFoundException("Consent/" + id.getIdPart() + " does not exist;"
                        + " create consents with POST (the server assigns ids)"));
        expectedVersion(id, request).ifPresent(expected -> {
            if (expected != current.version()) {
                throw new PreconditionFailedException("If-Match expected version " + expected + " of Consent/"
                        + id.getIdPart() + " but the current version is " + current.version());
            }
        });
        requireValid(consent, body);
        var before = termsOf(current);
        var after = mapper.toTerms(consent, id.getIdPart(), current.version() + 1);
        if (!before.patient().equals(after.patient())) {
            throw new UnprocessableEntityException("the patient of a Consent cannot change; record a new Consent"
                    + " for the other patient");
        }
        access.changeConsent(before, after).require();
        clearVersionMeta(consent);
        link(consent);
        StoredVersion stored;
        try {
            stored = repository.update(id.getIdPart(), mapper.toTerms(consent, id.getIdPart(), current.version() + 1),
                    mapper.toSearchKeys(consent), encode(consent));
        } catch (NoSuchElementException e) {
            throw new ResourceNotFoundException("Consent/" + id.getIdPart() + " does not exist");
        }
        var resource = shown(toResource(stored), stored);
        return new MethodOutcome(resource.getIdElement(), false).setResource(resource);
    }

    @Read(version = true)
    public Consent read(@IdParam IdType id) {
        access.patientRecords().require();
        Optional<StoredVersion> found = id.hasVersionIdPart()
                ? repository.read(id.getIdPart(), versionOf(id.getVersionIdPart()))
                : repository.read(id.getIdPart());
        var version = found.orElseThrow(() -> new ResourceNotFoundException(id));
        // Parsed once: the audit entry's patient comes from the resource that is answered. Built before
        // the entry is written, so a form that fails its integrity check is not audited as read.
        Consent consent = shown(toResource(version), version);
        access.audit(AuditAction.PATIENT_READ, true, Optional.of(mapper.patientOf(consent)),
                List.of(versionedId(version)), "Consent read");
        return consent;
    }

    @History
    public IBundleProvider instanceHistory(@IdParam IdType id, @Since InstantType since, RequestDetails request) {
        access.patientRecords().require();
        List<StoredVersion> versions = repository.history(id.getIdPart());
        if (versions.isEmpty()) {
            throw new ResourceNotFoundException(new IdType("Consent", id.getIdPart()));
        }
        access.audit(AuditAction.PATIENT_READ, true, Optional.of(termsOf(versions.get(0)).patient()),
                List.of("Consent/" + id.getIdPart()), "Consent history read (" + versions.size() + " versions)");
        List<StoredVersion> matching = versions.stream()
                .filter(v -> since == null || !v.lastUpdated().isBefore(since.getValue().toInstant()))
                .toList();
        return paged((offset, count) -> new Page<>(
                matching.subList(Math.min(offset, matching.size()), Math.min(offset + count, matching.size())),
                matching.size()), request, null, null);
    }

    @History
    public IBundleProvider typeHistory(@Since InstantType since, RequestDetails request) {
        access.acrossPatients().require();
        Optional<Instant> from = since == null ? Optional.empty() : Optional.of(since.getValue().toInstant());
        return audited(paged((offset, count) -> repository.historyAll(from, offset, count), request, null, null),
                Optional.empty(), "Consent history of every patient");
    }

    @Search(allowUnknownParams = true)
    public IBundleProvider search(
            @OptionalParam(name = Consent.SP_PATIENT) ReferenceParam patient,
            @OptionalParam(name = Consent.SP_STATUS) TokenOrListParam status,
            @OptionalParam(name = Consent.SP_PURPOSE) TokenOrListParam purpose,
            @OptionalParam(name = Consent.SP_DATE) DateRangeParam date,
            @OptionalParam(name = Consent.SP_DATA) ReferenceParam data,
            @OptionalParam(name = Constants.PARAM_LASTUPDATED) DateRangeParam lastUpdated,
            @OptionalParam(name = Consent.SP_CATEGORY) TokenOrListParam category,
            @RawParam Map<String, List<String>> unknownParameters,
            @Offset Integer offset,
            @Count Integer count,
            RequestDetails request) {
        SearchHandling.check(unknownParameters, request);
        Optional<String> patientReference = Optional.empty();
        Optional<BusinessIdentifier> patientIdentifier = Optional.empty();
        if (patient != null) {
            patientIdentifier = SearchReferences.identifierOf(patient, "patient:identifier");
            if (patientIdentifier.isEmpty()) {
                String value = patient.getValue();
                patientReference = Optional.of(value.contains("/") ? new IdType(value).toUnqualifiedVersionless()
                        .getValue() : "Patient/" + value);
            }
        }
        if (patient == null) {
            access.acrossPatients().require();
        } else {
            access.patientRecords().require();
        }
        var query = new ConsentQuery(patientReference, patientIdentifier, statuses(status), purposes(purpose),
                range(date), Optional.ofNullable(data).map(ConsentResourceProvider::dataKey), range(lastUpdated),
                purposes(category));
        boolean countAll = accurateTotal(request);
        return audited(paged((o, c) -> repository.search(query, o, c, countAll), request, offset, count),
                patientIdentifier,
                patient == null ? "Consent search across patients"
                        : patientIdentifier.isPresent() ? "Consent search by patient identifier"
                                : "Consent search by patient reference " + patientReference.orElse(""));
    }

    // --- paging -------------------------------------------------------------------------------------------

    /** A search page, audited when it is served (once per page, with what it returned). */
    private IBundleProvider audited(PagedVersions page, Optional<BusinessIdentifier> patient, String what) {
        page.onServed(versions -> access.audit(AuditAction.PATIENT_QUERY, true, patient,
                versions.stream().map(ConsentResourceProvider::versionedId).toList(),
                what + ": " + versions.size() + " returned"));
        return page;
    }

    private PagedVersions paged(PagedVersions.Window window, RequestDetails request, Integer offset, Integer count) {
        int from = offset != null ? offset : intParameter(request, Constants.PARAM_OFFSET).orElse(0);
        int size = count != null ? count : intParameter(request, Constants.PARAM_COUNT).orElse(DEFAULT_PAGE_SIZE);
        Function<StoredVersion, IBaseResource> build = answeredAsJson(request)
                ? version -> answer(version, request.getFhirServerBase())
                : version -> shown(toResource(version), version);
        return new PagedVersions(window, build, Math.max(0, from), Math.max(0, Math.min(size, MAX_PAGE_SIZE)));
    }

    /** Whether the answer is written as JSON (a page's Consents can then be written from their stored JSON). */
    private static boolean answeredAsJson(RequestDetails request) {
        try {
            return request.getServer() != null
                    && RestfulServerUtils.determineResponseEncodingWithDefault(request).getEncoding() == EncodingEnum.JSON;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A page's Consent as this caller may see it, as answer JSON made from the stored JSON
     * ({@link ConsentAnswers}) where it can be, else built by HAPI as {@link #shown} does. A form the
     * caller may see is read here, while the page is built, as {@link #shown} reads it: a form that fails
     * its integrity check fails the page before it is audited as served.
     */
    private IBaseResource answer(StoredVersion version, String serverBase) {
        boolean seesForms = access.seesSignedForms();
        Optional<String> form = seesForms ? version.form().map(SignedForm::base64) : Optional.empty();
        // Read once: the whole resource, if it is ever wanted, takes the form already read.
        StoredVersion read = form.isEmpty() ? version : new StoredVersion(version.id(), version.version(),
                version.lastUpdated(), version.json(), Optional.of(form::get));
        Optional<String> json = ConsentAnswers.answer(version, seesForms, form, serverBase);
        if (json.isEmpty()) {
            return shown(toResource(read), read);
        }
        var placeholder = new Consent();
        placeholder.setIdElement(new IdType("Consent", version.id(), Long.toString(version.version())));
        ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(placeholder, transactionMethod(version));
        return new StoredAnswer(json.get(), () -> shown(toResource(read), read)).attachTo(placeholder);
    }

    /**
     * Whether the search counts every match ({@code _total=accurate}). Otherwise ({@code none},
     * {@code estimate} or no {@code _total}) Bundle.total is given only when the page reaches the end,
     * where it costs nothing: counting a hundred thousand matches for a page of twenty is what made
     * a search across patients slow (docs/fhir.md, paging).
     */
    private static boolean accurateTotal(RequestDetails request) {
        String[] values = request.getParameters().get(Constants.PARAM_SEARCH_TOTAL_MODE);
        if (values == null || values.length == 0) {
            return false;
        }
        if (values.length > 1) {
            throw new InvalidRequestException("_total may be given once");
        }
        return switch (values[0].trim()) {
            case "accurate" -> true;
            case "none", "estimate" -> false;
            default -> throw new InvalidRequestException("_total must be none, estimate or accurate");
        };
    }

    private static Optional<Integer> intParameter(RequestDetails request, String name) {
        String[] values = request.getParameters().get(name);
        if (values == null || values.length == 0 || values[0].isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Integer.parseInt(values[0].trim()));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(name + " must be a whole number");
        }
    }

    // --- search parameters ----------------------------------------------------------------------------------

    private static Set<String> statuses(TokenOrListParam status) {
        var out = new LinkedHashSet<String>();
        if (status != null) {
            for (TokenParam t : status.getValuesAsQueryTokens()) {
                out.add(t.getValue());
            }
        }
        return out;
    }

    /** "system|code", "code" (any system; also for "|code") or "system|" (any code of the system). */
    private static Set<String> purposes(TokenOrListParam purpose) {
        var out = new LinkedHashSet<String>();
        if (purpose != null) {
            for (TokenParam t : purpose.getValuesAsQueryTokens()) {
                String system = t.getSystem();
                String code = t.getValue() == null ? "" : t.getValue();
                if (system == null || system.isEmpty()) {
                    out.add(code);
                } else {
                    out.add(system + "|" + code);
                }
            }
        }
        return out;
    }

    private static DateRange range(DateRangeParam param) {
        return SearchDates.range(param, ZoneOffset.UTC);
    }


    /** data=ImagingStudy/5, data=5, data=urn:dicom:uid:1.2.3 or data:identifier=urn:dicom:uid|urn:oid:1.2.3. */
    private static String dataKey(ReferenceParam data) {
        String value = data.getValue();
        var byIdentifier = SearchReferences.identifierOf(data, "data:identifier");
        if (byIdentifier.isPresent()) {
            var id = byIdentifier.get();
            if (!ConsentCodes.DICOM_UID_SYSTEM.equals(id.system())) {
                throw new InvalidRequestException("data:identifier supports system " + ConsentCodes.DICOM_UID_SYSTEM
                        + " only");
            }
            return ConsentCodes.DICOM_UID_PREFIX + ConsentMapper.stripOidUrn(id.value());
        }
        if (value.startsWith(ConsentCodes.DICOM_UID_PREFIX)) {
            return value;
        }
        return value.contains("/") ? new IdType(value).toUnqualifiedVersionless().getValue() : "ImagingStudy/" + value;
    }

    private static BusinessIdentifier conditionalIdentifier(String conditionalUrl) {
        String query = conditionalUrl.contains("?") ? conditionalUrl.substring(conditionalUrl.indexOf('?') + 1)
                : conditionalUrl;
        String[] parts = query.split("&");
        if (parts.length != 1 || !parts[0].startsWith("identifier=")) {
            throw new InvalidRequestException("conditional create supports If-None-Exist: identifier=system|value only");
        }
        String token = URLDecoder.decode(parts[0].substring("identifier=".length()), StandardCharsets.UTF_8);
        return SearchReferences.token(token, "If-None-Exist identifier");
    }

    // --- resources ------------------------------------------------------------------------------------------

    private Consent parse(String body, RequestDetails request) {
        if (request.getResource() instanceof Consent parsed) {
            return parsed;
        }
        if (body == null || body.isBlank()) {
            throw new InvalidRequestException("the request has no body: send a Consent resource");
        }
        EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
        if (encoding == null) {
            encoding = body.stripLeading().startsWith("<") ? EncodingEnum.XML : EncodingEnum.JSON;
        }
        // Invalid coded values are kept rather than thrown so that the validator can report all of them at once.
        IParser parser = encoding.newParser(context)
                .setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(false));
        try {
            return parser.parseResource(Consent.class, body);
        } catch (DataFormatException e) {
            throw new InvalidRequestException("the body is not a readable FHIR Consent: " + e.getMessage());
        }
    }

    private void requireValid(Consent consent, String body) {
        var result = validator.validate(consent, body);
        if (!result.isValid()) {
            OperationOutcome outcome = result.toOperationOutcome();
            throw new UnprocessableEntityException(context, outcome);
        }
    }

    private void link(Consent consent) {
        // Only a reference the EHR resolved itself is kept: a client-supplied one could point the
        // consent (and its EHR copy) at another patient.
        consent.getPatient().setReference(null);
        var id = consent.getPatient().getIdentifier();
        try {
            patientLinker.resolve(new BusinessIdentifier(id.getSystem(), id.getValue()))
                    .ifPresent(reference -> consent.getPatient().setReference(reference));
        } catch (RuntimeException e) {
            // No identifiers in the log: they are PHI.
            LOG.warn("could not resolve the consent's patient in the EHR; storing it linked by identifier only: {}",
                    e.getClass().getSimpleName());
        }
    }

    /**
     * The Consent as this caller may see it: the signed form itself only for those who manage consent.
     * A form stored apart from the JSON is read (for the gateway: decrypted) only for them, and its
     * stored base64 goes into the answer as it is, not decoded and encoded again.
     */
    private Consent shown(Consent consent, StoredVersion version) {
        boolean attached = consent.hasSourceAttachment();
        if (version.form().isPresent() && !attached) {
            throw new InternalErrorException("Consent/" + version.id() + " version " + version.version()
                    + " has a stored signed form but no sourceAttachment");
        }
        if (!attached || (version.form().isEmpty() && !consent.getSourceAttachment().hasData())) {
            return consent;
        }
        var form = consent.getSourceAttachment();
        if (access.seesSignedForms()) {
            version.form().ifPresent(apart -> form.setDataElement(new StoredBase64(apart.base64())));
        } else {
            form.setData(null);
            form.setUrl(null);
            form.addExtension(ConsentCodes.FORM_WITHHELD, new BooleanType(true));
        }
        return consent;
    }

    private ConsentTerms termsOf(StoredVersion version) {
        return mapper.toTerms(context.newJsonParser().parseResource(Consent.class, version.json()), version.id(),
                version.version());
    }

    private static Optional<BusinessIdentifier> patientOf(Consent consent) {
        var id = consent.getPatient().getIdentifier();
        return id.hasSystem() && id.hasValue() ? Optional.of(new BusinessIdentifier(id.getSystem(), id.getValue()))
                : Optional.empty();
    }

    private static String versionedId(StoredVersion version) {
        return "Consent/" + version.id() + "/_history/" + version.version();
    }

    private static void clearVersionMeta(Consent consent) {
        consent.getMeta().setVersionId(null);
        consent.getMeta().setLastUpdated(null);
    }

    private String encode(Consent consent) {
        return context.newJsonParser().encodeResourceToString(consent);
    }

    private Consent toResource(StoredVersion version) {
        // The form's hash is put back as it was stored, not decoded and encoded again (StoredAttachmentHash).
        var split = StoredAttachmentHash.split(version.json());
        Consent consent = context.newJsonParser().parseResource(Consent.class, split.json());
        split.hash().ifPresent(hash -> consent.getSourceAttachment().setHashElement(new StoredBase64(hash)));
        consent.setIdElement(new IdType("Consent", version.id(), Long.toString(version.version())));
        consent.getMeta().setVersionId(Long.toString(version.version()));
        consent.getMeta().setLastUpdated(Date.from(version.lastUpdated()));
        ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(consent, transactionMethod(version));
        return consent;
    }

    private static BundleEntryTransactionMethodEnum transactionMethod(StoredVersion version) {
        return version.version() == 1 ? BundleEntryTransactionMethodEnum.POST : BundleEntryTransactionMethodEnum.PUT;
    }

    private static long versionOf(String versionId) {
        try {
            return Long.parseLong(versionId);
        } catch (NumberFormatException e) {
            throw new ResourceNotFoundException("Consent version " + versionId + " does not exist");
        }
    }

    private static Optional<Long> expectedVersion(IdType id, RequestDetails request) {
        String ifMatch = request.getHeader(Constants.HEADER_IF_MATCH);
        String raw = ifMatch != null && !ifMatch.isBlank() ? ifMatch : (id.hasVersionIdPart() ? id.getVersionIdPart() : null);
        if (raw == null) {
            return Optional.empty();
        }
        String v = raw.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        v = v.replace("\"", "");
        try {
            return Optional.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("If-Match must be a version such as W/\"2\"");
        }
    }
}
