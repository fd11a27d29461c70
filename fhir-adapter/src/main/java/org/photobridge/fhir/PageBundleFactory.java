package org.photobridge.fhir;

import java.math.BigDecimal;
import java.util.Date;
import java.util.List;
import java.util.Set;

import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.hapi.rest.server.R4BundleFactory;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.api.BundleInclusionRule;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.model.valueset.BundleTypeEnum;
import ca.uhn.fhir.rest.api.BundleLinks;
import ca.uhn.fhir.rest.server.RestfulServerUtils;

/**
 * HAPI's R4 bundle factory without its search for included resources when nothing can be included.
 * {@link R4BundleFactory#addResourcesToBundle} walks every element of every resource of a page
 * (FhirTerser) to collect references whose targets it might add to the page; with the server's rule
 * ({@link BundleInclusionRule#BASED_ON_INCLUDES}) and no {@code _include} in the request, no reference
 * matches and the walk is thrown away. It took 7.6 % of the FHIR request threads' CPU in the consent
 * search benchmark (docs/performance.md, issue 10). In that case the entries are built here as HAPI builds them (full
 * URL, request method and URL, response status and ETag for history and response bundles, search mode
 * and score); with includes, or another rule, HAPI's own code runs. {@code PageBundleFactoryTest}
 * checks that both give the same bundle.
 */
final class PageBundleFactory extends R4BundleFactory {

    private final FhirContext context;
    private String serverBase;

    PageBundleFactory(FhirContext context) {
        super(context);
        this.context = context;
    }

    @Override
    public void addRootPropertiesToBundle(String id, BundleLinks links, Integer totalResults,
            IPrimitiveType<Date> lastUpdated) {
        super.addRootPropertiesToBundle(id, links, totalResults, lastUpdated);
        serverBase = links.serverBase;
    }

    @Override
    public void addResourcesToBundle(List<IBaseResource> resources, BundleTypeEnum type, String serverBase,
            BundleInclusionRule rule, Set<Include> includes) {
        if (rule != BundleInclusionRule.BASED_ON_INCLUDES || (includes != null && !includes.isEmpty())
                || getResourceBundle() == null) {
            super.addResourcesToBundle(resources, type, serverBase, rule, includes);
            return;
        }
        var bundle = (Bundle) getResourceBundle();
        for (IBaseResource resource : resources) {
            addEntry(bundle, (Resource) resource, type);
        }
    }

    private void addEntry(Bundle bundle, Resource resource, BundleTypeEnum type) {
        var entry = bundle.addEntry().setResource(resource);
        IIdType id = fullUrl(resource, entry);
        var method = (BundleEntryTransactionMethodEnum) ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.get(resource);
        if (method != null) {
            entry.getRequest().getMethodElement().setValueAsString(method.name());
            if (id != null) {
                entry.getRequest().setUrl(id.toUnqualified().getValue());
            }
        }
        if (method == BundleEntryTransactionMethodEnum.DELETE) {
            entry.setResource(null);
        }
        if (id != null && type != null && answersEachEntry(type)) {
            String version = id.getVersionIdPart();
            if ("1".equals(version)) {
                entry.getResponse().setStatus("201 Created");
            } else if (version != null && !version.isBlank()) {
                entry.getResponse().setStatus("200 OK");
            }
            if (version != null && !version.isBlank()) {
                entry.getResponse().setEtag(RestfulServerUtils.createEtag(version));
            }
        }
        var mode = (BundleEntrySearchModeEnum) ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.get(resource);
        if (mode != null) {
            entry.getSearch().getModeElement().setValueAsString(mode.getCode());
        }
        var score = (BigDecimal) ResourceMetadataKeyEnum.ENTRY_SEARCH_SCORE.get(resource);
        if (score != null) {
            entry.getSearch().getScoreElement().setValue(score);
        }
    }

    private static boolean answersEachEntry(BundleTypeEnum type) {
        return type == BundleTypeEnum.HISTORY || type == BundleTypeEnum.BATCH_RESPONSE
                || type == BundleTypeEnum.TRANSACTION_RESPONSE;
    }

    /** The entry's full URL: the resource's own absolute id, or the server base with its id; versionless. */
    private IIdType fullUrl(Resource resource, Bundle.BundleEntryComponent entry) {
        IIdType id = resource.getIdElement();
        if (id.hasBaseUrl()) {
            entry.setFullUrl(id.toVersionless().getValue());
            return id;
        }
        if (serverBase != null && !serverBase.isBlank() && id.hasIdPart()) {
            IIdType absolute = id.withServerBase(serverBase, context.getResourceType(resource));
            entry.setFullUrl(absolute.toVersionless().getValue());
            return absolute;
        }
        return null;
    }
}
