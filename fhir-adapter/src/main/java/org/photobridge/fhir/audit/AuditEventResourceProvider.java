package org.photobridge.fhir.audit;

import org.photobridge.domain.AuditAction;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.fhir.Page;
import org.photobridge.fhir.SearchDates;
import org.photobridge.fhir.SearchReferences;
import org.photobridge.fhir.access.FhirAccess;
import org.photobridge.fhir.server.SearchHandling;

import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Offset;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.RawParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;

/**
 * Read-only FHIR door to the audit trail: read, and search by patient, entity, agent, date, type and
 * subtype. It declares no create, update or delete, so the CapabilityStatement offers none and HAPI
 * refuses them.
 */
public class AuditEventResourceProvider implements IResourceProvider {

    private final AuditSource source;
    private final AuditEventMapper mapper;
    private final FhirAccess access;

    private final ZoneId zone;

    /** Search dates without a time are days in UTC. */
    public AuditEventResourceProvider(AuditSource source, AuditEventMapper mapper, FhirAccess access) {
        this(source, mapper, access, ZoneOffset.UTC);
    }

    /** @param zone the zone in which search dates without a time (days, months, years) are read */
    public AuditEventResourceProvider(AuditSource source, AuditEventMapper mapper, FhirAccess access, ZoneId zone) {
        this.source = Objects.requireNonNull(source, "source");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.access = Objects.requireNonNull(access, "access");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() {
        return AuditEvent.class;
    }

    @Read
    public AuditEvent read(@IdParam IdType id) {
        access.auditTrail().require();
        var record = source.read(id.getIdPart()).orElseThrow(() -> new ResourceNotFoundException(id));
        access.audit(AuditAction.AUDIT_LOG_USED, true, record.patient(), List.of("AuditEvent/" + record.id()),
                "audit entry read");
        return mapper.toFhir(record);
    }

    /**
     * {@code patient:identifier=system|value} (the trail knows patients by business identifier only),
     * {@code entity=Consent/12/_history/2} or {@code entity=urn:dicom:uid:<uid>} (exact match),
     * {@code agent=<subject>} or {@code agent:identifier=urn:photobridge:subject|<subject>},
     * {@code date}, {@code type} (DICOM codes) and {@code subtype} (PhotoBridge action codes).
     * Newest first; paged through the source, with Bundle.total.
     */
    @Search(allowUnknownParams = true)
    public IBundleProvider search(
            @OptionalParam(name = AuditEvent.SP_PATIENT) ReferenceParam patient,
            @OptionalParam(name = AuditEvent.SP_ENTITY) ReferenceParam entity,
            @OptionalParam(name = AuditEvent.SP_AGENT) ReferenceParam agent,
            @OptionalParam(name = AuditEvent.SP_DATE) DateRangeParam date,
            @OptionalParam(name = AuditEvent.SP_TYPE) TokenOrListParam type,
            @OptionalParam(name = AuditEvent.SP_SUBTYPE) TokenOrListParam subtype,
            @RawParam Map<String, List<String>> unknownParameters,
            @Offset Integer offset,
            @Count Integer count,
            RequestDetails request) {
        SearchHandling.check(unknownParameters, request);
        access.auditTrail().require();
        if (offset != null && offset < 0 || count != null && count < 0) {
            throw new InvalidRequestException("_offset and _count must not be negative");
        }
        if (offset != null) {
            count = pageSize(count, request);
        }
        Optional<BusinessIdentifier> patientIdentifier = Optional.empty();
        if (patient != null) {
            patientIdentifier = Optional.of(SearchReferences.identifierOf(patient, "patient:identifier").orElseThrow(
                    () -> new InvalidRequestException("Search AuditEvent by patient:identifier=system|value; "
                            + "the audit trail records patients by business identifier, not by Patient id")));
        }
        Optional<String> entityValue = Optional.ofNullable(entity).map(ReferenceParam::getValue);
        Optional<String> agentSubject = Optional.ofNullable(agent).map(AuditEventResourceProvider::agentSubject);

        Set<AuditAction> actions = EnumSet.allOf(AuditAction.class);
        boolean filtered = false;
        if (type != null) {
            actions.retainAll(matching(type, AuditEventMapper.DCM_SYSTEM, true));
            filtered = true;
        }
        if (subtype != null) {
            actions.retainAll(matching(subtype, AuditEventMapper.SUBTYPE_SYSTEM, false));
            filtered = true;
        }
        if (filtered && actions.isEmpty()) {
            return new AuditBundle(null, null, null, new Page<>(List.of(), 0)); // no action has these codes: nothing can match
        }
        var query = new AuditQuery(patientIdentifier, entityValue, agentSubject, SearchDates.range(date, zone),
                filtered ? actions : Set.of());
        access.audit(AuditAction.AUDIT_LOG_USED, true, patientIdentifier, entityValue.stream().toList(),
                "audit trail searched");
        return new AuditBundle(query, offset, count, null);
    }

    /**
     * The page size HAPI's offset links assume: _count, else the server's default. HAPI 8.8.1 does not
     * apply the server's maximum page size in offset mode, and neither may we, or its next link
     * would skip records.
     */
    private static Integer pageSize(Integer count, RequestDetails request) {
        if (count != null || request == null || request.getServer() == null) {
            return count;
        }
        return request.getServer().getDefaultPageSize();
    }

    private static String agentSubject(ReferenceParam agent) {
        var identifier = SearchReferences.identifierOf(agent, "agent:identifier");
        if (identifier.isPresent()) {
            if (!AuditEventMapper.SUBJECT_SYSTEM.equals(identifier.get().system())) {
                throw new InvalidRequestException("agent:identifier uses system " + AuditEventMapper.SUBJECT_SYSTEM);
            }
            return identifier.get().value();
        }
        return agent.getIdPart();
    }

    private static Set<AuditAction> matching(TokenOrListParam tokens, String system, boolean byType) {
        Set<AuditAction> actions = EnumSet.noneOf(AuditAction.class);
        for (TokenParam token : tokens.getValuesAsQueryTokens()) {
            if (token.getSystem() != null && !token.getSystem().isEmpty() && !system.equals(token.getSystem())) {
                continue;
            }
            if (token.getValue() == null || token.getValue().isBlank()) {
                continue;
            }
            actions.addAll(byType ? AuditEventMapper.EventCode.byType(token.getValue())
                    : AuditEventMapper.EventCode.bySubtype(token.getValue()));
        }
        return actions;
    }

    /**
     * The results of one search, read from the source a page at a time. Two ways HAPI pages:
     * with {@code _offset} (or no paging provider) it expects the method to have applied the offset
     * and asks for everything from 0; with a paging provider it asks for absolute index ranges,
     * perhaps in a later request. The total needs one count-only call ({@code count = 0}) in the second case.
     */
    private final class AuditBundle implements IBundleProvider {
        private final AuditQuery query;
        private final Integer pageOffset;
        private final Integer pageCount;
        private final InstantType published = new InstantType(Date.from(Instant.now()));
        private Page<AuditRecord> fetched;

        AuditBundle(AuditQuery query, Integer pageOffset, Integer pageCount, Page<AuditRecord> fixed) {
            this.query = query;
            this.pageOffset = pageOffset;
            this.pageCount = pageCount;
            this.fetched = fixed;
        }

        @Override
        public IPrimitiveType<Date> getPublished() {
            return published;
        }

        @Override
        public synchronized List<IBaseResource> getResources(int fromIndex, int toIndex) {
            if (query == null || toIndex <= fromIndex) {
                return List.of();
            }
            List<AuditRecord> records;
            if (pageOffset != null) {
                size();
                records = fetched.items().subList(Math.min(fromIndex, fetched.items().size()),
                        Math.min(toIndex, fetched.items().size()));
            } else {
                fetched = source.search(query, fromIndex, toIndex - fromIndex);
                records = fetched.items().stream().limit(toIndex - fromIndex).toList();
            }
            return records.stream().<IBaseResource>map(mapper::toFhir).toList();
        }

        @Override
        public String getUuid() {
            return null;
        }

        @Override
        public Integer preferredPageSize() {
            return null;
        }

        @Override
        public synchronized Integer size() {
            if (fetched == null) {
                fetched = pageOffset != null
                        ? source.search(query, pageOffset, pageCount != null ? pageCount : Integer.MAX_VALUE - pageOffset)
                        : source.search(query, 0, 0);
            }
            return Math.toIntExact(fetched.total().orElseThrow());
        }
    }
}
