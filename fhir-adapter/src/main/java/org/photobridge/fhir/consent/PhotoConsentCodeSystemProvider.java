package org.photobridge.fhir.consent;

import java.util.List;

import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.IdType;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.param.UriParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;

/** Publishes {@link PhotoConsentCodeSystem} read-only at {@code /fhir/CodeSystem/photo-consent-purpose}, findable by url. */
public final class PhotoConsentCodeSystemProvider implements IResourceProvider {

    @Override
    public Class<CodeSystem> getResourceType() {
        return CodeSystem.class;
    }

    @Read
    public CodeSystem read(@IdParam IdType id) {
        if (!PhotoConsentCodeSystem.ID.equals(id.getIdPart())) {
            throw new ResourceNotFoundException(id);
        }
        return PhotoConsentCodeSystem.build();
    }

    @Search
    public List<CodeSystem> search(@OptionalParam(name = CodeSystem.SP_URL) UriParam url) {
        var codeSystem = PhotoConsentCodeSystem.build();
        if (url != null && !codeSystem.getUrl().equals(url.getValue())) {
            return List.of();
        }
        return List.of(codeSystem);
    }
}
