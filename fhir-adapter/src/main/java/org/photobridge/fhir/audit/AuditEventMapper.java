package org.photobridge.fhir.audit;

import org.photobridge.domain.AuditAction;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

import org.photobridge.fhir.FhirContexts;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;

/**
 * Shows one entry of the gateway's audit trail as an R4 AuditEvent with DICOM (ATNA) event type codes,
 * a PhotoBridge subtype per action, and the entry's place in the tamper-evident chain.
 */
public final class AuditEventMapper {

    public static final String DCM_SYSTEM = "http://dicom.nema.org/resources/ontology/DCM";
    /** Project CodeSystem for AuditEvent.subtype: one code per {@link AuditAction}. */
    public static final String SUBTYPE_SYSTEM = "http://photobridge.org/fhir/CodeSystem/audit-action";
    /** Project CodeSystem for agent roles: the Keycloak realm role names as codes. */
    public static final String REALM_ROLE_SYSTEM = "http://photobridge.org/fhir/CodeSystem/realm-role";
    /** AuditEvent.agent.who.identifier system: the OIDC token subject. */
    public static final String SUBJECT_SYSTEM = "urn:photobridge:subject";
    /** Complex extension on AuditEvent: sub-extensions {@code sequence} (valueDecimal) and {@code hash} (valueString). */
    public static final String CHAIN_EXTENSION_URL = "http://photobridge.org/fhir/StructureDefinition/audit-chain";
    public static final String ENTITY_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    public static final String OBJECT_ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/object-role";
    public static final String SOURCE_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/security-source-type";
    public static final String DICOM_UID_SYSTEM = "urn:dicom:uid";
    public static final String OBSERVER = "PhotoBridge gateway";
    private static final String ENTITY_WHAT_PATH = "AuditEvent.entity.what";

    /** The FHIR codes of one audited action. */
    public enum EventCode {
        CONSENT_CREATED(AuditAction.CONSENT_CREATED, "110110", "Patient Record", "consent-created", AuditEventAction.C),
        // Withdrawal is an update of the Consent to inactive.
        CONSENT_UPDATED(AuditAction.CONSENT_UPDATED, "110110", "Patient Record", "consent-updated", AuditEventAction.U),
        CONSENT_WITHDRAWN(AuditAction.CONSENT_WITHDRAWN, "110110", "Patient Record", "consent-withdrawn", AuditEventAction.U),
        PHOTO_STORED(AuditAction.PHOTO_STORED, "110104", "DICOM Instances Transferred", "photo-stored", AuditEventAction.C),
        PHOTO_VIEWED(AuditAction.PHOTO_VIEWED, "110103", "DICOM Instances Accessed", "photo-viewed", AuditEventAction.R),
        // DICOM PS3.15 A.5.3.6: Export is a Read by the exporting application.
        PHOTO_EXPORTED(AuditAction.PHOTO_EXPORTED, "110106", "Export", "photo-exported", AuditEventAction.R),
        // DICOM PS3.15 A.5.3.2: Instances Accessed covers create/read/update/delete; withdrawal removes or rejects them.
        PHOTO_WITHDRAWN(AuditAction.PHOTO_WITHDRAWN, "110103", "DICOM Instances Accessed", "photo-withdrawn", AuditEventAction.D),
        // DICOM PS3.15 A.5.3.11: a Security Alert carries action E.
        ACCESS_DENIED(AuditAction.ACCESS_DENIED, "110113", "Security Alert", "access-denied", AuditEventAction.E),
        // DICOM PS3.15 A.5.3.2: instances created (accepted) by the gateway.
        PHOTO_ACCEPTED(AuditAction.PHOTO_ACCEPTED, "110103", "DICOM Instances Accessed", "photo-accepted", AuditEventAction.C),
        DELIVERY_RETRIED(AuditAction.DELIVERY_RETRIED, "110103", "DICOM Instances Accessed", "delivery-retried", AuditEventAction.U),
        // IHE BALP PatientRead / PatientQuery with DICOM event types Patient Record and Query.
        PATIENT_READ(AuditAction.PATIENT_READ, "110110", "Patient Record", "patient-read", AuditEventAction.R),
        PATIENT_QUERY(AuditAction.PATIENT_QUERY, "110112", "Query", "patient-query", AuditEventAction.E),
        // DICOM PS3.15 A.5.3.1: Audit Log Used.
        AUDIT_LOG_USED(AuditAction.AUDIT_LOG_USED, "110101", "Audit Log Used", "audit-log-used", AuditEventAction.R),
        // DICOM PS3.15 A.5.3.10 Query, of the gateway's own work queue.
        WORK_QUEUE_READ(AuditAction.WORK_QUEUE_READ, "110112", "Query", "work-queue-read", AuditEventAction.E),
        // DICOM PS3.15 A.5.3.11 Security Alert: stored data failed decryption or its identity check.
        SECURITY_ALERT(AuditAction.SECURITY_ALERT, "110113", "Security Alert", "security-alert", AuditEventAction.E),
        // DICOM PS3.15 A.5.3.11 Security Alert covers security configuration changes (here: storage keys).
        STORE_KEY_ROTATION(AuditAction.STORE_KEY_ROTATION, "110113", "Security Alert", "store-key-rotation",
                AuditEventAction.E),
        // DICOM PS3.15 A.5.3.11 Security Alert: an emergency override of the access policy (break-the-glass).
        BREAK_GLASS(AuditAction.BREAK_GLASS, "110113", "Security Alert", "break-glass", AuditEventAction.E);

        public final AuditAction action;
        public final String typeCode;
        public final String typeDisplay;
        public final String subtypeCode;
        public final AuditEventAction fhirAction;

        EventCode(AuditAction action, String typeCode, String typeDisplay, String subtypeCode, AuditEventAction fhirAction) {
            this.action = action;
            this.typeCode = typeCode;
            this.typeDisplay = typeDisplay;
            this.subtypeCode = subtypeCode;
            this.fhirAction = fhirAction;
        }

        public static EventCode of(AuditAction action) {
            return valueOf(action.name());
        }

        /** Actions whose DICOM type code is {@code code} (several actions share one type). */
        public static Set<AuditAction> byType(String code) {
            return Arrays.stream(values()).filter(c -> c.typeCode.equals(code)).map(c -> c.action)
                    .collect(Collectors.toCollection(() -> EnumSet.noneOf(AuditAction.class)));
        }

        public static Set<AuditAction> bySubtype(String code) {
            return Arrays.stream(values()).filter(c -> c.subtypeCode.equals(code.toLowerCase(Locale.ROOT)))
                    .map(c -> c.action).collect(Collectors.toCollection(() -> EnumSet.noneOf(AuditAction.class)));
        }
    }

    public AuditEventMapper() {
        keepVersionsOfEntityReferences(FhirContexts.r4());
    }

    /**
     * HAPI's parser strips versions from references by default; an audit entry must say which version
     * of a Consent was touched ("Consent/12/_history/2"), so AuditEvent.entity.what keeps it. Applies to
     * the shared context, which the gateway's FHIR server encodes with; idempotent.
     */
    public static void keepVersionsOfEntityReferences(FhirContext context) {
        var options = context.getParserOptions();
        synchronized (options) {
            var paths = new HashSet<>(options.getDontStripVersionsFromReferencesAtPaths());
            if (paths.add(ENTITY_WHAT_PATH)) {
                options.setDontStripVersionsFromReferencesAtPaths(paths);
            }
        }
    }

    public AuditEvent toFhir(AuditRecord record) {
        Objects.requireNonNull(record, "record");
        var code = EventCode.of(record.action());
        var event = new AuditEvent();
        event.setId(record.id());
        event.setType(new Coding(DCM_SYSTEM, code.typeCode, code.typeDisplay));
        event.addSubtype(new Coding(SUBTYPE_SYSTEM, code.subtypeCode, null));
        event.setAction(code.fhirAction);
        var recorded = new InstantType(Date.from(record.recorded()), TemporalPrecisionEnum.MILLI);
        recorded.setTimeZoneZulu(true);
        event.setRecordedElement(recorded);
        // A refused or failed action is a minor failure (4): the gateway worked, the request was not allowed.
        event.setOutcome(record.success() ? AuditEventOutcome._0 : AuditEventOutcome._4);
        if (record.detail() != null && !record.detail().isBlank()) {
            event.setOutcomeDesc(record.detail());
        }

        var agent = event.addAgent();
        agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(SUBJECT_SYSTEM).setValue(record.agent())));
        if (record.agentName() != null) {
            agent.setName(record.agentName());
        }
        agent.setRequestor(true);
        if (record.agentRoles() != null) {
            record.agentRoles().stream().sorted().forEach(role -> agent.addRole(
                    new CodeableConcept(new Coding(REALM_ROLE_SYSTEM, role, null))));
        }

        var source = event.getSource();
        source.setObserver(new Reference().setDisplay(OBSERVER));
        source.addType(new Coding(SOURCE_TYPE_SYSTEM, "4", "Application Server"));

        record.patient().ifPresent(patient -> {
            var entity = event.addEntity();
            entity.setWhat(new Reference().setType("Patient")
                    .setIdentifier(new Identifier().setSystem(patient.system()).setValue(patient.value())));
            entity.setType(new Coding(ENTITY_TYPE_SYSTEM, "1", "Person"));
            entity.setRole(new Coding(OBJECT_ROLE_SYSTEM, "1", "Patient"));
        });
        for (var touched : record.entities()) {
            event.addEntity(entity(touched));
        }

        var chain = new Extension(CHAIN_EXTENSION_URL);
        // R4 has no 64-bit integer type; decimal holds any sequence number exactly.
        chain.addExtension("sequence", new DecimalType(BigDecimal.valueOf(record.sequence())));
        chain.addExtension("hash", new StringType(record.hash()));
        event.addExtension(chain);
        return event;
    }

    /**
     * "Consent/12/_history/2" becomes a literal reference (a domain resource); "urn:dicom:uid:&lt;uid&gt;"
     * becomes an identifier {@code urn:dicom:uid|urn:oid:<uid>} (a DICOM object, role Report as in DICOM
     * PS3.15); any other URI an identifier of system {@code urn:ietf:rfc:3986}.
     */
    static AuditEventEntityComponent entity(String touched) {
        var entity = new AuditEventEntityComponent();
        entity.setType(new Coding(ENTITY_TYPE_SYSTEM, "2", "System Object"));
        if (touched.startsWith(DICOM_UID_SYSTEM + ":")) {
            var uid = touched.substring(DICOM_UID_SYSTEM.length() + 1);
            entity.setWhat(new Reference().setIdentifier(new Identifier().setSystem(DICOM_UID_SYSTEM).setValue("urn:oid:" + uid)));
            entity.setRole(new Coding(OBJECT_ROLE_SYSTEM, "3", "Report"));
        } else if (touched.contains(":")) {
            entity.setWhat(new Reference().setIdentifier(new Identifier().setSystem("urn:ietf:rfc:3986").setValue(touched)));
            entity.setRole(new Coding(OBJECT_ROLE_SYSTEM, "4", "Domain Resource"));
        } else {
            entity.setWhat(new Reference(touched));
            entity.setRole(new Coding(OBJECT_ROLE_SYSTEM, "4", "Domain Resource"));
        }
        return entity;
    }
}
