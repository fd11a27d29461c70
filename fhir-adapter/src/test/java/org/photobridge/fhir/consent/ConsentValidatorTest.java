package org.photobridge.fhir.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;
import org.photobridge.fhir.testing.ConsentFixtures;
import org.photobridge.fhir.testing.TestFhirServer;

/** The profile rules one by one, without HTTP. */
class ConsentValidatorTest {

    private final ConsentValidator validator = TestFhirServer.validator();

    private ConsentValidator.Result check(Consent c) {
        return validator.validate(c);
    }

    private static boolean has(ConsentValidator.Result result, String expression, String messagePart) {
        return result.issues().stream().anyMatch(i -> i.expression() != null && i.expression().startsWith(expression)
                && i.message().contains(messagePart));
    }

    @Test
    void everyDocumentedShapeIsValid() {
        for (Consent c : new Consent[] {ConsentFixtures.clinicalCareOnly("V1"), ConsentFixtures.allScopes("V2"),
                ConsentFixtures.teachingButNoMarketing("V3"), ConsentFixtures.specificUse("V4"),
                ConsentFixtures.namingPhotos("V5", "s1", "2.25.1"),
                ConsentFixtures.withSignedForm(ConsentFixtures.allScopes("V6"), ConsentFixtures.signedFormBytes())}) {
            var result = check(c);
            assertTrue(result.isValid(), result.issues().toString());
        }
    }

    @Test
    void outcomeCarriesEveryIssueAsAnErrorWithItsExpression() {
        var c = ConsentFixtures.allScopes("V7");
        c.setStatus(null);
        c.getPatient().setIdentifier(null).setReference("Patient/9");
        OperationOutcome outcome = check(c).toOperationOutcome();
        assertTrue(outcome.getIssue().size() >= 2);
        assertTrue(outcome.getIssue().stream().allMatch(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
                && i.hasCode() && i.hasExpression()));
    }

    @Test
    void provisionWithoutTypeIsRejected() {
        var c = ConsentFixtures.teachingButNoMarketing("V8");
        c.getProvision().getProvisionFirstRep().setType(null);
        assertTrue(has(check(c), "Consent.provision.provision[0].type", "permit or deny"));
    }

    @Test
    void specificUsePeriodMustHaveBothEnds() {
        var c = ConsentFixtures.specificUse("V9");
        c.getProvision().getProvision().get(1).getPeriod().setEnd(null);
        assertTrue(has(check(c), "Consent.provision.provision[1].period", "start and end"));
    }

    @Test
    void dicomUidDataReferenceMustUseTheOidUrnForm() {
        var c = ConsentFixtures.namingPhotos("V10", "s1", "2.25.1");
        c.getProvision().getProvisionFirstRep().getData().get(1).getReference().getIdentifier().setValue("2.25.1");
        assertTrue(has(check(c), "Consent.provision.provision[0].data[1].reference", "urn:oid"));
        var ok = ConsentFixtures.namingPhotos("V11", "s1", "2.25.1");
        ok.getProvision().getProvisionFirstRep().getData().get(0).setReference(new Reference("ImagingStudy/abc-1.2"));
        assertTrue(check(ok).isValid());
    }

    @Test
    void signedFormMustBeSentWithDataAndSha256() {
        var noHash = ConsentFixtures.withSignedForm(ConsentFixtures.allScopes("V12"), ConsentFixtures.signedFormBytes());
        noHash.getSourceAttachment().getExtension().clear();
        assertTrue(has(check(noHash), "Consent.source", "SHA-256"));

        var urlOnly = ConsentFixtures.withSignedForm(ConsentFixtures.allScopes("V13"), ConsentFixtures.signedFormBytes());
        urlOnly.getSourceAttachment().setData(null).setHash(null).setUrl("https://dms.example.org/forms/1");
        assertTrue(has(check(urlOnly), "Consent.source.ofType(Attachment).data", "signed form"));

        var badSha1 = ConsentFixtures.withSignedForm(ConsentFixtures.allScopes("V14"), ConsentFixtures.signedFormBytes());
        badSha1.getSourceAttachment().setHash("not the sha-1".getBytes(StandardCharsets.US_ASCII));
        assertTrue(has(check(badSha1), "Consent.source.ofType(Attachment).hash", "does not match its data"));

        var upperHex = ConsentFixtures.withSignedForm(ConsentFixtures.allScopes("V15"), ConsentFixtures.signedFormBytes());
        var ext = upperHex.getSourceAttachment().getExtensionByUrl(ConsentCodes.ATTACHMENT_SHA256);
        ext.setValue(new StringType(((StringType) ext.getValue()).getValue().toUpperCase()));
        assertTrue(check(upperHex).isValid());
    }

    @Test
    void formByReferenceIsRejectedBecauseItCannotBeVerified() {
        var c = ConsentFixtures.allScopes("V16");
        c.setSource(new Reference("DocumentReference/1"));
        assertEquals(1, check(c).issues().stream().filter(i -> i.expression().equals("Consent.source")).count());
    }
}
