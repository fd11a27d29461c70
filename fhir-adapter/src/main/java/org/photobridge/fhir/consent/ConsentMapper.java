package org.photobridge.fhir.consent;

import org.photobridge.domain.ConsentTerms;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.photobridge.domain.BusinessIdentifier;

/**
 * Reads a validated Consent into what the gateway stores beside it: its {@link ConsentTerms} and its
 * {@link ConsentSearchKeys}. Expects a Consent that passed {@link ConsentValidator}.
 */
public final class ConsentMapper {

    /**
     * The terms of a Consent. The base provision and every nested provision become one
     * {@link ConsentTerms.Provision} each, in document order; a provision without purpose covers every
     * scope. A nested provision without its own period or data applies within its parent's (FHIR's
     * nesting: exceptions to the enclosing rule), so it inherits them.
     */
    public ConsentTerms toTerms(Consent consent, String id, long version) {
        var provisions = new ArrayList<ConsentTerms.Provision>();
        if (consent.hasProvision()) {
            flatten(consent.getProvision(), Optional.empty(), Optional.empty(), List.of(), provisions);
        }
        return new ConsentTerms(id, version, status(consent), patientIdentifier(consent), patientReference(consent),
                dateTime(consent), List.copyOf(provisions), formSha256(consent));
    }

    public ConsentSearchKeys toSearchKeys(Consent consent) {
        var purposes = new LinkedHashSet<String>();
        var data = new LinkedHashSet<String>();
        if (consent.hasProvision()) {
            collect(consent.getProvision(), purposes, data);
        }
        var identifiers = consent.getIdentifier().stream()
                .filter(i -> i.hasSystem() && i.hasValue())
                .map(i -> new BusinessIdentifier(i.getSystem(), i.getValue()))
                .toList();
        var categories = new LinkedHashSet<String>();
        consent.getCategory().forEach(category -> category.getCoding().stream()
                .filter(c -> c.hasSystem() && c.hasCode()).forEach(c -> categories.add(c.getSystem() + "|" + c.getCode())));
        return new ConsentSearchKeys(status(consent), patientReference(consent), patientIdentifier(consent),
                Set.copyOf(purposes), dateTime(consent), Set.copyOf(data), identifiers, Set.copyOf(categories));
    }

    /**
     * A provision.data reference in the form the gateway stores and searches: {@code ImagingStudy/<id>}
     * as written, or {@code urn:dicom:uid:<uid>} for a DICOM UID identifier ({@code urn:oid:<uid>}).
     */
    public static Optional<String> dataKey(Reference reference) {
        if (reference.hasReference()) {
            return Optional.of(reference.getReference());
        }
        var id = reference.getIdentifier();
        if (ConsentCodes.DICOM_UID_SYSTEM.equals(id.getSystem()) && id.hasValue()) {
            return Optional.of(ConsentCodes.DICOM_UID_PREFIX + stripOidUrn(id.getValue()));
        }
        return Optional.empty();
    }

    static String stripOidUrn(String value) {
        return value.startsWith("urn:oid:") ? value.substring("urn:oid:".length()) : value;
    }

    private static void flatten(ProvisionComponent p, Optional<Instant> parentStart, Optional<Instant> parentEnd,
            List<String> parentData, List<ConsentTerms.Provision> out) {
        var scopes = p.getPurpose().stream().map(ConsentCodes::scopeOf).flatMap(Optional::stream).distinct().toList();
        Optional<Instant> start = p.getPeriod().hasStart() ? Optional.of(p.getPeriod().getStart().toInstant()) : parentStart;
        Optional<Instant> end = p.getPeriod().hasEnd() ? Optional.of(p.getPeriod().getEnd().toInstant()) : parentEnd;
        List<String> data = p.hasData()
                ? p.getData().stream().map(d -> dataKey(d.getReference())).flatMap(Optional::stream).toList()
                : parentData;
        out.add(new ConsentTerms.Provision(p.getType() != ConsentProvisionType.DENY, scopes, start, end, data,
                description(p)));
        for (ProvisionComponent nested : p.getProvision()) {
            flatten(nested, start, end, data, out);
        }
    }

    private static void collect(ProvisionComponent p, Set<String> purposes, Set<String> data) {
        p.getPurpose().forEach(c -> purposes.add(c.getSystem() + "|" + c.getCode()));
        p.getData().forEach(d -> dataKey(d.getReference()).ifPresent(data::add));
        p.getProvision().forEach(nested -> collect(nested, purposes, data));
    }

    private static Optional<String> description(ProvisionComponent p) {
        Extension e = p.getExtensionByUrl(ConsentCodes.SPECIFIC_USE_DESCRIPTION);
        if (e != null && e.getValue() instanceof StringType s && s.hasValue() && !s.getValue().isBlank()) {
            return Optional.of(s.getValue());
        }
        return Optional.empty();
    }

    private static String status(Consent consent) {
        return consent.getStatusElement().getValueAsString();
    }

    /** The patient a stored Consent is about (Consent.patient.identifier), without reading its terms. */
    public BusinessIdentifier patientOf(Consent consent) {
        return patientIdentifier(consent);
    }

    private static BusinessIdentifier patientIdentifier(Consent consent) {
        var id = consent.getPatient().getIdentifier();
        return new BusinessIdentifier(id.getSystem(), id.getValue());
    }

    private static Optional<String> patientReference(Consent consent) {
        var ref = consent.getPatient().getReferenceElement();
        if (ref.isEmpty() || !ref.hasIdPart()) {
            return Optional.empty();
        }
        return Optional.of(ref.toUnqualifiedVersionless().getValue());
    }

    private static Optional<Instant> dateTime(Consent consent) {
        return consent.hasDateTime() ? Optional.of(consent.getDateTime().toInstant()) : Optional.empty();
    }

    private static Optional<String> formSha256(Consent consent) {
        if (!consent.hasSourceAttachment()) {
            return Optional.empty();
        }
        if (consent.getSourceAttachment().hasData()) {
            // Verified by the validator; recompute rather than trust the extension's case.
            return Optional.of(ConsentValidator.sha256Hex(consent.getSourceAttachment().getData()));
        }
        return Optional.empty();
    }
}
