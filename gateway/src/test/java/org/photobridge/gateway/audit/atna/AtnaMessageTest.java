package org.photobridge.gateway.audit.atna;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.photobridge.domain.BusinessIdentifier;
import org.photobridge.domain.AuditAction;
import org.photobridge.fhir.audit.AuditEventMapper;
import org.photobridge.fhir.audit.AuditEventMapper.EventCode;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** The DICOM audit message (PS3.15 A.5) built from an audit entry, and its RFC 5424 / 5425 framing. */
class AtnaMessageTest {
    private static final Instant AT = Instant.parse("2026-11-20T10:11:12.123456Z");
    private static final BusinessIdentifier PATIENT = new BusinessIdentifier("urn:oid:1.2.3.4.5", "MRN-0042");
    private final DicomAuditMessage messages = new DicomAuditMessage("photobridge-test", Optional.of("St Elsewhere"));

    static TrailEntry entry(AuditAction action, boolean success, String agent, Set<String> roles,
            Optional<BusinessIdentifier> patient, List<String> entities, String detail) {
        return new TrailEntry(42, "0f1e2d3c", AT, action.name(), success, agent, agent.equals("photobridge")
                ? "PhotoBridge gateway" : "plastics.surgeon", roles, patient, entities, detail);
    }

    static Document parse(byte[] xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }

    static List<Element> children(Element parent, String name) {
        var found = new ArrayList<Element>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) {
                found.add(e);
            }
        }
        return found;
    }

    @ParameterizedTest
    @EnumSource(AuditAction.class)
    void everyAuditActionBecomesItsDicomEvent(AuditAction action) throws Exception {
        Document xml = parse(messages.toXml(entry(action, true, "subject-1", Set.of("clinician"),
                Optional.of(PATIENT), List.of("ImagingStudy/7"), "done")));
        EventCode code = EventCode.of(action);
        Element event = children(xml.getDocumentElement(), "EventIdentification").get(0);
        assertEquals(code.fhirAction.toCode(), event.getAttribute("EventActionCode"));
        Element eventId = children(event, "EventID").get(0);
        assertEquals(code.typeCode, eventId.getAttribute("csd-code"));
        assertEquals("DCM", eventId.getAttribute("codeSystemName"));
        assertEquals(code.typeDisplay, eventId.getAttribute("originalText"));
        Element type = children(event, "EventTypeCode").get(0);
        assertEquals(code.subtypeCode, type.getAttribute("csd-code"));
        assertEquals(AuditEventMapper.SUBTYPE_SYSTEM, type.getAttribute("codeSystemName"));
    }

    @Test
    void describesTheEventTheUserTheGatewayThePatientAndTheTouchedObjectsInSchemaOrder() throws Exception {
        Document xml = parse(messages.toXml(entry(AuditAction.PHOTO_VIEWED, true, "subject-1",
                Set.of("clinician", "consent-manager"), Optional.of(PATIENT),
                List.of("ImagingStudy/7", "urn:dicom:uid:2.25.99", "Consent/3/_history/2"), "thumbnail served")));
        Element root = xml.getDocumentElement();
        assertEquals("AuditMessage", root.getTagName());
        assertEquals(List.of("EventIdentification", "ActiveParticipant", "ActiveParticipant",
                "AuditSourceIdentification", "ParticipantObjectIdentification", "ParticipantObjectIdentification",
                "ParticipantObjectIdentification", "ParticipantObjectIdentification"),
                children(root, null).stream().map(Element::getTagName).toList());

        Element event = children(root, "EventIdentification").get(0);
        assertEquals("2026-11-20T10:11:12.123456Z", event.getAttribute("EventDateTime"));
        assertEquals("0", event.getAttribute("EventOutcomeIndicator"));
        assertEquals(List.of("EventID", "EventTypeCode", "EventOutcomeDescription"),
                children(event, null).stream().map(Element::getTagName).toList());
        assertEquals("thumbnail served", children(event, "EventOutcomeDescription").get(0).getTextContent());

        Element user = children(root, "ActiveParticipant").get(0);
        assertEquals("subject-1", user.getAttribute("UserID"));
        assertEquals("plastics.surgeon", user.getAttribute("UserName"));
        assertEquals("true", user.getAttribute("UserIsRequestor"));
        assertEquals(List.of("clinician", "consent-manager"),
                children(user, "RoleIDCode").stream().map(r -> r.getAttribute("csd-code")).toList());
        Element gateway = children(root, "ActiveParticipant").get(1);
        assertEquals("photobridge-test", gateway.getAttribute("UserID"));
        assertEquals("false", gateway.getAttribute("UserIsRequestor"));
        assertEquals("110150", children(gateway, "RoleIDCode").get(0).getAttribute("csd-code"));

        Element source = children(root, "AuditSourceIdentification").get(0);
        assertEquals("photobridge-test", source.getAttribute("AuditSourceID"));
        assertEquals("St Elsewhere", source.getAttribute("AuditEnterpriseSiteID"));
        assertEquals("4", children(source, "AuditSourceTypeCode").get(0).getAttribute("csd-code"));

        List<Element> objects = children(root, "ParticipantObjectIdentification");
        Element patient = objects.get(0);
        assertEquals("MRN-0042^^^&1.2.3.4.5&ISO", patient.getAttribute("ParticipantObjectID"));
        assertEquals("1", patient.getAttribute("ParticipantObjectTypeCode"));
        assertEquals("1", patient.getAttribute("ParticipantObjectTypeCodeRole"));
        Element patientIdType = children(patient, "ParticipantObjectIDTypeCode").get(0);
        assertEquals("2", patientIdType.getAttribute("csd-code"));
        assertEquals("RFC-3881", patientIdType.getAttribute("codeSystemName"));
        assertEquals("Patient Number", patientIdType.getAttribute("originalText"));
        assertEquals(List.of("ImagingStudy/7", "urn:dicom:uid:2.25.99", "Consent/3/_history/2"),
                objects.subList(1, 4).stream().map(o -> o.getAttribute("ParticipantObjectID")).toList());
        assertEquals(List.of("3", "3", ""), objects.subList(1, 4).stream()
                .map(o -> o.getAttribute("ParticipantObjectTypeCodeRole")).toList());
        for (Element object : objects.subList(1, 4)) {
            assertEquals("2", object.getAttribute("ParticipantObjectTypeCode"));
            assertEquals("12", children(object, "ParticipantObjectIDTypeCode").get(0).getAttribute("csd-code"));
        }
    }

    @Test
    void theGatewayActingAloneIsTheOnlyParticipantAndARefusalIsAMinorFailure() throws Exception {
        Document xml = parse(messages.toXml(entry(AuditAction.ACCESS_DENIED, false, "photobridge", Set.of(),
                Optional.empty(), List.of(), "")));
        Element root = xml.getDocumentElement();
        List<Element> participants = children(root, "ActiveParticipant");
        assertEquals(1, participants.size());
        assertEquals("photobridge", participants.get(0).getAttribute("UserID"));
        assertEquals("true", participants.get(0).getAttribute("UserIsRequestor"));
        assertEquals("110150", children(participants.get(0), "RoleIDCode").get(0).getAttribute("csd-code"));
        Element event = children(root, "EventIdentification").get(0);
        assertEquals("4", event.getAttribute("EventOutcomeIndicator"));
        assertTrue(children(event, "EventOutcomeDescription").isEmpty(), "no empty description");
        assertTrue(children(root, "ParticipantObjectIdentification").isEmpty());
    }

    @Test
    void valuesAreEscapedAndCharactersXmlCannotCarryAreReplaced() throws Exception {
        String detail = "<script>alert(\"x\")</script> & \u0001bell \uD83D\uDE00";
        Document xml = parse(messages.toXml(entry(AuditAction.CONSENT_UPDATED, true, "a\"b<c>&d", Set.of("x&y"),
                Optional.of(new BusinessIdentifier("https://hospital.example/mrn?a=1&b=2", "A^B&C~D|E\\F")),
                List.of(), detail)));
        Element root = xml.getDocumentElement();
        Element event = children(root, "EventIdentification").get(0);
        assertEquals("<script>alert(\"x\")</script> & \uFFFDbell \uD83D\uDE00",
                children(event, "EventOutcomeDescription").get(0).getTextContent());
        assertEquals("a\"b<c>&d", children(root, "ActiveParticipant").get(0).getAttribute("UserID"));
        assertEquals("A\\S\\B\\T\\C\\R\\D\\F\\E\\E\\F^^^&https://hospital.example/mrn?a=1\\T\\b=2&URI",
                children(root, "ParticipantObjectIdentification").get(0).getAttribute("ParticipantObjectID"));
    }

    @Test
    void anActionThisBuildDoesNotKnowIsRefusedNotGuessed() {
        var entry = new TrailEntry(9, "id", AT, "PHOTO_TELEPORTED", true, "s", "n", Set.of(), Optional.empty(),
                List.of(), "");
        var failure = assertThrows(DicomAuditMessage.UnmappedActionException.class, () -> messages.toXml(entry));
        assertTrue(failure.getMessage().contains("audit entry 9"), failure.getMessage());
    }

    @Test
    void framesTheMessageWithOctetCountingAndTheIheHeader() {
        byte[] xml = "<?xml version=\"1.0\"?><AuditMessage>é</AuditMessage>".getBytes(StandardCharsets.UTF_8);
        var syslog = new SyslogFrame("gw-1.hospital.example", "photobridge");
        byte[] frame = syslog.frame(42, AT, true, xml);
        String text = new String(frame, StandardCharsets.UTF_8);
        int space = text.indexOf(' ');
        int length = Integer.parseInt(text.substring(0, space));
        assertEquals(frame.length - space - 1, length, "MSG-LEN counts octets, not characters");
        String header = "<85>1 2026-11-20T10:11:12.123456Z gw-1.hospital.example photobridge - IHE+RFC-3881 "
                + "[meta sequenceId=\"42\"] ";
        assertTrue(text.substring(space + 1).startsWith(header), text);
        byte[] message = Arrays.copyOfRange(frame, space + 1, frame.length);
        int bom = header.length();
        assertArrayEquals(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, Arrays.copyOfRange(message, bom, bom + 3));
        assertArrayEquals(xml, Arrays.copyOfRange(message, bom + 3, message.length));

        assertTrue(new String(syslog.frame(43, AT, false, xml), StandardCharsets.UTF_8).contains(" <84>1 "),
                "a refusal is severity 4 (warning)");
        assertArrayEquals(frame, syslog.frame(42, AT, true, xml), "a resent message is the same bytes");
    }

    @Test
    void sequenceIdsStartAgainAtOneAfterTheLargestRfc5424Allows() {
        assertEquals(1, SyslogFrame.sequenceId(1));
        assertEquals(2147483647L, SyslogFrame.sequenceId(2147483647L));
        assertEquals(1, SyslogFrame.sequenceId(2147483648L));
    }

    @Test
    void refusesHostnamesAndAppNamesThatRfc5424CannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> new SyslogFrame("gw 1", "photobridge"));
        assertThrows(IllegalArgumentException.class, () -> new SyslogFrame("gw", "x".repeat(49)));
        assertThrows(IllegalArgumentException.class, () -> new SyslogFrame("gw", "photobrïdge"));
        assertFalse(new String(new SyslogFrame("gw", "pb").frame(1, AT, true, new byte[0]), StandardCharsets.UTF_8)
                .isEmpty());
    }
}
