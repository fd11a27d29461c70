package org.photobridge.gateway.access;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.http.ContentType;

import org.photobridge.gateway.testing.Keycloak;
import org.photobridge.gateway.testing.TestStackProperties;

import static io.restassured.RestAssured.given;

/**
 * Signs a user in the way a browser does: the authorization code flow with PKCE through Keycloak's
 * own login forms (password, then the one-time password when the level asked for needs it), with a
 * public test client registered through the admin API. Keycloak's direct grant does not do level of
 * authentication step-up, so a token with a second factor can only be had this way.
 */
final class BrowserSignIn {
    static final String CLIENT = "photobridge-stepup-test";
    static final String REDIRECT = "http://127.0.0.1:8089/stepup-callback";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FORM = Pattern.compile("<form[^>]*id=\"(kc-form-login|kc-otp-login-form)\"[^>]*>");
    private static final Pattern ACTION = Pattern.compile("action=\"([^\"]+)\"");

    private BrowserSignIn() {
    }

    /** What signing in produced: the access token's claims, the token itself, and the forms Keycloak showed. */
    record SignedIn(String accessToken, JsonNode claims, List<String> formsShown) {
    }

    /**
     * Signs {@code user} in; with {@code acrValues} present, asks for that class (Keycloak then shows
     * the OTP form after the password form, and {@code otp} answers it).
     */
    static SignedIn signIn(String user, String password, Optional<String> acrValues, Optional<String> otp)
            throws IOException, InterruptedException {
        ensureClient();
        // Cookies by hand, as a browser keeps them for this one host: java.net.CookieManager does not send
        // back the Secure cookies Keycloak sets even on plain http to a loopback host.
        var http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        var jar = new LinkedHashMap<String, String>();
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String challenge;
        try {
            challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        var query = new LinkedHashMap<String, String>();
        query.put("client_id", CLIENT);
        query.put("redirect_uri", REDIRECT);
        query.put("response_type", "code");
        query.put("scope", "openid");
        query.put("state", "s" + System.nanoTime());
        query.put("code_challenge", challenge);
        query.put("code_challenge_method", "S256");
        acrValues.ifPresent(acr -> query.put("acr_values", acr));
        var page = http.send(HttpRequest.newBuilder(URI.create(Keycloak.realmUrl() + "/protocol/openid-connect/auth?"
                + form(query))).GET().build(), HttpResponse.BodyHandlers.ofString());
        keep(jar, page);
        var shown = new java.util.ArrayList<String>();
        for (int step = 0; step < 3; step++) {
            if (page.statusCode() == 302) {
                String location = page.headers().firstValue("Location").orElseThrow();
                if (!location.startsWith(REDIRECT)) {
                    throw new IllegalStateException("redirected elsewhere than the callback: " + location);
                }
                String code = URI.create(location).getQuery().replaceAll(".*(?:^|&)code=([^&]+).*", "$1");
                return exchange(code, verifier, shown);
            }
            if (page.statusCode() != 200) {
                throw new IllegalStateException("Keycloak answered " + page.statusCode() + " at sign-in step " + step
                        + ": " + page.body().replaceAll("(?s).*<title>([^<]*)</title>.*", "$1"));
            }
            Matcher form = FORM.matcher(page.body());
            if (!form.find()) {
                throw new IllegalStateException("no login or OTP form at sign-in step " + step);
            }
            shown.add(form.group(1));
            Matcher action = ACTION.matcher(form.group());
            if (!action.find()) {
                throw new IllegalStateException("the form has no action");
            }
            String target = action.group(1).replace("&amp;", "&");
            Map<String, String> fields = form.group(1).equals("kc-form-login")
                    ? Map.of("username", user, "password", password, "credentialId", "")
                    : Map.of("otp", otp.orElseThrow(() -> new IllegalStateException("Keycloak asks for an OTP")),
                            "login", "Sign In");
            var post = HttpRequest.newBuilder(URI.create(target))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form(fields)));
            if (!jar.isEmpty()) {
                post.header("Cookie", jar.entrySet().stream().map(c -> c.getKey() + "=" + c.getValue())
                        .collect(Collectors.joining("; ")));
            }
            page = http.send(post.build(), HttpResponse.BodyHandlers.ofString());
            keep(jar, page);
        }
        throw new IllegalStateException("no code after " + shown);
    }

    private static void keep(Map<String, String> jar, HttpResponse<?> response) {
        for (String header : response.headers().allValues("Set-Cookie")) {
            String pair = header.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) {
                jar.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
    }

    private static SignedIn exchange(String code, String verifier, List<String> shown) throws IOException {
        String token = given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "authorization_code").formParam("client_id", CLIENT)
                .formParam("code", code).formParam("redirect_uri", REDIRECT).formParam("code_verifier", verifier)
                .post(Keycloak.realmUrl() + "/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        return new SignedIn(token, claims, List.copyOf(shown));
    }

    /** The demo user's TOTP code now (RFC 6238: HMAC-SHA1, 30 s, 6 digits), from the secret in the realm file. */
    static String totp(String user) throws IOException {
        JsonNode realm = JSON.readTree(Files.readString(TestStackProperties.repositoryRoot()
                .resolve("config/keycloak/photobridge-realm.json")));
        String secret = null;
        for (JsonNode u : realm.get("users")) {
            if (u.get("username").asText().equals(user)) {
                for (JsonNode credential : u.path("credentials")) {
                    if (credential.get("type").asText().equals("otp")) {
                        secret = JSON.readTree(credential.get("secretData").asText()).get("value").asText();
                    }
                }
            }
        }
        if (secret == null) {
            throw new IllegalStateException(user + " has no OTP credential in the realm file");
        }
        try {
            // Keycloak keys the HMAC with the secret's UTF-8 bytes.
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(Instant.now().getEpochSecond() / 30).array());
            int offset = hash[hash.length - 1] & 0xf;
            int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                    | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
            return String.format("%06d", binary % 1_000_000);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public test client (PKCE S256, one loopback redirect, the gateway's audience); created once. */
    static void ensureClient() {
        String admin = given().contentType("application/x-www-form-urlencoded")
                .formParam("grant_type", "password").formParam("client_id", "admin-cli")
                .formParam("username", TestStackProperties.value("keycloak.admin-username"))
                .formParam("password", TestStackProperties.value("keycloak.admin-password"))
                .post(TestStackProperties.value("keycloak.url") + "/realms/master/protocol/openid-connect/token")
                .then().statusCode(200).extract().path("access_token");
        String base = TestStackProperties.value("keycloak.url") + "/admin/realms/"
                + TestStackProperties.value("keycloak.realm");
        List<?> existing = given().auth().oauth2(admin).queryParam("clientId", CLIENT).get(base + "/clients")
                .then().statusCode(200).extract().path("$");
        if (!existing.isEmpty()) {
            return;
        }
        Map<String, Object> audience = Map.of("name", "photobridge-gateway audience", "protocol", "openid-connect",
                "protocolMapper", "oidc-audience-mapper", "config", Map.of(
                        "included.client.audience", "photobridge-gateway",
                        "access.token.claim", "true", "id.token.claim", "false"));
        Map<String, Object> groups = Map.of("name", "groups", "protocol", "openid-connect",
                "protocolMapper", "oidc-group-membership-mapper", "config", Map.of(
                        "full.path", "true", "claim.name", "groups", "access.token.claim", "true"));
        Map<String, Object> client = Map.of(
                "clientId", CLIENT, "protocol", "openid-connect", "publicClient", true,
                "standardFlowEnabled", true, "directAccessGrantsEnabled", false, "implicitFlowEnabled", false,
                "redirectUris", List.of(REDIRECT), "webOrigins", List.of("+"),
                "attributes", Map.of("pkce.code.challenge.method", "S256"),
                "protocolMappers", List.of(audience, groups));
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(client)
                .post(base + "/clients").then().statusCode(201);
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
