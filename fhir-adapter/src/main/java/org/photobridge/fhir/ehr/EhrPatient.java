package org.photobridge.fhir.ehr;

import java.util.Optional;

/**
 * What the EHR says of one patient, for a capture page to confirm it has the right person: the
 * literal reference, the name in DICOM form ({@code Family^Given^Middle}), the birth date
 * ({@code YYYY-MM-DD}) and the administrative sex as DICOM writes it ({@code F}, {@code M},
 * {@code O}, {@code U}).
 */
public record EhrPatient(String reference, Optional<String> dicomName, Optional<String> birthDate,
        Optional<String> sex) {
}
