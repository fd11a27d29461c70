package org.photobridge.gateway.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.photobridge.gateway.access.AccessPolicy.PhotoFacts;
import org.photobridge.gateway.access.AccessPolicy.PhotoUse;

/** The policy's rules for break-the-glass and step-up, decided from facts alone. */
class PhotoPolicyTest {
    private static final Caller DERM_CLINICIAN = new Caller("s1", "derm.consultant", "C", Set.of(Roles.CLINICIAN),
            Set.of("dermatology"), "password");
    private static final Caller PLASTICS_CLINICIAN = new Caller("s2", "plastics", "P", Set.of(Roles.CLINICIAN),
            Set.of("plastic-surgery"), "password");
    private static final Caller ADMIN = new Caller("s3", "admin", "A", Set.of(Roles.GATEWAY_ADMIN), Set.of(), null);
    private static final List<String> PLASTICS = List.of("plastic-surgery");

    private static PhotoFacts facts(boolean grant, boolean sensitive, boolean secondFactor) {
        return new PhotoFacts(PLASTICS, grant, sensitive, secondFactor);
    }

    @Test
    void aGrantOpensStatusAndViewButNeverExport() {
        var view = AccessPolicy.photo(DERM_CLINICIAN, facts(true, false, false), PhotoUse.VIEW);
        assertTrue(view.permitted() && view.breakGlass(), view.toString());
        assertTrue(AccessPolicy.photo(DERM_CLINICIAN, facts(true, false, false), PhotoUse.STATUS).permitted());
        assertFalse(AccessPolicy.photo(DERM_CLINICIAN, facts(true, false, false), PhotoUse.EXPORT).permitted());
        assertFalse(AccessPolicy.photo(DERM_CLINICIAN, facts(true, false, false), PhotoUse.RETRY).permitted());
        assertFalse(AccessPolicy.photo(DERM_CLINICIAN, facts(false, false, false), PhotoUse.VIEW).permitted(),
                "no grant (or an expired one): nothing");
        assertFalse(AccessPolicy.photo(ADMIN, facts(true, false, false), PhotoUse.VIEW).permitted(),
                "a grant never turns a non-care role into a viewer");
    }

    @Test
    void aSensitivePhotoAsksOnlyThosePermittedForASecondFactor() {
        var own = AccessPolicy.photo(PLASTICS_CLINICIAN, facts(false, true, false), PhotoUse.VIEW);
        assertTrue(!own.permitted() && own.secondFactorRequired(), own.toString());
        assertTrue(AccessPolicy.photo(PLASTICS_CLINICIAN, facts(false, true, true), PhotoUse.VIEW).permitted());
        assertTrue(AccessPolicy.photo(PLASTICS_CLINICIAN, facts(false, true, false), PhotoUse.EXPORT)
                .secondFactorRequired());
        assertTrue(AccessPolicy.photo(PLASTICS_CLINICIAN, facts(false, true, false), PhotoUse.STATUS).permitted(),
                "metadata needs no second factor");
        var outsider = AccessPolicy.photo(DERM_CLINICIAN, facts(false, true, false), PhotoUse.VIEW);
        assertFalse(outsider.permitted() || outsider.secondFactorRequired(), "an outsider is never asked: " + outsider);
        assertTrue(AccessPolicy.photo(DERM_CLINICIAN, facts(true, true, false), PhotoUse.VIEW).secondFactorRequired(),
                "a grant does not lift step-up");
    }

    @Test
    void onlyCliniciansBreakTheGlassAndOnlyComplianceListsGrants() {
        assertTrue(AccessPolicy.breakGlass(DERM_CLINICIAN).permitted());
        assertFalse(AccessPolicy.breakGlass(ADMIN).permitted());
        var photographer = new Caller("s4", "p", "P", Set.of(Roles.PHOTOGRAPHER), Set.of("dermatology"), null);
        assertFalse(AccessPolicy.breakGlass(photographer).permitted());
        assertFalse(AccessPolicy.mayKnowWithheldPhotos(photographer));
        var officer = new Caller("s5", "o", "O", Set.of(Roles.COMPLIANCE_OFFICER), Set.of(), null);
        assertTrue(AccessPolicy.breakGlassList(officer).permitted());
        assertEquals(false, AccessPolicy.breakGlassList(DERM_CLINICIAN).permitted());
    }
}
