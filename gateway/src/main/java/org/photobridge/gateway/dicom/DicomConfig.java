package org.photobridge.gateway.dicom;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** How the gateway names itself and its UIDs in DICOM. */
@ConfigMapping(prefix = "photobridge.dicom")
public interface DicomConfig {

    /** An organisation UID root for generated UIDs; without one, UIDs are 2.25.&lt;uuid&gt;. */
    Optional<String> uidRoot();
}
