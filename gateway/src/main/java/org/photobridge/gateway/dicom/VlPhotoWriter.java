package org.photobridge.gateway.dicom;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DateAttribute;
import com.pixelmed.dicom.DateTimeAttribute;
import com.pixelmed.dicom.DecimalStringAttribute;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.IntegerStringAttribute;
import com.pixelmed.dicom.LongStringAttribute;
import com.pixelmed.dicom.OtherByteAttribute;
import com.pixelmed.dicom.PersonNameAttribute;
import com.pixelmed.dicom.SequenceAttribute;
import com.pixelmed.dicom.ShortStringAttribute;
import com.pixelmed.dicom.ShortTextAttribute;
import com.pixelmed.dicom.SpecificCharacterSet;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TimeAttribute;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.dicom.UnlimitedTextAttribute;
import com.pixelmed.dicom.UnsignedLongAttribute;
import com.pixelmed.dicom.UnsignedShortAttribute;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.photobridge.gateway.photo.CleanedPhoto;
import org.photobridge.gateway.photo.CleanedPhoto.PixelEncoding;
import org.photobridge.gateway.photo.JpegFrame;
import org.photobridge.gateway.photo.PixelStorage;

/**
 * Writes a cleaned photo and its request facts as a DICOM Part 10 VL Photographic Image
 * (PS3.3 A.32.4), JPEG Baseline encapsulated or Explicit VR Little Endian native, as the photo's
 * {@link PixelStorage} says: how pixels are stored is decided when the photo is cleaned, not here.
 * What each attribute means and where it comes from is in docs/dicom-conformance.md.
 */
public final class VlPhotoWriter {
    public static final String VL_PHOTOGRAPHIC_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.77.1.4";
    public static final String JPEG_BASELINE = PixelStorage.JPEG_BASELINE;
    public static final String EXPLICIT_VR_LITTLE_ENDIAN = PixelStorage.EXPLICIT_VR_LITTLE_ENDIAN;
    /** Ours, made once as 2.25.&lt;random UUID&gt;; never changes between releases. */
    public static final String IMPLEMENTATION_CLASS_UID = "2.25.176748981718394301962846741082286508454";
    /** Changes when the encoding of our objects changes. */
    public static final String IMPLEMENTATION_VERSION_NAME = "PHOTOBRIDGE_01";
    public static final String SOURCE_AE_TITLE = "PHOTOBRIDGE";
    public static final String MODALITY = "XC";
    /** UTF-8: patient and operator names may be in any script. */
    public static final String CHARACTER_SET = "ISO_IR 192";

    private static final Set<String> JPEG_PHOTOMETRICS = Set.of("MONOCHROME2", "RGB", "YBR_FULL", "YBR_FULL_422");
    private static final Set<String> NATIVE_PHOTOMETRICS = Set.of("MONOCHROME2", "RGB");
    /** Concept name of the Acquisition Context item that carries the view. */
    public static final CodedConcept IMAGE_VIEW = new CodedConcept(CodedConcept.DICOM, "111031", "Image View");

    private static final String SNOMED_SYSTEM = "http://snomed.info/sct";
    private static final String DCM_SYSTEM = "http://dicom.nema.org/resources/ontology/DCM";
    private static final DateTimeFormatter DA = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
    private static final DateTimeFormatter TM = DateTimeFormatter.ofPattern("HHmmss", Locale.ROOT);
    private static final DateTimeFormatter DT = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);
    private static final DateTimeFormatter DT_WITH_OFFSET =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmssxx", Locale.ROOT);

    private final Clock clock;
    private final SpecificCharacterSet charset = new SpecificCharacterSet(new String[] {CHARACTER_SET});

    /** Dates and times are written in the system time zone, the hospital's local time. */
    public VlPhotoWriter() {
        this(Clock.systemDefaultZone());
    }

    /**
     * @param clock the instance creation time, and the zone in which local dates and times (Study
     *              Date, Content Date, ...) are written
     */
    public VlPhotoWriter(Clock clock) {
        this.clock = clock;
    }

    /** The transfer syntax the object for this photo is written in, as cleaning decided. */
    public static String transferSyntaxOf(CleanedPhoto photo) {
        return photo.storage().transferSyntaxUid();
    }

    /**
     * Writes the Part 10 object (preamble, file meta information, data set) to {@code out}, which
     * is flushed but not closed.
     *
     * @throws IllegalArgumentException when the photo or the instance cannot be stated truthfully
     *                                  as a VL Photographic Image (the message names the field)
     */
    public void write(CleanedPhoto photo, PhotoInstance instance, OutputStream out) throws IOException {
        AttributeList list = build(photo, instance);
        String transferSyntax = transferSyntaxOf(photo);
        try {
            DicomOutputStream dicomOut = new DicomOutputStream(
                    new BufferedOutputStream(nonClosing(out), 64 * 1024), EXPLICIT_VR_LITTLE_ENDIAN, transferSyntax);
            list.write(dicomOut);
            dicomOut.flush();
        } catch (DicomException e) {
            throw new IOException("could not encode VL Photographic Image: " + e.getMessage(), e);
        }
    }

    /** Writes the object to {@code file} through a sibling temporary file, so a reader never sees half. */
    public void write(CleanedPhoto photo, PhotoInstance instance, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(parent, ".photobridge-", ".dcm.part");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                write(photo, instance, out);
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** The complete object, file meta information included, as PixelMed holds it. */
    public AttributeList build(CleanedPhoto photo, PhotoInstance instance) {
        checkPixels(photo);
        try {
            AttributeList list = new AttributeList();
            cs(list, TagFromName.SpecificCharacterSet, CHARACTER_SET);
            putSopCommon(list, instance);
            putPatient(list, instance);
            putStudy(list, instance);
            putSeries(list, instance);
            putEquipment(list, photo, instance);
            putImage(list, photo, instance);
            putPixels(list, photo);
            AccessTagBlock.put(list, charset, checkedAccessTags(instance), lo("department", instance.department()),
                    photo.source() == null ? null : photo.source().sha256());
            putCodingSchemeIdentification(list);
            putFileMetaInformation(list, transferSyntaxOf(photo));
            return list;
        } catch (DicomException e) {
            throw new IllegalArgumentException("cannot encode attribute: " + e.getMessage(), e);
        }
    }

    // --- modules -------------------------------------------------------------------------------

    private void putSopCommon(AttributeList list, PhotoInstance instance) throws DicomException {
        ui(list, TagFromName.SOPClassUID, VL_PHOTOGRAPHIC_IMAGE_STORAGE);
        ui(list, TagFromName.SOPInstanceUID, uid("sopInstanceUid", instance.uids().sopInstanceUid()));
        ZonedDateTime now = ZonedDateTime.now(clock);
        da(list, TagFromName.InstanceCreationDate, DA.format(now));
        tm(list, TagFromName.InstanceCreationTime, TM.format(now));
    }

    private void putPatient(AttributeList list, PhotoInstance instance) throws DicomException {
        PhotoInstance.Patient patient = instance.patient();
        var name = new PersonNameAttribute(TagFromName.PatientName, charset);
        patient.name().filter(n -> !n.isBlank()).ifPresent(n -> addValue(name, checkedPersonName("patient.name", n)));
        list.put(name);
        lo(list, TagFromName.PatientID, lo("patient.identifier.value", patient.identifier().value()));
        Issuer issuer = Issuer.of("patient.identifier.system", patient.identifier().system());
        if (issuer.universalEntityId().length() <= 64) {
            lo(list, TagFromName.IssuerOfPatientID, issuer.universalEntityId());
        }
        list.put(issuerSequence(TagFromName.IssuerOfPatientIDQualifiersSequence, issuer));
        da(list, TagFromName.PatientBirthDate, patient.birthDate().map(VlPhotoWriter::dicomDate).orElse(null));
        cs(list, TagFromName.PatientSex, patient.sex().map(VlPhotoWriter::dicomSex).orElse(null));
    }

    private void putStudy(AttributeList list, PhotoInstance instance) throws DicomException {
        ui(list, TagFromName.StudyInstanceUID, uid("studyInstanceUid", instance.uids().studyInstanceUid()));
        ZonedDateTime studyTime = instance.studyDateTime().atZone(clock.getZone());
        da(list, TagFromName.StudyDate, DA.format(studyTime));
        tm(list, TagFromName.StudyTime, TM.format(studyTime));
        list.put(new PersonNameAttribute(TagFromName.ReferringPhysicianName, charset));
        sh(list, TagFromName.StudyID, studyId(instance.uids().studyInstanceUid()));
        list.put(new ShortStringAttribute(TagFromName.AccessionNumber, charset));
        // Patient Study module: the encounter is the admission the photos were taken in.
        lo(list, TagFromName.AdmissionID, lo("encounter.identifier.value", instance.encounter().value()));
        list.put(issuerSequence(TagFromName.IssuerOfAdmissionIDSequence,
                Issuer.of("encounter.identifier.system", instance.encounter().system())));
    }

    private void putSeries(AttributeList list, PhotoInstance instance) throws DicomException {
        cs(list, TagFromName.Modality, MODALITY);
        ui(list, TagFromName.SeriesInstanceUID, uid("seriesInstanceUid", instance.uids().seriesInstanceUid()));
        is(list, TagFromName.SeriesNumber, instance.seriesNumber());
        var operator = new PersonNameAttribute(TagFromName.OperatorsName, charset);
        instance.operatorName().filter(n -> !n.isBlank())
                .ifPresent(n -> addValue(operator, checkedPersonName("operatorName", n)));
        if (operator.getVM() > 0) {
            list.put(operator);
        }
        if (instance.protocol().isPresent()) {
            ProtocolVocabulary.Protocol protocol = ProtocolVocabulary.lookup(instance.protocol().get());
            lo(list, TagFromName.ProtocolName, protocol.protocolName());
        }
    }

    private void putEquipment(AttributeList list, CleanedPhoto photo, PhotoInstance instance) throws DicomException {
        Optional<String> manufacturer = instance.deviceManufacturer().or(() -> hints(photo).manufacturer());
        Optional<String> model = instance.deviceModel().or(() -> hints(photo).model());
        lo(list, TagFromName.Manufacturer, manufacturer.map(VlPhotoWriter::truncateLo).orElse(null));
        if (model.isPresent()) {
            lo(list, TagFromName.ManufacturerModelName, truncateLo(model.get()));
        }
        lo(list, TagFromName.InstitutionalDepartmentName, lo("department", instance.department()));
    }

    private void putImage(AttributeList list, CleanedPhoto photo, PhotoInstance instance) throws DicomException {
        is(list, TagFromName.InstanceNumber, instance.instanceNumber());
        list.put(new CodeStringAttribute(TagFromName.PatientOrientation));

        boolean derived = isDerived(photo);
        cs(list, TagFromName.ImageType, derived ? "DERIVED" : "ORIGINAL", "PRIMARY");
        if (derived) {
            st(list, TagFromName.DerivationDescription, derivationDescription(photo));
            if (photo.source().reencoded() && photo.storage().encapsulated()) {
                list.put(codeSequence(TagFromName.DerivationCodeSequence,
                        new CodedConcept(CodedConcept.DICOM, "113040", "Lossy Compression")));
            }
        }

        Optional<AcquisitionTime> acquired = acquisitionTime(photo, instance);
        if (acquired.isPresent()) {
            dt(list, TagFromName.AcquisitionDateTime, acquired.get().dateTime());
            da(list, TagFromName.AcquisitionDate, DA.format(acquired.get().local()));
            tm(list, TagFromName.AcquisitionTime, TM.format(acquired.get().local()));
        }
        LocalDateTime content = acquired.filter(a -> !derived).map(AcquisitionTime::local)
                .orElseGet(() -> LocalDateTime.now(clock));
        da(list, TagFromName.ContentDate, DA.format(content));
        tm(list, TagFromName.ContentTime, TM.format(content));

        cs(list, TagFromName.BurnedInAnnotation, "NO");
        // A photograph of a person may identify them (face, tattoos, birthmarks); we cannot vouch
        // for the opposite, so de-identification tools must treat every photo as identifying.
        cs(list, TagFromName.RecognizableVisualFeatures, "YES");
        putLossyCompression(list, photo);

        list.put(acquisitionContext(instance.view().map(ViewVocabulary::lookup)));
        list.put(codeSequence(TagFromName.AnatomicRegionSequence, bodySite(instance.bodySite())));
        cs(list, TagFromName.ImageLaterality, ImageLaterality.parse(instance.laterality()).name());
    }

    private void putLossyCompression(AttributeList list, CleanedPhoto photo) throws DicomException {
        CleanedPhoto.LossyCompression lossy = photo.lossy();
        cs(list, TagFromName.LossyImageCompression, lossy.applied() ? "01" : "00");
        if (!lossy.applied()) {
            return;
        }
        if (!lossy.methods().isEmpty()) {
            cs(list, TagFromName.LossyImageCompressionMethod, lossy.methods().toArray(String[]::new));
        }
        // Ratio and Method values correspond one to one; a partial list would pair them wrongly.
        if (!lossy.ratios().isEmpty() && lossy.ratios().size() == lossy.methods().size()) {
            var ratio = new DecimalStringAttribute(TagFromName.LossyImageCompressionRatio);
            for (double r : lossy.ratios()) {
                ratio.addValue(decimalString(r));
            }
            list.put(ratio);
        }
    }

    private void putPixels(AttributeList list, CleanedPhoto photo) throws DicomException {
        PixelStorage storage = photo.storage();
        us(list, TagFromName.SamplesPerPixel, photo.samplesPerPixel());
        cs(list, TagFromName.PhotometricInterpretation, storage.photometricInterpretation());
        us(list, TagFromName.Rows, photo.rows());
        us(list, TagFromName.Columns, photo.columns());
        us(list, TagFromName.BitsAllocated, 8);
        us(list, TagFromName.BitsStored, 8);
        us(list, TagFromName.HighBit, 7);
        us(list, TagFromName.PixelRepresentation, 0);
        if (photo.samplesPerPixel() > 1) {
            us(list, TagFromName.PlanarConfiguration, 0);
        }
        if (photo.iccProfile().isPresent() && photo.iccProfile().get().length > 0) {
            var icc = new OtherByteAttribute(TagFromName.ICCProfile);
            icc.setValues(photo.iccProfile().get());
            list.put(icc);
        }
        if (storage.encapsulated()) {
            // The stream is the first pixelDataLength bytes of its array (a kept JPEG is the upload
            // compacted in place), written from there; an odd-length stream is padded to an even
            // fragment (PS3.5 A.4) with a zero byte after EOI, which JPEG decoders ignore.
            list.put(new EncapsulatedFrame(TagFromName.PixelData, photo.pixelArray(), photo.pixelDataLength()));
        } else {
            var pixels = new OtherByteAttribute(TagFromName.PixelData);
            pixels.setValues(photo.storedPixelData());
            list.put(pixels);
        }
    }

    private void putCodingSchemeIdentification(AttributeList list) throws DicomException {
        boolean usesPrivateScheme = usesScheme(list, CodedConcept.PHOTOBRIDGE_SCHEME);
        if (!usesPrivateScheme) {
            return;
        }
        var item = new AttributeList();
        sh(item, TagFromName.CodingSchemeDesignator, CodedConcept.PHOTOBRIDGE_SCHEME);
        st(item, TagFromName.CodingSchemeName, "PhotoBridge clinical photography views and protocols");
        st(item, TagFromName.CodingSchemeResponsibleOrganization, "PhotoBridge project");
        var sequence = new SequenceAttribute(TagFromName.CodingSchemeIdentificationSequence);
        sequence.addItem(item);
        list.put(sequence);
    }

    /** File meta information with PhotoBridge's implementation identity; shared by every object we write. */
    static void putFileMetaInformation(AttributeList list, String transferSyntax) throws DicomException {
        FileMetaInformation.addFileMetaInformation(list, transferSyntax, SOURCE_AE_TITLE);
        // PixelMed stamps its own implementation identity; the object is ours.
        ui(list, TagFromName.ImplementationClassUID, IMPLEMENTATION_CLASS_UID);
        put(list, new ShortStringAttribute(TagFromName.ImplementationVersionName), IMPLEMENTATION_VERSION_NAME);
        long groupLength = 0;
        for (Attribute attribute : list.values()) {
            if (attribute.getGroup() == 0x0002 && attribute.getElement() != 0x0000) {
                groupLength += attribute.getLengthOfEntireEncodedAttribute(true, true);
            }
        }
        var length = new UnsignedLongAttribute(TagFromName.FileMetaInformationGroupLength);
        length.addValue(groupLength);
        list.put(length);
    }

    // --- facts -----------------------------------------------------------------------------------

    /**
     * ORIGINAL when the stored pixels are the camera's own (JPEG passed through, or PNG samples
     * unpacked unchanged); DERIVED as soon as we changed them: orientation applied or decoded and
     * encoded again.
     */
    static boolean isDerived(CleanedPhoto photo) {
        return photo.source().reencoded() || photo.source().exifOrientation() != 1;
    }

    static String derivationDescription(CleanedPhoto photo) {
        List<String> steps = new ArrayList<>();
        int orientation = photo.source().exifOrientation();
        if (orientation != 1) {
            steps.add("EXIF orientation " + orientation + " applied");
        }
        if (photo.source().reencoded()) {
            String from = photo.source().format() == null ? "source" : photo.source().format().name();
            steps.add(photo.storage().encapsulated()
                    ? "decoded from " + from + " and re-encoded as JPEG baseline"
                    : "decoded from " + from + " and stored uncompressed");
        } else if (orientation != 1) {
            steps.add("JPEG transformed without re-encoding");
        }
        if (photo.source().sourceBitsPerSample() > 8) {
            steps.add("samples rounded from " + photo.source().sourceBitsPerSample() + " to 8 bits");
        }
        return String.join("; ", steps);
    }

    private record AcquisitionTime(String dateTime, LocalDateTime local) {
    }

    /** The request's instant wins (with its offset stated); EXIF's local time fills the gap, offset unknown. */
    private Optional<AcquisitionTime> acquisitionTime(CleanedPhoto photo, PhotoInstance instance) {
        if (instance.takenAt().isPresent()) {
            ZonedDateTime taken = instance.takenAt().get().atZone(clock.getZone());
            return Optional.of(new AcquisitionTime(DT_WITH_OFFSET.format(taken), taken.toLocalDateTime()));
        }
        return hints(photo).takenAt().map(local -> new AcquisitionTime(DT.format(local), local));
    }

    private static CleanedPhoto.CaptureHints hints(CleanedPhoto photo) {
        return photo.hints() == null ? CleanedPhoto.CaptureHints.none() : photo.hints();
    }

    private static CodedConcept bodySite(PhotoInstance.Code site) {
        if (site == null) {
            throw new IllegalArgumentException("bodySite is required for a VL Photographic Image");
        }
        String scheme;
        if (SNOMED_SYSTEM.equals(site.system())) {
            scheme = CodedConcept.SNOMED_CT;
        } else if (DCM_SYSTEM.equals(site.system())) {
            scheme = CodedConcept.DICOM;
        } else {
            throw new IllegalArgumentException("bodySite.system must be " + SNOMED_SYSTEM + ", was " + site.system());
        }
        String meaning = site.display() == null || site.display().isBlank()
                ? (scheme.equals(CodedConcept.SNOMED_CT) ? "SNOMED CT " : "DICOM ") + site.code()
                : truncateLo(site.display());
        return new CodedConcept(scheme, site.code(), meaning);
    }

    /** Where an identifier's namespace is stated: the OID, UUID or URI of its system. */
    record Issuer(String universalEntityId, String type) {
        static Issuer of(String field, String system) {
            if (system == null || system.isBlank()) {
                throw new IllegalArgumentException(field + " is required");
            }
            if (system.startsWith("urn:oid:")) {
                return new Issuer(system.substring("urn:oid:".length()), "ISO");
            }
            if (system.startsWith("urn:uuid:")) {
                return new Issuer(system.substring("urn:uuid:".length()), "UUID");
            }
            return new Issuer(system, "URI");
        }
    }

    private SequenceAttribute issuerSequence(AttributeTag tag, Issuer issuer) throws DicomException {
        var item = new AttributeList();
        var id = new UnlimitedTextAttribute(DicomTags.UNIVERSAL_ENTITY_ID, charset);
        id.addValue(issuer.universalEntityId());
        item.put(id);
        cs(item, DicomTags.UNIVERSAL_ENTITY_ID_TYPE, issuer.type());
        var sequence = new SequenceAttribute(tag);
        sequence.addItem(item);
        return sequence;
    }

    private SequenceAttribute codeSequence(AttributeTag tag, CodedConcept concept) throws DicomException {
        var sequence = new SequenceAttribute(tag);
        sequence.addItem(codeItem(concept));
        return sequence;
    }

    private AttributeList codeItem(CodedConcept concept) throws DicomException {
        var item = new AttributeList();
        sh(item, TagFromName.CodeValue, concept.codeValue());
        sh(item, TagFromName.CodingSchemeDesignator, concept.codingSchemeDesignator());
        lo(item, TagFromName.CodeMeaning, concept.codeMeaning());
        return item;
    }

    /**
     * The view as an Acquisition Context item (DCM 111031 "Image View" = view code). The VL Image
     * module of the edition our validator checks (2022) has no View Code Sequence; CP-1570 adds
     * one later, and then the same code can go there too.
     */
    private SequenceAttribute acquisitionContext(Optional<ViewVocabulary.View> view) throws DicomException {
        var sequence = new SequenceAttribute(TagFromName.AcquisitionContextSequence);
        if (view.isPresent()) {
            var item = new AttributeList();
            cs(item, TagFromName.ValueType, "CODE");
            item.put(codeSequence(TagFromName.ConceptNameCodeSequence, IMAGE_VIEW));
            item.put(codeSequence(TagFromName.ConceptCodeSequence, view.get().concept()));
            sequence.addItem(item);
        }
        return sequence;
    }

    private static boolean usesScheme(AttributeList list, String scheme) {
        for (Attribute attribute : list.values()) {
            if (attribute instanceof SequenceAttribute sequence) {
                for (int i = 0; i < sequence.getNumberOfItems(); i++) {
                    AttributeList item = sequence.getItem(i).getAttributeList();
                    if (scheme.equals(Attribute.getSingleStringValueOrEmptyString(item, TagFromName.CodingSchemeDesignator))
                            || usesScheme(item, scheme)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // --- pixel checks ------------------------------------------------------------------------------

    private static void checkPixels(CleanedPhoto photo) {
        if (photo.bitsAllocated() != 8 || photo.bitsStored() != 8) {
            throw new IllegalArgumentException("VL Photographic Image needs 8 bits allocated and stored; photo has "
                    + photo.bitsAllocated() + "/" + photo.bitsStored() + " (reduce 16-bit sources when cleaning)");
        }
        String photometric = photo.photometricInterpretation();
        int samples = photo.samplesPerPixel();
        if ((samples == 1) != "MONOCHROME2".equals(photometric) || (samples != 1 && samples != 3)) {
            throw new IllegalArgumentException("photometric interpretation " + photometric + " does not fit "
                    + samples + " samples per pixel");
        }
        if (photo.rows() < 1 || photo.columns() < 1 || photo.rows() > 0xFFFF || photo.columns() > 0xFFFF) {
            throw new IllegalArgumentException("image size " + photo.columns() + "x" + photo.rows()
                    + " is outside what DICOM Rows/Columns can state (1..65535)");
        }
        if (photo.source() == null || photo.lossy() == null) {
            throw new IllegalArgumentException("CleanedPhoto.source and CleanedPhoto.lossy are required");
        }
        if (photo.encoding() == PixelEncoding.JPEG_BASELINE) {
            checkJpeg(photo, photometric, samples);
        } else {
            if (!NATIVE_PHOTOMETRICS.contains(photometric)) {
                throw new IllegalArgumentException("native pixel data must be RGB or MONOCHROME2, was " + photometric);
            }
            long expected = (long) photo.rows() * photo.columns() * samples;
            if (photo.pixelDataLength() != expected) {
                throw new IllegalArgumentException("native pixel data has " + photo.pixelDataLength()
                        + " bytes; " + photo.columns() + "x" + photo.rows() + "x" + samples + " needs " + expected);
            }
        }
    }

    private static void checkJpeg(CleanedPhoto photo, String photometric, int samples) {
        if (!JPEG_PHOTOMETRICS.contains(photometric)) {
            throw new IllegalArgumentException("JPEG pixel data cannot be labelled " + photometric);
        }
        if (!photo.lossy().applied()) {
            throw new IllegalArgumentException("JPEG baseline pixel data is lossy; CleanedPhoto.lossy must say so");
        }
        // The frame header cleaning read: no validator notices a progressive stream labelled as
        // baseline, so this check is ours.
        JpegFrame header = photo.jpegFrame().orElseThrow();
        if (!header.isBaseline()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "JPEG stream is not baseline (SOF marker 0xFF%02X, %d-bit); transcode it when cleaning",
                    header.sofMarker(), header.precision()));
        }
        int components = header.components().size();
        if (header.height() != photo.rows() || header.width() != photo.columns() || components != samples) {
            throw new IllegalArgumentException("JPEG frame is " + header.width() + "x" + header.height() + "x"
                    + components + " but the photo says " + photo.columns() + "x" + photo.rows() + "x" + samples);
        }
        if (samples == 3 && header.chromaSubsampled() != "YBR_FULL_422".equals(photometric)) {
            throw new IllegalArgumentException("JPEG chroma is " + (header.chromaSubsampled() ? "" : "not ")
                    + "subsampled, so the photometric interpretation must be "
                    + (header.chromaSubsampled() ? "YBR_FULL_422" : "YBR_FULL or RGB") + ", was " + photometric);
        }
    }

    // --- values ------------------------------------------------------------------------------------

    /**
     * A short, stable Study ID (SH, 16 characters) for displays and DICOMDIRs that want one: "PB"
     * and a base-36 hash of the Study Instance UID, so every photo of a study carries the same ID.
     */
    static String studyId(String studyInstanceUid) {
        long hash = 0xcbf29ce484222325L; // FNV-1a 64
        for (int i = 0; i < studyInstanceUid.length(); i++) {
            hash ^= studyInstanceUid.charAt(i);
            hash *= 0x100000001b3L;
        }
        return "PB" + Long.toUnsignedString(hash, 36).toUpperCase(Locale.ROOT);
    }

    private static String dicomDate(String isoDate) {
        try {
            return DA.format(LocalDate.parse(isoDate));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("patient.birthDate must be yyyy-MM-dd", e);
        }
    }

    private static String dicomSex(String sex) {
        return switch (sex) {
            case "F", "M", "O" -> sex;
            case "U" -> null;
            default -> throw new IllegalArgumentException("patient.sex must be F, M, O or U");
        };
    }

    private static String decimalString(double value) {
        String text = String.format(Locale.ROOT, "%.2f", value);
        return text.length() <= 16 ? text : String.format(Locale.ROOT, "%.6g", value);
    }

    private static String uid(String field, String uid) {
        if (uid == null || uid.length() > 64 || !uid.matches("[0-2](\\.(0|[1-9][0-9]*))+")) {
            throw new IllegalArgumentException(field + " is not a valid DICOM UID");
        }
        return uid;
    }

    private static List<String> checkedAccessTags(PhotoInstance instance) {
        List<String> tags = instance.accessTags() == null ? List.of() : instance.accessTags();
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("accessTags must name at least one department");
        }
        tags.forEach(tag -> lo("accessTags", tag));
        return tags;
    }

    /** Checks a value against LO (64 characters, no backslash or control characters). */
    private static String lo(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        if (value.length() > 64 || value.chars().anyMatch(c -> c == '\\' || Character.isISOControl(c))) {
            throw new IllegalArgumentException(field + " must be at most 64 characters without backslash or control characters");
        }
        return value;
    }

    private static String checkedPersonName(String field, String value) {
        if (value.chars().anyMatch(c -> c == '\\' || Character.isISOControl(c))) {
            throw new IllegalArgumentException(field + " must not contain backslash or control characters");
        }
        for (String group : value.split("=", -1)) {
            if (group.length() > 64) {
                throw new IllegalArgumentException(field + " must be at most 64 characters per component group");
            }
        }
        return value;
    }

    private static String truncateLo(String value) {
        String clean = value.replace('\\', '/').replaceAll("\\p{Cntrl}", " ").strip();
        return clean.length() <= 64 ? clean : clean.substring(0, 64);
    }

    private static void addValue(Attribute attribute, String value) {
        try {
            attribute.addValue(value);
        } catch (DicomException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static void put(AttributeList list, Attribute attribute, String... values) throws DicomException {
        if (values != null) {
            for (String value : values) {
                if (value != null) {
                    attribute.addValue(value);
                }
            }
        }
        list.put(attribute);
    }

    private static void ui(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new UniqueIdentifierAttribute(tag), value);
    }

    private static void cs(AttributeList list, AttributeTag tag, String... values) throws DicomException {
        put(list, new CodeStringAttribute(tag), values);
    }

    private static void da(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new DateAttribute(tag), value);
    }

    private static void tm(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new TimeAttribute(tag), value);
    }

    private static void dt(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new DateTimeAttribute(tag), value);
    }

    private static void is(AttributeList list, AttributeTag tag, int value) throws DicomException {
        put(list, new IntegerStringAttribute(tag), Integer.toString(value));
    }

    private static void us(AttributeList list, AttributeTag tag, int value) throws DicomException {
        var attribute = new UnsignedShortAttribute(tag);
        attribute.addValue(value);
        list.put(attribute);
    }

    private void lo(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new LongStringAttribute(tag, charset), value);
    }

    private void sh(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new ShortStringAttribute(tag, charset), value);
    }

    private void st(AttributeList list, AttributeTag tag, String value) throws DicomException {
        put(list, new ShortTextAttribute(tag, charset), value);
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
