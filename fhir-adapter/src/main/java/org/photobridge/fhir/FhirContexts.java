package org.photobridge.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.FhirVersionEnum;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.IParserErrorHandler;
import ca.uhn.fhir.parser.JsonParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.parser.XmlParser;
import ca.uhn.fhir.rest.api.IVersionSpecificBundleFactory;

/** The one FHIR R4 context the project shares: creating a context is expensive. */
public final class FhirContexts {
    private static final FhirContext R4 = new PhotoBridgeR4();

    private FhirContexts() {
    }

    public static FhirContext r4() {
        return R4;
    }

    /**
     * HAPI's R4 context with pages built by {@link PageBundleFactory}, and without HAPI's search for
     * referenced resources that have no id to move into {@code contained} before every encode: nothing
     * the gateway encodes holds such a reference (its resources are parsed from JSON, or built with
     * string references and contained resources that carry their ids), and the search walked every
     * element of every resource written (docs/performance.md, issue 10). Contained resources a
     * resource already has are written as before.
     */
    private static final class PhotoBridgeR4 extends FhirContext {
        private volatile IParserErrorHandler errorHandler = new LenientErrorHandler();

        PhotoBridgeR4() {
            super(FhirVersionEnum.R4);
            getParserOptions().setAutoContainReferenceTargetsWithNoId(false);
        }

        @Override
        public IVersionSpecificBundleFactory newBundleFactory() {
            return new PageBundleFactory(this);
        }

        /** HAPI's JSON parser, which writes a page's {@link StoredAnswer}s as their text. */
        @Override
        public IParser newJsonParser() {
            return new AnswerParser(new JsonParser(this, errorHandler));
        }

        /** HAPI's XML parser; a page's {@link StoredAnswer}s are put back whole before it writes them. */
        @Override
        public IParser newXmlParser() {
            return new AnswerParser(new XmlParser(this, errorHandler));
        }

        @Override
        public FhirContext setParserErrorHandler(IParserErrorHandler handler) {
            errorHandler = handler;
            return super.setParserErrorHandler(handler);
        }
    }
}
