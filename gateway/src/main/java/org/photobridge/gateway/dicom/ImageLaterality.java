package org.photobridge.gateway.dicom;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Image Laterality (0020,0062) values, which are also the request's {@code "laterality"} values. */
public enum ImageLaterality {
    /** Left side of a paired structure, or the left side of the body. */
    L,
    /** Right. */
    R,
    /** Both left and right (for example a frontal view of both breasts). */
    B,
    /** Unpaired structure (abdomen, face midline), or laterality does not apply. */
    U;

    /**
     * The value for a request's string.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ImageLaterality parse(String value) {
        for (ImageLaterality laterality : values()) {
            if (laterality.name().equals(value)) {
                return laterality;
            }
        }
        throw new IllegalArgumentException("unknown laterality '" + value + "'; accepted values: "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
