package org.photobridge.fhir;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;

import ca.uhn.fhir.context.ConfigurationException;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.IParserErrorHandler;
import ca.uhn.fhir.rest.api.EncodingEnum;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;

/**
 * HAPI's parser for the shared context, which writes a page's {@link StoredAnswer}s. It wraps HAPI's
 * own parser (whose encoding hooks take a type HAPI keeps to its package) and passes everything to it
 * but the writing of a bundle that holds placeholders:
 * <ul>
 * <li>JSON, written whole and compact (no {@code _summary}, {@code _elements}, {@code _pretty},
 * suppressed narratives or ids), every entry a placeholder with only what the page's bundle factory
 * sets: the bundle without its entries is written by HAPI, then each entry (fullUrl, resource, search,
 * request, response, in HAPI's order) with the answer's text as its resource;</li>
 * <li>anything else (XML, a summary, an entry added by an interceptor): every placeholder is replaced
 * by its whole resource first and HAPI writes the bundle.</li>
 * </ul>
 * {@code ConsentAnswerTextTest} holds both ways to the same entries.
 */
final class AnswerParser implements IParser {

    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private final IParser hapi;
    private boolean pretty;
    private boolean elementsChosen;
    private boolean narrativesSuppressed;

    /** @param hapi HAPI's parser for the encoding */
    AnswerParser(IParser hapi) {
        this.hapi = hapi;
    }

    // --- writing ---------------------------------------------------------------------------------------

    @Override
    public String encodeResourceToString(IBaseResource resource) throws DataFormatException {
        var out = new StringWriter();
        try {
            encodeResourceToWriter(resource, out);
        } catch (IOException e) {
            throw new IllegalStateException("a StringWriter failed", e);
        }
        return out.toString();
    }

    @Override
    public void encodeResourceToWriter(IBaseResource resource, Writer writer) throws IOException, DataFormatException {
        if (resource instanceof Bundle bundle && StoredAnswer.anyIn(bundle)) {
            if (writesStoredText() && writable(bundle)) {
                writeBundle(bundle, writer);
                return;
            }
            StoredAnswer.materialize(bundle);
        }
        hapi.encodeResourceToWriter(resource, writer);
    }

    @Override
    public String encodeToString(IBase element) throws DataFormatException {
        return element instanceof IBaseResource resource ? encodeResourceToString(resource)
                : hapi.encodeToString(element);
    }

    @Override
    public void encodeToWriter(IBase element, Writer writer) throws DataFormatException, IOException {
        if (element instanceof IBaseResource resource) {
            encodeResourceToWriter(resource, writer);
        } else {
            hapi.encodeToWriter(element, writer);
        }
    }

    /**
     * Whether this parser writes every resource as JSON, whole, compact and as it is. (Its settings for
     * versions in references do not matter here: an answer with a versioned reference is HAPI's.)
     */
    private boolean writesStoredText() {
        return hapi.getEncoding() == EncodingEnum.JSON && !pretty && !elementsChosen && !narrativesSuppressed
                && !hapi.isSummaryMode() && !hapi.isOmitResourceId() && hapi.getEncodeForceResourceId() == null;
    }

    /** Whether every entry holds a placeholder and nothing but what the page's bundle factory sets. */
    private static boolean writable(Bundle bundle) {
        if (bundle.hasSignature()) {
            return false;
        }
        for (BundleEntryComponent entry : bundle.getEntry()) {
            if (!entry.hasResource() || StoredAnswer.of(entry.getResource()).isEmpty() || entry.hasId()
                    || entry.hasExtension() || entry.hasModifierExtension() || entry.hasLink()) {
                return false;
            }
            var search = entry.getSearch();
            if (search.hasId() || search.hasExtension() || search.hasModifierExtension()) {
                return false;
            }
            var request = entry.getRequest();
            if (request.hasId() || request.hasExtension() || request.hasModifierExtension()
                    || request.hasIfNoneMatch() || request.hasIfModifiedSince() || request.hasIfMatch()
                    || request.hasIfNoneExist()) {
                return false;
            }
            var response = entry.getResponse();
            if (response.hasId() || response.hasExtension() || response.hasModifierExtension()
                    || response.hasLocation() || response.hasLastModified() || response.hasOutcome()) {
                return false;
            }
        }
        return true;
    }

    private void writeBundle(Bundle bundle, Writer writer) throws IOException {
        List<BundleEntryComponent> entries = bundle.getEntry();
        var shell = new StringWriter(512);
        bundle.setEntry(new ArrayList<>());
        try {
            hapi.encodeResourceToWriter(bundle, shell);
        } finally {
            bundle.setEntry(entries);
        }
        StringBuffer text = shell.getBuffer();
        int end = text.length() - 1;
        if (end < 1 || text.charAt(end) != '}') {
            throw new IllegalStateException("HAPI's JSON for a bundle did not end with its object");
        }
        writer.append(text, 0, end);
        writer.write(",\"entry\":");
        try (JsonGenerator gen = JSON.createGenerator(writer)) {
            gen.writeStartArray();
            for (BundleEntryComponent entry : entries) {
                writeEntry(gen, entry);
            }
            gen.writeEndArray();
        }
        writer.write('}');
        StoredAnswer.countWritten(entries.size());
    }

    /** One entry with its members in the order HAPI writes them: fullUrl, resource, search, request, response. */
    private static void writeEntry(JsonGenerator gen, BundleEntryComponent entry) throws IOException {
        gen.writeStartObject();
        if (entry.hasFullUrl()) {
            gen.writeStringField("fullUrl", entry.getFullUrl());
        }
        gen.writeFieldName("resource");
        gen.writeRawValue(StoredAnswer.of(entry.getResource()).orElseThrow().json());
        var search = entry.getSearch();
        if (search.hasMode() || search.hasScore()) {
            gen.writeObjectFieldStart("search");
            if (search.hasMode()) {
                gen.writeStringField("mode", search.getModeElement().getValueAsString());
            }
            if (search.hasScore()) {
                gen.writeFieldName("score");
                gen.writeNumber(search.getScore());
            }
            gen.writeEndObject();
        }
        var request = entry.getRequest();
        if (request.hasMethod() || request.hasUrl()) {
            gen.writeObjectFieldStart("request");
            if (request.hasMethod()) {
                gen.writeStringField("method", request.getMethodElement().getValueAsString());
            }
            if (request.hasUrl()) {
                gen.writeStringField("url", request.getUrl());
            }
            gen.writeEndObject();
        }
        var response = entry.getResponse();
        if (response.hasStatus() || response.hasEtag()) {
            gen.writeObjectFieldStart("response");
            if (response.hasStatus()) {
                gen.writeStringField("status", response.getStatus());
            }
            if (response.hasEtag()) {
                gen.writeStringField("etag", response.getEtag());
            }
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    // --- settings, recorded where they decide how a page is written ---------------------------------------

    @Override
    public IParser setPrettyPrint(boolean prettyPrint) {
        pretty = prettyPrint;
        hapi.setPrettyPrint(prettyPrint);
        return this;
    }

    @Override
    public IParser setEncodeElements(Set<String> elements) {
        elementsChosen |= elements != null && !elements.isEmpty();
        hapi.setEncodeElements(elements);
        return this;
    }

    @Override
    public IParser setDontEncodeElements(Collection<String> elements) {
        elementsChosen |= elements != null && !elements.isEmpty();
        hapi.setDontEncodeElements(elements);
        return this;
    }

    @Override
    public IParser setSuppressNarratives(boolean suppress) {
        narrativesSuppressed = suppress;
        hapi.setSuppressNarratives(suppress);
        return this;
    }

    // --- everything else is HAPI's ------------------------------------------------------------------------

    @Override
    public IIdType getEncodeForceResourceId() {
        return hapi.getEncodeForceResourceId();
    }

    @Override
    public IParser setEncodeForceResourceId(IIdType id) {
        hapi.setEncodeForceResourceId(id);
        return this;
    }

    @Override
    public EncodingEnum getEncoding() {
        return hapi.getEncoding();
    }

    @Override
    public List<Class<? extends IBaseResource>> getPreferTypes() {
        return hapi.getPreferTypes();
    }

    @Override
    public void setPreferTypes(List<Class<? extends IBaseResource>> types) {
        hapi.setPreferTypes(types);
    }

    @Override
    public boolean isOmitResourceId() {
        return hapi.isOmitResourceId();
    }

    @Override
    public IParser setOmitResourceId(boolean omit) {
        hapi.setOmitResourceId(omit);
        return this;
    }

    @Override
    public Boolean getStripVersionsFromReferences() {
        return hapi.getStripVersionsFromReferences();
    }

    @Override
    public IParser setStripVersionsFromReferences(Boolean strip) {
        hapi.setStripVersionsFromReferences(strip);
        return this;
    }

    @Override
    public boolean isSummaryMode() {
        return hapi.isSummaryMode();
    }

    @Override
    public IParser setSummaryMode(boolean summaryMode) {
        hapi.setSummaryMode(summaryMode);
        return this;
    }

    @Override
    public <T extends IBaseResource> T parseResource(Class<T> type, Reader reader) throws DataFormatException {
        return hapi.parseResource(type, reader);
    }

    @Override
    public <T extends IBaseResource> T parseResource(Class<T> type, InputStream in) throws DataFormatException {
        return hapi.parseResource(type, in);
    }

    @Override
    public <T extends IBaseResource> T parseResource(Class<T> type, String text) throws DataFormatException {
        return hapi.parseResource(type, text);
    }

    @Override
    public IBaseResource parseResource(Reader reader) throws ConfigurationException, DataFormatException {
        return hapi.parseResource(reader);
    }

    @Override
    public IBaseResource parseResource(InputStream in) throws ConfigurationException, DataFormatException {
        return hapi.parseResource(in);
    }

    @Override
    public IBaseResource parseResource(String text) throws ConfigurationException, DataFormatException {
        return hapi.parseResource(text);
    }

    @Override
    public boolean isEncodeElementsAppliesToChildResourcesOnly() {
        return hapi.isEncodeElementsAppliesToChildResourcesOnly();
    }

    @Override
    public void setEncodeElementsAppliesToChildResourcesOnly(boolean childResourcesOnly) {
        hapi.setEncodeElementsAppliesToChildResourcesOnly(childResourcesOnly);
    }

    @Override
    public IParser setParserErrorHandler(IParserErrorHandler handler) {
        hapi.setParserErrorHandler(handler);
        return this;
    }

    @Override
    public IParser setServerBaseUrl(String url) {
        hapi.setServerBaseUrl(url);
        return this;
    }

    @Override
    public IParser setOverrideResourceIdWithBundleEntryFullUrl(Boolean override) {
        hapi.setOverrideResourceIdWithBundleEntryFullUrl(override);
        return this;
    }

    @Override
    public Set<String> getDontStripVersionsFromReferencesAtPaths() {
        return hapi.getDontStripVersionsFromReferencesAtPaths();
    }

    @Override
    public IParser setDontStripVersionsFromReferencesAtPaths(String... paths) {
        hapi.setDontStripVersionsFromReferencesAtPaths(paths);
        return this;
    }

    @Override
    public IParser setDontStripVersionsFromReferencesAtPaths(Collection<String> paths) {
        hapi.setDontStripVersionsFromReferencesAtPaths(paths);
        return this;
    }

    @Override
    public void parseInto(Reader source, IBase target) throws IOException {
        hapi.parseInto(source, target);
    }
}
