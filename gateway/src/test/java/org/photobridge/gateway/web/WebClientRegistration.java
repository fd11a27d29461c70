package org.photobridge.gateway.web;

import static io.restassured.RestAssured.given;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.photobridge.gateway.testing.Keycloak;

import io.restassured.http.ContentType;

/**
 * The Quarkus test port is random, so the test adds its page URL to the redirect URIs of the
 * realm's {@code photobridge-web} client through Keycloak's admin API (and takes it away after).
 */
final class WebClientRegistration {
    static final String CLIENT = "photobridge-web";
    private static final Set<String> PAGES = ConcurrentHashMap.newKeySet();

    private WebClientRegistration() {
    }

    /**
     * The page's address as Chromium and Keycloak see it (127.0.0.1, where the gateway listens),
     * registered once as a redirect URI; {@link #unregisterPages()} takes it away again.
     */
    static String registerPage(URL web) {
        String uri = web.toString().replace("//localhost:", "//127.0.0.1:");
        if (PAGES.add(uri)) {
            addRedirectUri(uri);
        }
        return uri;
    }

    /** Removes every address {@link #registerPage} added. */
    static void unregisterPages() {
        for (String uri : PAGES) {
            removeRedirectUri(uri);
        }
        PAGES.clear();
    }

    static void addRedirectUri(String uri) {
        change(uri, true);
    }

    static void removeRedirectUri(String uri) {
        change(uri, false);
    }

    @SuppressWarnings("unchecked")
    private static void change(String uri, boolean add) {
        String admin = Keycloak.adminToken();
        String base = Keycloak.adminRealmUrl();
        List<Map<String, Object>> found = given().auth().oauth2(admin).queryParam("clientId", CLIENT)
                .get(base + "/clients").then().statusCode(200).extract().path("$");
        if (found.isEmpty()) {
            throw new IllegalStateException("the realm has no " + CLIENT + " client; restart the test stack "
                    + "(deploy/local/test-stack.sh) so it imports config/keycloak/photobridge-realm.json");
        }
        Map<String, Object> client = found.get(0);
        List<String> uris = new ArrayList<>((List<String>) client.getOrDefault("redirectUris", List.of()));
        uris.remove(uri);
        if (add) {
            uris.add(uri);
        }
        client.put("redirectUris", uris);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(client)
                .put(base + "/clients/" + client.get("id")).then().statusCode(204);
    }


    static String password(String user) {
        return Keycloak.password(user);
    }
}
