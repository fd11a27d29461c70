package org.photobridge.fhir.server;

import java.util.List;
import java.util.Set;
import java.util.function.Function;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizationInterceptor;
import ca.uhn.fhir.rest.server.interceptor.auth.IAuthRule;
import ca.uhn.fhir.rest.server.interceptor.auth.PolicyEnum;
import ca.uhn.fhir.rest.server.interceptor.auth.RuleBuilder;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Who may do what on {@code /fhir}, from the caller's realm roles (docs/fhir.md, role matrix). The
 * container authenticates callers before the servlet (401 there); here every request not allowed
 * below is refused with 403 and an OperationOutcome. Nobody may update or delete AuditEvent or
 * ImagingStudy, and nothing may be deleted at all. This is the coarse gate by role; which patient's
 * records a caller may read or change is the gateway's access policy, asked by the providers
 * through {@link org.photobridge.fhir.access.FhirAccess}.
 */
public class RoleAuthorization extends AuthorizationInterceptor {

    private final Function<HttpServletRequest, Set<String>> callerRoles;

    /** @param callerRoles the realm roles of the caller of a request (the gateway maps them from the bearer token) */
    public RoleAuthorization(Function<HttpServletRequest, Set<String>> callerRoles) {
        super(PolicyEnum.DENY);
        this.callerRoles = callerRoles;
    }

    @Override
    public List<IAuthRule> buildRuleList(RequestDetails request) {
        Set<String> roles = request instanceof ServletRequestDetails servlet
                ? nullToEmpty(callerRoles.apply(servlet.getServletRequest()))
                : Set.of();
        var rules = new RuleBuilder();
        rules.allow("capability statement").metadata().andThen()
                .allow("published terminology").read().resourcesOfType("CodeSystem").withAnyId().andThen();
        if (roles.contains(FhirRoles.COMPLIANCE_OFFICER)) {
            for (String type : List.of("Consent", "AuditEvent", "ImagingStudy")) {
                rules.allow("compliance reads " + type).read().resourcesOfType(type).withAnyId().andThen();
            }
            rules.allow("compliance corrects Consent").write().resourcesOfType("Consent").withAnyId().andThen()
                    .allow("compliance records Consent").create().resourcesOfType("Consent").withAnyId().andThen();
        }
        if (roles.contains(FhirRoles.CLINICIAN) || roles.contains(FhirRoles.PHOTOGRAPHER)
                || roles.contains(FhirRoles.CONSENT_MANAGER)) {
            rules.allow("care team reads Consent").read().resourcesOfType("Consent").withAnyId().andThen()
                    .allow("care team reads ImagingStudy").read().resourcesOfType("ImagingStudy").withAnyId().andThen()
                    .allow("care team records Consent").create().resourcesOfType("Consent").withAnyId().andThen()
                    .allow("care team records Consent once").createConditional().resourcesOfType("Consent").andThen()
                    .allow("care team changes Consent").write().resourcesOfType("Consent").withAnyId().andThen();
        }
        return rules.denyAll("not permitted for the caller's roles").build();
    }

    private static Set<String> nullToEmpty(Set<String> roles) {
        return roles == null ? Set.of() : roles;
    }
}
