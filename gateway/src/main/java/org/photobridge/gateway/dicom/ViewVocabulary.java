package org.photobridge.gateway.dicom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The photographic views PhotoBridge accepts in request metadata ({@code "view"}) and the code each
 * becomes in View Code Sequence (0054,0220). Standard codes come from DICOM CID 4062 "VL View"
 * (SNOMED CT); the two views that CID 4062 does not cover use the private scheme
 * {@value CodedConcept#PHOTOBRIDGE_SCHEME}. Intake validates with {@link #lookup(String)}.
 */
public final class ViewVocabulary {

    /**
     * One view.
     *
     * @param code        our string code, as used in the HTTP API
     * @param concept     what goes into View Code Sequence
     * @param description what the photographer does, for documentation and UI hints
     */
    public record View(String code, CodedConcept concept, String description) {
    }

    private static final Map<String, View> VIEWS = new LinkedHashMap<>();

    static {
        add("anterior", sct("399033003", "frontal"),
                "patient faces the camera (frontal / anterior view)");
        add("posterior", pb("PB-POSTERIOR", "posterior view"),
                "patient's back faces the camera; CID 4062 has no posterior view for visible light");
        add("left-lateral", sct("399173006", "left lateral"),
                "patient's left side faces the camera (profile)");
        add("right-lateral", sct("399198007", "right lateral"),
                "patient's right side faces the camera (profile)");
        add("left-oblique-45", sct("260421001", "left lateral oblique"),
                "patient turned about 45 degrees so the left side and front are seen");
        add("right-oblique-45", sct("260424009", "right lateral oblique"),
                "patient turned about 45 degrees so the right side and front are seen");
        add("basal", sct("399255003", "submentovertical"),
                "face from below, chin raised (worm's-eye / basal view of nose and jaw)");
        add("vertex", sct("260461000", "vertex"),
                "head from above (scalp, hair transplant follow-up)");
        add("close-up", pb("PB-CLOSEUP", "close-up view"),
                "detail of a lesion or wound filling most of the frame, usually with a ruler");
    }

    private ViewVocabulary() {
    }

    /**
     * The view for our code.
     *
     * @throws IllegalArgumentException when the code is not one of {@link #codes()}; the message
     *                                  lists the accepted codes
     */
    public static View lookup(String code) {
        View view = code == null ? null : VIEWS.get(code);
        if (view == null) {
            throw new IllegalArgumentException("unknown view '" + code + "'; accepted views: "
                    + String.join(", ", VIEWS.keySet()));
        }
        return view;
    }

    public static Optional<View> find(String code) {
        return Optional.ofNullable(code == null ? null : VIEWS.get(code));
    }

    /** Our codes in documentation order. */
    public static List<String> codes() {
        return List.copyOf(VIEWS.keySet());
    }

    public static List<View> all() {
        return List.copyOf(VIEWS.values());
    }

    private static void add(String code, CodedConcept concept, String description) {
        VIEWS.put(code, new View(code, concept, description));
    }

    private static CodedConcept sct(String value, String meaning) {
        return new CodedConcept(CodedConcept.SNOMED_CT, value, meaning);
    }

    private static CodedConcept pb(String value, String meaning) {
        return new CodedConcept(CodedConcept.PHOTOBRIDGE_SCHEME, value, meaning);
    }
}
