package org.photobridge.gateway.audit;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Properties;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.photobridge.gateway.store.PrivateDirectories;

/**
 * The audit trail's secrets, kept in a file outside the database: the HMAC-SHA256 key that chains
 * entries and the Ed25519 key that signs checkpoints. Someone who can write the database but not read
 * this file cannot produce entries or checkpoints that verify.
 */
@ApplicationScoped
public class AuditKeys {
    private static final Logger LOG = Logger.getLogger(AuditKeys.class);
    private static final String MAC_ALGORITHM = "HmacSHA256";
    private static final String SIGNATURE_ALGORITHM = "Ed25519";
    private static final Set<PosixFilePermission> FOREIGN = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final SecretKeySpec macKey;
    private final PrivateKey signingKey;
    private final PublicKey verifyKey;
    private final String keyId;
    private final ThreadLocal<Mac> macs;

    @Inject
    public AuditKeys(AuditConfig config) {
        this(readOrCreate(config.keyFile().toAbsolutePath()));
    }

    private AuditKeys(Properties keys) {
        try {
            macKey = new SecretKeySpec(decode(keys, "mac-key", 32), MAC_ALGORITHM);
            KeyFactory factory = KeyFactory.getInstance(SIGNATURE_ALGORITHM);
            signingKey = factory.generatePrivate(new PKCS8EncodedKeySpec(decode(keys, "signing-key", -1)));
            verifyKey = factory.generatePublic(new X509EncodedKeySpec(decode(keys, "verify-key", -1)));
            keyId = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(verifyKey.getEncoded()))
                    .substring(0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the audit key file holds no valid Ed25519 key pair: " + e.getMessage(), e);
        }
        byte[] probe = "photobridge audit key pair check".getBytes(StandardCharsets.US_ASCII);
        if (!verify(probe, sign(probe))) {
            throw new IllegalStateException("the audit key file's signing-key and verify-key are not one key pair");
        }
        macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(MAC_ALGORITHM);
                mac.init(macKey);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Keys from {@code file}, made (mode 0600, in a private directory) when it does not exist. */
    static AuditKeys loadOrCreate(Path file) {
        return new AuditKeys(readOrCreate(file));
    }

    private static Properties readOrCreate(Path file) {
        if (!Files.exists(file)) {
            create(file);
        }
        return load(file);
    }

    private static Properties load(Path file) {
        try {
            var permissions = Files.getPosixFilePermissions(file);
            if (permissions.stream().anyMatch(FOREIGN::contains)) {
                throw new IllegalStateException("photobridge.audit.key-file " + file + " is accessible to group or "
                        + "others (" + PosixFilePermissions.toString(permissions) + "); the gateway refuses to use "
                        + "it: run chmod 600 on it and check who may have read it");
            }
        } catch (UnsupportedOperationException notPosix) {
            // Not a POSIX file system: nothing to check.
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the permissions of photobridge.audit.key-file " + file, e);
        }
        var keys = new Properties();
        try {
            keys.load(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)));
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("photobridge.audit.key-file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read photobridge.audit.key-file " + file + ": " + e.getMessage(), e);
        }
        return keys;
    }

    private static byte[] decode(Properties keys, String name, int length) {
        String value = keys.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("the audit key file has no " + name);
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the audit key file's " + name + " is not base64", e);
        }
        if (length > 0 && raw.length != length) {
            throw new IllegalStateException("the audit key file's " + name + " must be " + length + " bytes, not "
                    + raw.length);
        }
        return raw;
    }

    private static void create(Path file) {
        try {
            Path directory = file.getParent();
            if (directory != null && !Files.exists(directory)) {
                PrivateDirectories.create(directory);
            }
            byte[] macKey = new byte[32];
            var random = new SecureRandom();
            random.nextBytes(macKey);
            KeyPairGenerator generator = KeyPairGenerator.getInstance(SIGNATURE_ALGORITHM);
            KeyPair pair = generator.generateKeyPair();
            var encoder = Base64.getEncoder();
            String text = "# PhotoBridge audit trail keys: the MAC key that chains entries and the key that signs\n"
                    + "# checkpoints. Secret: keep it mode 0600, out of the database and its backups, and back it up\n"
                    + "# separately; without it the trail cannot be verified. See docs/security.md.\n"
                    + "mac-key=" + encoder.encodeToString(macKey) + "\n"
                    + "signing-key=" + encoder.encodeToString(pair.getPrivate().getEncoded()) + "\n"
                    + "verify-key=" + encoder.encodeToString(pair.getPublic().getEncoded()) + "\n";
            Path incoming = file.resolveSibling("." + file.getFileName() + ".incoming");
            Files.deleteIfExists(incoming);
            try {
                Files.createFile(incoming, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException notPosix) {
                Files.createFile(incoming);
            }
            Files.writeString(incoming, text, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            // No REPLACE_EXISTING: a replica that made the file a moment earlier wins, and this one reads it.
            try {
                Files.move(incoming, file);
                LOG.infof("Generated the audit trail key file %s (mode 0600); back it up", file);
            } catch (FileAlreadyExistsException raced) {
                Files.deleteIfExists(incoming);
            }
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create photobridge.audit.key-file " + file + ": " + e.getMessage(),
                    e);
        }
    }

    /** HMAC-SHA256 of {@code message} under the entry MAC key. */
    byte[] mac(byte[] message) {
        Mac mac = macs.get();
        return mac.doFinal(message);
    }

    /** Ed25519 signature of {@code message}. */
    byte[] sign(byte[] message) {
        try {
            Signature signature = Signature.getInstance(SIGNATURE_ALGORITHM);
            signature.initSign(signingKey);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code signature} is this key's Ed25519 signature of {@code message}. */
    boolean verify(byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(SIGNATURE_ALGORITHM);
            verifier.initVerify(verifyKey);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Names the signing key in checkpoints: the first 16 hex digits of the SHA-256 of its public key. */
    public String keyId() {
        return keyId;
    }

    /** The public key that verifies checkpoint signatures, as PEM ({@code openssl pkeyutl -verify}). */
    public String verifyKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(verifyKey.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }
}
