package org.photobridge.domain;

/** What a patient may consent to about their photos (DESIGN.md consent model). */
public enum ConsentScope {
    /** Photos in the medical record for this patient's care (v3 ActReason TREAT). */
    CLINICAL_CARE,
    /** Teaching files, education (v3 ActReason TRAIN). */
    TEACHING,
    /** Journals, conferences (project CodeSystem publication). */
    PUBLICATION,
    /** Practice website, social media, advertising (v3 ActReason HMARKT). */
    MARKETING,
    /** A partial release for one named use, with a period (project CodeSystem specific-use). */
    SPECIFIC_USE
}
