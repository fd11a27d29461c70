package org.photobridge.gateway.dicom;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The capture protocols PhotoBridge accepts in request metadata ({@code "protocol"}). A protocol
 * becomes Protocol Name (0018,1030) in the General Series module. No standard terminology codes
 * clinical-photography protocols, and a private code in Performed Protocol Code Sequence would add
 * nothing a receiver cannot read from the fixed Protocol Name, so none is written.
 */
public final class ProtocolVocabulary {

    /**
     * One protocol.
     *
     * @param code          our string code, as used in the HTTP API
     * @param protocolName  what goes into Protocol Name (0018,1030); fixed per protocol, so
     *                      hanging protocols can match on it
     * @param description   what the protocol is for
     * @param expectedViews the views (codes of {@link ViewVocabulary}) a complete set contains, in
     *                      the usual shooting order; empty when the protocol has no fixed set
     */
    public record Protocol(String code, String protocolName, String description,
            List<String> expectedViews) {

        public Protocol {
            expectedViews = List.copyOf(expectedViews);
            expectedViews.forEach(ViewVocabulary::lookup);
        }

        /** Whether a photo with this view belongs to the protocol's fixed set of views. */
        public boolean expectsView(String view) {
            return expectedViews.contains(view);
        }
    }

    private static final List<String> TORSO_5_VIEW = List.of(
            "anterior", "right-oblique-45", "right-lateral", "left-oblique-45", "left-lateral");

    private static final Map<String, Protocol> PROTOCOLS = new LinkedHashMap<>();

    static {
        add("breast-5-view", "Breast 5-view", "breast photography, 5 standard views",
                TORSO_5_VIEW);
        add("abdomen-5-view", "Abdomen 5-view", "abdomen photography, 5 standard views",
                TORSO_5_VIEW);
        add("face-6-view", "Face 6-view", "facial photography, 6 standard views",
                List.of("anterior", "right-oblique-45", "right-lateral", "left-oblique-45",
                        "left-lateral", "basal"));
        add("wound-serial", "Wound serial", "serial wound documentation",
                List.of("close-up"));
        add("lesion-closeup", "Lesion close-up", "skin lesion close-up",
                List.of("close-up"));
        add("full-body-mapping", "Full-body mapping", "total body photography",
                List.of("anterior", "posterior", "left-lateral", "right-lateral"));
    }

    private ProtocolVocabulary() {
    }

    /**
     * The protocol for our code.
     *
     * @throws IllegalArgumentException when the code is not one of {@link #codes()}; the message
     *                                  lists the accepted codes
     */
    public static Protocol lookup(String code) {
        Protocol protocol = code == null ? null : PROTOCOLS.get(code);
        if (protocol == null) {
            throw new IllegalArgumentException("unknown protocol '" + code + "'; accepted protocols: "
                    + String.join(", ", PROTOCOLS.keySet()));
        }
        return protocol;
    }

    public static Optional<Protocol> find(String code) {
        return Optional.ofNullable(code == null ? null : PROTOCOLS.get(code));
    }

    /** Our codes in documentation order. */
    public static List<String> codes() {
        return List.copyOf(PROTOCOLS.keySet());
    }

    public static List<Protocol> all() {
        return List.copyOf(PROTOCOLS.values());
    }

    private static void add(String code, String name, String description, List<String> views) {
        PROTOCOLS.put(code, new Protocol(code, name, description, views));
    }
}
