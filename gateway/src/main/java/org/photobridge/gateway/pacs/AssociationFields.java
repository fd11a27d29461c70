package org.photobridge.gateway.pacs;

import java.lang.reflect.Field;

import org.jboss.logging.Logger;

import com.pixelmed.network.Association;

/** PixelMed's protected {@link Association} fields that it offers no accessor for (the socket, its output stream). */
final class AssociationFields {

    private AssociationFields() {
    }

    /** The field {@code name}, made accessible; null (with a warning naming {@code withoutIt}) where it cannot be. */
    static Field of(String name, String withoutIt) {
        try {
            Field f = Association.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Logger.getLogger(AssociationFields.class).warnf("PixelMed Association.%s not accessible (%s); %s", name, e,
                    withoutIt);
            return null;
        }
    }
}
