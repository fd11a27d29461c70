package org.photobridge.gateway.access;

/** Realm roles the gateway checks. */
public final class Roles {
    public static final String PHOTOGRAPHER = "photographer";
    public static final String CLINICIAN = "clinician";
    /** Changes and withdraws patients' consents, for the departments the holder belongs to. */
    public static final String CONSENT_MANAGER = "consent-manager";
    public static final String COMPLIANCE_OFFICER = "compliance-officer";
    public static final String GATEWAY_ADMIN = "gateway-admin";

    private Roles() {
    }
}
