package org.photobridge.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.hapi.rest.server.R4BundleFactory;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.api.BundleInclusionRule;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.api.BundleLinks;
import ca.uhn.fhir.rest.api.IVersionSpecificBundleFactory;

/**
 * The gateway's page bundles ({@link PageBundleFactory}, through {@link FhirContexts#r4()}) are the
 * bundles HAPI's own R4 factory builds from the same resources, encoded by a stock HAPI context.
 */
class PageBundleFactoryTest {

    private static final FhirContext STOCK = FhirContext.forR4Cached();
    private static final String BASE = "https://gateway.example.org/fhir";

    private static final String CONSENT = """
            {"resourceType":"Consent","status":"active",
             "contained":[{"resourceType":"Organization","id":"org","name":"Plastic surgery"}],
             "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
             "category":[{"coding":[{"system":"http://loinc.org","code":"59284-0"}]}],
             "patient":{"identifier":{"system":"urn:oid:1.2.3.4.5","value":"MRN-1"}},
             "organization":[{"reference":"#org"}],
             "dateTime":"2026-01-01T00:00:00Z",
             "provision":{"type":"permit","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"TRAIN"}]}}
            """;

    /** A page as the gateway's Consent provider returns it: parsed, versioned, with a request method. */
    private static List<IBaseResource> page() {
        var resources = new ArrayList<IBaseResource>();
        for (int i = 1; i <= 4; i++) {
            Consent consent = STOCK.newJsonParser().parseResource(Consent.class, CONSENT);
            long version = i % 2 == 0 ? 2 : 1;
            consent.setIdElement(new IdType("Consent", "c" + i, Long.toString(version)));
            consent.getMeta().setVersionId(Long.toString(version));
            ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(consent,
                    version == 1 ? BundleEntryTransactionMethodEnum.POST : BundleEntryTransactionMethodEnum.PUT);
            resources.add(consent);
        }
        var scored = new ImagingStudy();
        scored.setId("s1");
        ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(scored, BundleEntrySearchModeEnum.MATCH);
        ResourceMetadataKeyEnum.ENTRY_SEARCH_SCORE.put(scored, new BigDecimal("0.75"));
        resources.add(scored);
        var deleted = new Consent();
        deleted.setIdElement(new IdType("Consent", "c9", "3"));
        ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(deleted, BundleEntryTransactionMethodEnum.DELETE);
        resources.add(deleted);
        var absolute = new Consent();
        absolute.setIdElement(new IdType("https://other.example.org/fhir/Consent/x1/_history/1"));
        resources.add(absolute);
        resources.add(new Consent().setStatus(Consent.ConsentState.DRAFT)); // no id at all
        return resources;
    }

    private static String bundle(IVersionSpecificBundleFactory factory, BundleTypeEnum type, String base,
            BundleInclusionRule rule, Set<Include> includes, List<IBaseResource> resources) {
        var links = new BundleLinks(base, Set.of(), false, type);
        links.setSelf(base + "/Consent?purpose=TRAIN");
        factory.addRootPropertiesToBundle("page-1", links, 8, null);
        factory.addResourcesToBundle(resources, type, base, rule, includes);
        return STOCK.newJsonParser().setPrettyPrint(true).encodeResourceToString(factory.getResourceBundle());
    }

    /** The gateway's bundle of these resources, after checking it is HAPI's. */
    private static String sameAsHapi(BundleTypeEnum type, String base, BundleInclusionRule rule, Set<Include> includes,
            List<IBaseResource> resources) {
        String hapi = bundle(new R4BundleFactory(STOCK), type, base, rule, includes, resources);
        String ours = bundle(FhirContexts.r4().newBundleFactory(), type, base, rule, includes, resources);
        assertEquals(hapi, ours, type + " bundle, server base " + base + ", includes " + includes + ", rule " + rule);
        return ours;
    }

    /** A page whose resource at {@code index} refers to an organization object (not just by id). */
    private static List<IBaseResource> pageReferringTo(String organizationName, int index) {
        var resources = page();
        var organization = new Organization().setName(organizationName);
        organization.setId("Organization/o" + index);
        ((Consent) resources.get(index)).addOrganization(new Reference(organization));
        return resources;
    }

    @Test
    void theGatewaysContextBuildsPagesWithItsOwnFactory() {
        assertTrue(FhirContexts.r4().newBundleFactory() instanceof PageBundleFactory);
    }

    @Test
    void aSearchPageWithoutIncludesIsTheBundleHapiBuilds() {
        for (BundleTypeEnum type : new BundleTypeEnum[] {BundleTypeEnum.SEARCHSET, BundleTypeEnum.HISTORY,
                BundleTypeEnum.COLLECTION, BundleTypeEnum.TRANSACTION_RESPONSE}) {
            for (String base : new String[] {BASE, null}) {
                sameAsHapi(type, base, BundleInclusionRule.BASED_ON_INCLUDES, Set.of(), page());
                sameAsHapi(type, base, BundleInclusionRule.BASED_ON_INCLUDES, null, page());
            }
        }
        String history = sameAsHapi(BundleTypeEnum.HISTORY, BASE, BundleInclusionRule.BASED_ON_INCLUDES, Set.of(), page());
        // What the comparison covers: versions answered as created or updated, a deleted entry without its resource.
        assertTrue(history.contains("\"status\": \"201 Created\"") && history.contains("\"status\": \"200 OK\""), history);
        assertTrue(history.contains("\"etag\": \"W/\\\"2\\\"\""), history);
        assertTrue(history.contains("\"fullUrl\": \"https://other.example.org/fhir/Consent/x1\""), history);
        assertTrue(history.contains("\"method\": \"DELETE\""), history);
        assertTrue(history.contains("\"score\": 0.75"), history);
        assertTrue(history.contains("\"reference\": \"#org\""), "a contained resource is still referenced: " + history);
    }

    @Test
    void aPageWithIncludesIsLeftToHapiAndCarriesTheIncludedResource() {
        String ours = sameAsHapi(BundleTypeEnum.SEARCHSET, BASE, BundleInclusionRule.BASED_ON_INCLUDES,
                Set.of(new Include("Consent:organization")), pageReferringTo("Dermatology", 0));
        assertTrue(ours.contains("\"mode\": \"include\""), "the included Organization is on the page: " + ours);

        String withoutIncludes = sameAsHapi(BundleTypeEnum.SEARCHSET, BASE, BundleInclusionRule.BASED_ON_INCLUDES,
                Set.of(), pageReferringTo("Dermatology", 0));
        assertFalse(withoutIncludes.contains("\"mode\": \"include\""), withoutIncludes);
    }

    @Test
    void aPageUnderAnotherInclusionRuleIsLeftToHapi() {
        String ours = sameAsHapi(BundleTypeEnum.SEARCHSET, BASE, BundleInclusionRule.BASED_ON_RESOURCE_PRESENCE,
                Set.of(), pageReferringTo("Wound care", 1));
        assertTrue(ours.contains("Wound care"), ours);
    }

    @Test
    void aResourceWithContainedResourcesEncodesAsWithAStockContext() {
        Consent consent = STOCK.newJsonParser().parseResource(Consent.class, CONSENT);
        consent.setId("Consent/c1");
        assertEquals(STOCK.newJsonParser().encodeResourceToString(consent),
                FhirContexts.r4().newJsonParser().encodeResourceToString(consent));
        assertTrue(FhirContexts.r4().newJsonParser().encodeResourceToString(consent).contains("\"contained\""));
    }
}
