package org.photobridge.gateway.access;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where a caller's departments come from in the access token. */
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
}
