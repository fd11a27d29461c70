package org.photobridge.fhir.ehr;

/**
 * More than one EHR Patient carries the identifier: the gateway must not guess. An operator resolves
 * the duplicate in the EHR (or links the patient by hand). The identifier's value is left out of the
 * message because an MRN is patient data.
 */
public class AmbiguousPatientException extends EhrException {
    private static final long serialVersionUID = 1L;
    private final int matches;

    public AmbiguousPatientException(String identifierSystem, int matches) {
        super("Ambiguous patient: at least " + matches + " EHR Patient resources carry an identifier of system "
                + identifierSystem + " with the given value; resolve the duplicate in the EHR", null);
        this.matches = matches;
    }

    /** How many matches the EHR reported (at least 2; a lower bound when the EHR gives no total). */
    public int matches() {
        return matches;
    }
}
