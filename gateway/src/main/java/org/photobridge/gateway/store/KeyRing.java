package org.photobridge.gateway.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys of the encrypted store: one active key that encrypts every new blob, and the
 * keys it replaced, kept so that blobs written under them stay readable until the re-encryption job
 * has moved them to the active key. A key is named by its key id, a fingerprint of the key
 * (HMAC-SHA-256 of a fixed label, first 8 bytes in hex): it says which key a blob needs without
 * revealing anything about the key, and cannot be configured wrongly.
 */
public final class KeyRing {
    private static final byte[] KEY_ID_LABEL = "PhotoBridge store key id v1".getBytes(StandardCharsets.US_ASCII);

    /** A master key and where it came from. */
    public record MasterKey(String id, SecretKey key, Optional<Path> file) {
        @Override
        public String toString() {
            return "MasterKey[" + id + "]";
        }
    }

    private final MasterKey active;
    private final Map<String, MasterKey> byId = new LinkedHashMap<>();

    private KeyRing(MasterKey active, List<MasterKey> previous) {
        this.active = active;
        byId.put(active.id(), active);
        for (MasterKey key : previous) {
            byId.putIfAbsent(key.id(), key);
        }
    }

    /** A ring of raw keys, the first active (tests and tools). */
    public static KeyRing of(SecretKey active, SecretKey... previous) {
        List<MasterKey> older = new ArrayList<>();
        for (SecretKey key : previous) {
            older.add(new MasterKey(idOf(key.getEncoded()), key, Optional.empty()));
        }
        return new KeyRing(new MasterKey(idOf(active.getEncoded()), active, Optional.empty()), older);
    }

    /**
     * Loads the active key file and the files of the keys it replaced. Each must hold exactly 32
     * bytes, base64-encoded, and be readable by its owner only: a key file that group or others can
     * read is refused, so a misconfiguration stops the start-up instead of leaking the key.
     */
    public static KeyRing load(Path activeFile, List<Path> previousFiles) {
        MasterKey active = loadFile(activeFile, "photobridge.store.key-file");
        List<MasterKey> previous = new ArrayList<>();
        for (Path file : previousFiles) {
            previous.add(loadFile(file, "photobridge.store.previous-key-files"));
        }
        return new KeyRing(active, previous);
    }

    static MasterKey loadFile(Path keyFile, String property) {
        refuseLoosePermissions(keyFile, property);
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(Files.readString(keyFile).strip());
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(property + " " + keyFile + " does not exist; "
                    + "create 32 random bytes, base64-encoded, readable only by the gateway", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(property + " " + keyFile + " cannot be read as base64: "
                    + e.getMessage(), e);
        }
        if (raw.length != 32) {
            throw new IllegalStateException(property + " must hold a 256-bit key (32 bytes base64-encoded); "
                    + keyFile + " holds " + raw.length + " bytes");
        }
        return new MasterKey(idOf(raw), new SecretKeySpec(raw, "AES"), Optional.of(keyFile));
    }

    private static void refuseLoosePermissions(Path keyFile, String property) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(keyFile);
        } catch (NoSuchFileException e) {
            return; // reported by the read that follows
        } catch (IOException | UnsupportedOperationException e) {
            return; // Not a POSIX file system: nothing to check.
        }
        if (perms.stream().anyMatch(p -> p.name().startsWith("OTHERS") || p.name().startsWith("GROUP"))) {
            throw new IllegalStateException(property + " " + keyFile + " is accessible to group or others ("
                    + PosixFilePermissions.toString(perms) + "); the gateway refuses to start with it: "
                    + "run chmod 600 on the file");
        }
    }

    /** The key id of a raw key: HMAC-SHA-256(key, label), first 8 bytes, hex. */
    static String idOf(byte[] raw) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(raw, "HmacSHA256"));
            byte[] tag = mac.doFinal(KEY_ID_LABEL);
            return HexFormat.of().formatHex(tag, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 unavailable", e);
        }
    }

    public MasterKey active() {
        return active;
    }

    public Optional<MasterKey> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Every key, the active one first. */
    public List<MasterKey> all() {
        return List.copyOf(byId.values());
    }
}
