package org.photobridge.gateway.audit.atna;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditEventMapper;
import org.photobridge.fhir.audit.AuditEventMapper.EventCode;
import org.photobridge.gateway.audit.AuditLog;

/**
 * Writes one audit trail entry as a DICOM audit message (PS3.15 A.5.1 schema, the XML that IHE ATNA
 * carries): the event with its DICOM event ID and action, who did it, this gateway as the audit
 * source, and the patient and objects it touched. Event codes come from the FHIR mapping's
 * {@link EventCode}, so the FHIR AuditEvent and the ATNA message of an entry always agree.
 */
public final class DicomAuditMessage {
    static final String DCM = "DCM";
    static final String RFC_3881 = "RFC-3881";
    /** RFC 3881 participant object ID types (DICOM PS3.15 A.5.2 keeps them). */
    static final String PATIENT_NUMBER = "2";
    static final String URI = "12";
    /** DICOM "Application" participant role (CID 402). */
    static final String APPLICATION_ROLE = "110150";
    /** Audit source type 4: application server process. */
    static final String APPLICATION_SERVER = "4";
    static final String DICOM_UID_PREFIX = AuditEventMapper.DICOM_UID_SYSTEM + ":";
    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private final String auditSourceId;
    private final Optional<String> enterpriseSiteId;

    /**
     * @param auditSourceId    DICOM AuditSourceID: this gateway deployment
     * @param enterpriseSiteId DICOM AuditEnterpriseSiteID, when configured
     */
    public DicomAuditMessage(String auditSourceId, Optional<String> enterpriseSiteId) {
        this.auditSourceId = auditSourceId;
        this.enterpriseSiteId = enterpriseSiteId;
    }

    /** The message as UTF-8 XML with an XML declaration; no byte order mark. */
    public byte[] toXml(TrailEntry entry) {
        EventCode code = eventCode(entry);
        var bytes = new ByteArrayOutputStream(2048);
        try {
            XMLStreamWriter xml = XML.createXMLStreamWriter(bytes, "UTF-8");
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeStartElement("AuditMessage");
            writeEvent(xml, entry, code);
            writeParticipants(xml, entry);
            writeSource(xml);
            if (entry.patient().isPresent()) {
                writePatient(xml, entry.patient().get());
            }
            for (String touched : entry.entities()) {
                writeObject(xml, touched);
            }
            xml.writeEndElement();
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            // Only the sequence: the message under construction holds patient identifiers.
            throw new IllegalStateException("cannot write the audit message of entry " + entry.sequence(), e);
        }
        return bytes.toByteArray();
    }

    /** The DICOM codes of the entry's action; a name this build does not know is an error, not a guess. */
    static EventCode eventCode(TrailEntry entry) {
        try {
            return EventCode.of(AuditAction.valueOf(entry.action()));
        } catch (IllegalArgumentException e) {
            throw new UnmappedActionException(entry.sequence(), entry.action());
        }
    }

    private static void writeEvent(XMLStreamWriter xml, TrailEntry entry, EventCode code) throws XMLStreamException {
        xml.writeStartElement("EventIdentification");
        xml.writeAttribute("EventActionCode", code.fhirAction.toCode());
        xml.writeAttribute("EventDateTime", entry.recorded().toString());
        // Same reading as the FHIR AuditEvent: a refusal or failure is a minor failure (4).
        xml.writeAttribute("EventOutcomeIndicator", entry.success() ? "0" : "4");
        coded(xml, "EventID", code.typeCode, DCM, code.typeDisplay);
        coded(xml, "EventTypeCode", code.subtypeCode, AuditEventMapper.SUBTYPE_SYSTEM, code.action.name());
        if (entry.detail() != null && !entry.detail().isBlank()) {
            xml.writeStartElement("EventOutcomeDescription");
            xml.writeCharacters(clean(entry.detail()));
            xml.writeEndElement();
        }
        xml.writeEndElement();
    }

    private void writeParticipants(XMLStreamWriter xml, TrailEntry entry) throws XMLStreamException {
        boolean gatewayItself = AuditLog.GATEWAY.equals(entry.agent());
        xml.writeStartElement("ActiveParticipant");
        attribute(xml, "UserID", entry.agent());
        if (entry.agentName() != null && !entry.agentName().isBlank()) {
            attribute(xml, "UserName", entry.agentName());
        }
        xml.writeAttribute("UserIsRequestor", "true");
        if (gatewayItself) {
            coded(xml, "RoleIDCode", APPLICATION_ROLE, DCM, "Application");
        } else {
            for (String role : entry.agentRoles().stream().sorted().toList()) {
                coded(xml, "RoleIDCode", role, AuditEventMapper.REALM_ROLE_SYSTEM, role);
            }
        }
        xml.writeEndElement();
        if (!gatewayItself) {
            // The gateway is the application through which the user acted.
            xml.writeStartElement("ActiveParticipant");
            attribute(xml, "UserID", auditSourceId);
            attribute(xml, "UserName", AuditEventMapper.OBSERVER);
            xml.writeAttribute("UserIsRequestor", "false");
            coded(xml, "RoleIDCode", APPLICATION_ROLE, DCM, "Application");
            xml.writeEndElement();
        }
    }

    private void writeSource(XMLStreamWriter xml) throws XMLStreamException {
        xml.writeStartElement("AuditSourceIdentification");
        attribute(xml, "AuditSourceID", auditSourceId);
        if (enterpriseSiteId.isPresent()) {
            attribute(xml, "AuditEnterpriseSiteID", enterpriseSiteId.get());
        }
        xml.writeEmptyElement("AuditSourceTypeCode");
        xml.writeAttribute("csd-code", APPLICATION_SERVER);
        xml.writeEndElement();
    }

    private static void writePatient(XMLStreamWriter xml, BusinessIdentifier patient) throws XMLStreamException {
        xml.writeStartElement("ParticipantObjectIdentification");
        attribute(xml, "ParticipantObjectID", patientCx(patient));
        xml.writeAttribute("ParticipantObjectTypeCode", "1");      // person
        xml.writeAttribute("ParticipantObjectTypeCodeRole", "1");  // patient
        coded(xml, "ParticipantObjectIDTypeCode", PATIENT_NUMBER, RFC_3881, "Patient Number");
        xml.writeEndElement();
    }

    /**
     * A touched object, named as the gateway's trail names it: "ImagingStudy/5", "Consent/12/_history/2"
     * or "urn:dicom:uid:&lt;uid&gt;" (a URI reference, RFC 3881 ID type 12). DICOM objects and studies
     * take the role Report, as in PS3.15 A.5.3; other records carry no role.
     */
    private static void writeObject(XMLStreamWriter xml, String touched) throws XMLStreamException {
        xml.writeStartElement("ParticipantObjectIdentification");
        attribute(xml, "ParticipantObjectID", touched);
        xml.writeAttribute("ParticipantObjectTypeCode", "2");  // system object
        if (touched.startsWith(DICOM_UID_PREFIX) || touched.startsWith("ImagingStudy/")) {
            xml.writeAttribute("ParticipantObjectTypeCodeRole", "3");
        }
        coded(xml, "ParticipantObjectIDTypeCode", URI, RFC_3881, "URI");
        xml.writeEndElement();
    }

    /** A coded value (csd-code, codeSystemName and originalText are required by the schema). */
    private static void coded(XMLStreamWriter xml, String element, String code, String system, String meaning)
            throws XMLStreamException {
        xml.writeEmptyElement(element);
        attribute(xml, "csd-code", code);
        attribute(xml, "codeSystemName", system);
        attribute(xml, "displayName", meaning);
        attribute(xml, "originalText", meaning);
    }

    private static void attribute(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeAttribute(name, clean(value));
    }

    /**
     * The patient as an HL7 v2 CX value, {@code id^^^&assigner&type}, the form IHE ATNA uses: an
     * {@code urn:oid:} system is an ISO assigning authority, any other system a URI one. HL7
     * delimiters inside the parts are escaped.
     */
    static String patientCx(BusinessIdentifier patient) {
        String system = patient.system();
        boolean oid = system.startsWith("urn:oid:");
        String authority = oid ? system.substring("urn:oid:".length()) : system;
        return hl7Escape(patient.value()) + "^^^&" + hl7Escape(authority) + "&" + (oid ? "ISO" : "URI");
    }

    static String hl7Escape(String text) {
        var out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\E\\");
                case '^' -> out.append("\\S\\");
                case '&' -> out.append("\\T\\");
                case '~' -> out.append("\\R\\");
                case '|' -> out.append("\\F\\");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Replaces what XML 1.0 cannot carry (control characters, lone surrogates) with U+FFFD. */
    static String clean(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok;
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
                continue;
            }
            ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
            if (!ok && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(ok ? c : '\uFFFD');
            }
        }
        return out == null ? text : out.toString();
    }

    /** An entry whose action name this build cannot map to DICOM codes. */
    public static final class UnmappedActionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnmappedActionException(long sequence, String action) {
            super("audit entry " + sequence + " has the action '" + action
                    + "', which this gateway build cannot map to a DICOM event; export waits for a build that can");
        }
    }
}
