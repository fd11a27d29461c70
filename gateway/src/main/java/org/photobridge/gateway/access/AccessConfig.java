package org.photobridge.gateway.access;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where a caller's departments come from in the access token, and how long a verified token is trusted. */
@ConfigMapping(prefix = "photobridge.access")
public interface AccessConfig {

    /**
     * The claim holding group paths (Keycloak's group-membership mapper with full.path=true). A
     * department is a group directly under {@link #departmentGroupParent()}; a group of the same
     * name anywhere else grants nothing, and a bare name without a path is ignored.
     */
    @WithDefault("groups")
    String groupsClaim();

    /** The group path whose direct children are departments; "/" for top-level groups. */
    @WithDefault("/")
    String departmentGroupParent();

    /**
     * A claim listing department names directly (for providers that issue one); when set, it is
     * used instead of group paths.
     */
    Optional<String> departmentsClaim();

    /**
     * How long the identity of a verified bearer token serves that same token again without a second
     * verification ({@link VerifiedTokens}); never past the token's own expiry. It bounds how long a
     * token stays accepted after its signing key was withdrawn from the provider's key set. 0 verifies
     * every request.
     */
    @WithDefault("60s")
    Duration verifiedTokenReuse();

    /** How many verified tokens are kept at most (about 5 KB each). */
    @WithDefault("10000")
    int verifiedTokenEntries();
}
