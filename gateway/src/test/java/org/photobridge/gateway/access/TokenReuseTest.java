package org.photobridge.gateway.access;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStack;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Bearer tokens from the real Keycloak, verified once and then served from {@link TokenReuse}: each
 * token keeps its own user's roles however the requests of several users interleave, and a token
 * changed in any way is verified (and refused) as before. (Expiry and the reuse limit, with a clock
 * the test moves: {@link VerifiedTokensTest}; forged and foreign tokens on every door:
 * {@code HostileTokensTest}.)
 */
@QuarkusTest
@QuarkusTestResource(TestStack.class)
class TokenReuseTest {
    /** Needs gateway-admin: 200 for the admin, 403 for anyone else signed in. */
    private static final String ADMIN_ONLY = "/api/v1/work/destinations";

    @Inject
    TokenReuse reuse;

    @Test
    void eachTokenIsVerifiedOnceAndKeepsItsOwnUsersRoles() {
        String admin = Keycloak.freshToken("gateway.admin");
        String photographer = Keycloak.freshToken("derm.photographer");
        long reusedBefore = reuse.reused();
        int keptBefore = reuse.kept();

        for (int round = 0; round < 3; round++) {
            given().auth().oauth2(admin).get(ADMIN_ONLY).then().statusCode(200);
            given().auth().oauth2(photographer).get(ADMIN_ONLY).then().statusCode(403);
        }

        assertEquals(keptBefore + 2, reuse.kept(), "one entry per token");
        assertEquals(reusedBefore + 4, reuse.reused(), "rounds two and three served from what round one verified");
    }

    @Test
    void aKeptTokenChangedInAnyWayIsRefused() {
        String admin = Keycloak.freshToken("gateway.admin");
        given().auth().oauth2(admin).get(ADMIN_ONLY).then().statusCode(200);
        long reusedBefore = reuse.reused();

        // A character inside the signature (the last one's low bits are padding a decoder may ignore).
        int inSignature = admin.lastIndexOf('.') + 10;
        char was = admin.charAt(inSignature);
        String otherSignature = admin.substring(0, inSignature) + (was == 'A' ? 'B' : 'A')
                + admin.substring(inSignature + 1);
        given().auth().oauth2(otherSignature).get(ADMIN_ONLY).then().statusCode(401);
        given().auth().oauth2(admin + "x").get(ADMIN_ONLY).then().statusCode(401);
        String[] parts = admin.split("\\.");
        given().auth().oauth2(parts[0] + "." + parts[1] + ".").get(ADMIN_ONLY).then().statusCode(401);

        assertEquals(reusedBefore, reuse.reused(), "none of them found the admin's identity");
        given().auth().oauth2(admin).get(ADMIN_ONLY).then().statusCode(200);
        assertTrue(reuse.reused() > reusedBefore, "the token itself still does");
    }
}
