package org.photobridge.gateway.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestTargetTest {

    @Test
    void validTargetIsLeftAlone() {
        assertInstanceOf(RequestTarget.Valid.class,
                RequestTarget.judge("/fhir/Consent?patient:identifier=urn:oid:1.2.3.4.5%7CMRN-1&_count=5"));
    }

    @Test
    void bareBarInQueryIsPercentEncoded() {
        var verdict = RequestTarget.judge("/fhir/Consent?patient:identifier=urn:oid:1.2.3.4.5|MRN-1&status=active");
        assertEquals(new RequestTarget.Escaped("/fhir/Consent?patient:identifier=urn:oid:1.2.3.4.5%7CMRN-1&status=active"),
                verdict);
    }

    @Test
    void everyCharacterRfc3986ForbidsInQueryIsEncodedAndNothingElse() {
        var verdict = RequestTarget.judge("/api/v1/photos?a=|[]{}^`\"<>\\&b=~!$'()*+,;=:@/?%20");
        assertEquals(new RequestTarget.Escaped(
                "/api/v1/photos?a=%7C%5B%5D%7B%7D%5E%60%22%3C%3E%5C&b=~!$'()*+,;=:@/?%20"), verdict);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/v1/photos?patient=a%zz", "/api/v1/photos?patient=a%", "/api/v1/photos?p=a%7",
            "/fhir/Con|sent", "/fhir/Consent?x=a b", "/fhir/Consent?x=\u0001"})
    void unreadableTargetsAreInvalid(String target) {
        var verdict = RequestTarget.judge(target);
        assertInstanceOf(RequestTarget.Invalid.class, verdict);
        assertTrue(!((RequestTarget.Invalid) verdict).reason().contains("a%"), "the reason must not repeat the target");
    }

    @Test
    void malformedPercentEncodingIsNamed() {
        var verdict = (RequestTarget.Invalid) RequestTarget.judge("/api/v1/photos?patient=urn:oid:1.2|MRN%zz");
        assertTrue(verdict.reason().contains("percent-encoded"), verdict.reason());
    }
}
