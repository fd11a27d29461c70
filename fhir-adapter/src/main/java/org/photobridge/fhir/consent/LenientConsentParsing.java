package org.photobridge.fhir.consent;

import org.hl7.fhir.r4.model.Consent;
import org.photobridge.fhir.FhirContexts;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.LenientErrorHandler;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServerUtils;

/**
 * Parses incoming Consent bodies keeping invalid coded values (an unknown status, a provision.type
 * outside permit/deny) instead of failing on the first, so that {@link ConsentValidator} can report
 * every problem in one 422 OperationOutcome. HAPI would otherwise answer 400 naming only the first.
 * Malformed JSON or XML is left to HAPI (400).
 */
@Interceptor
public final class LenientConsentParsing {

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED)
    public boolean parse(RequestDetails request) {
        if (!"Consent".equals(request.getResourceName()) || request.getResource() != null
                || (request.getRequestType() != RequestTypeEnum.POST && request.getRequestType() != RequestTypeEnum.PUT)
                || request.getOperation() != null) {
            return true;
        }
        EncodingEnum encoding = RestfulServerUtils.determineRequestEncodingNoDefault(request);
        byte[] body = request.loadRequestContents();
        if (encoding == null || body == null || body.length == 0) {
            return true;
        }
        IParser parser = encoding.newParser(FhirContexts.r4())
                .setParserErrorHandler(new LenientErrorHandler(false).setErrorOnInvalidValue(false));
        try {
            request.setResource(parser.parseResource(Consent.class,
                    new String(body, ca.uhn.fhir.rest.server.method.ResourceParameter.determineRequestCharset(request))));
        } catch (DataFormatException e) {
            // HAPI parses again and answers 400 with the parser's message.
        }
        return true;
    }
}
