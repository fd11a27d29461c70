package org.photobridge.gateway.photo;

/** Image formats the gateway accepts, recognised by their bytes. */
public enum PhotoFormat {
    JPEG("image/jpeg"),
    PNG("image/png");

    private final String mediaType;

    PhotoFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }
}
