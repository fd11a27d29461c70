package org.photobridge.gateway.intake;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.photobridge.gateway.dicom.ProtocolVocabulary;
import org.photobridge.gateway.dicom.ViewVocabulary;

class CaptureProtocolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The parser the upload uses, with the real vocabularies (as IntakeBeans wires it). */
    private static final MetadataParser UPLOAD = new MetadataParser(JSON, c -> ViewVocabulary.find(c).isPresent(),
            "", c -> ProtocolVocabulary.find(c).isPresent(), "", Clock.systemUTC());

    @Test
    void builtInFileHasTheIssuesProtocols() {
        var protocols = CaptureProtocols.load(Optional.empty(), JSON);
        assertEquals(List.of("breast-5-view", "breast-10-view", "abdomen-4-view", "face-5-view", "free-capture"),
                protocols.all().stream().map(CaptureProtocols.Protocol::code).toList());
        assertEquals(5, protocols.find("breast-5-view").orElseThrow().views().size());
        assertEquals(10, protocols.find("breast-10-view").orElseThrow().views().size());
        assertEquals(4, protocols.find("abdomen-4-view").orElseThrow().views().size());
        assertEquals(List.of("anterior", "right-oblique-45", "right-lateral", "left-oblique-45", "left-lateral"),
                protocols.find("face-5-view").orElseThrow().views().stream().map(CaptureProtocols.View::view).toList());
        assertTrue(protocols.find("free-capture").orElseThrow().views().isEmpty());
    }

    @Test
    void everyViewUploadsWithMetadataTheUploadAccepts() throws Exception {
        for (var protocol : CaptureProtocols.load(Optional.empty(), JSON).all()) {
            for (var view : protocol.views()) {
                ObjectNode metadata = (ObjectNode) JSON.readTree(Uploads.metadata("MRN-P", "ENC-P"));
                metadata.set("bodySite", JSON.valueToTree(view.bodySite()));
                metadata.put("view", view.view());
                metadata.put("laterality", view.laterality());
                if (protocol.metadataProtocol() == null) {
                    metadata.remove("protocol");
                } else {
                    metadata.put("protocol", protocol.metadataProtocol());
                }
                var parsed = assertDoesNotThrow(() -> UPLOAD.parse(metadata.toString()),
                        protocol.code() + "/" + view.id());
                assertEquals(view.bodySite().code(), parsed.bodySite().code());
                assertEquals(Optional.of(view.view()), parsed.view());
            }
        }
    }

    @Test
    void aFileWithAViewTheUploadWouldRefuseStopsStartUp(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("protocols.json");
        Files.writeString(file, """
                {"protocols": [{"code": "hand-2-view", "name": "Hand", "description": "", "metadataProtocol": null,
                  "views": [{"id": "dorsal", "label": "Dorsal", "view": "dorsal", "laterality": "L",
                             "bodySite": {"system": "http://snomed.info/sct", "code": "85562005"}, "instruction": ""},
                            {"id": "dorsal", "label": "Palmar", "view": "anterior", "laterality": "X",
                             "bodySite": {"system": "http://snomed.info/sct", "code": "85562004"}, "instruction": ""}]}]}
                """, StandardCharsets.UTF_8);
        var e = assertThrows(IllegalStateException.class, () -> CaptureProtocols.load(Optional.of(file.toString()), JSON));
        assertTrue(e.getMessage().contains("view 'dorsal': view must be one of"), e.getMessage());
        assertTrue(e.getMessage().contains("id appears twice"), e.getMessage());
        assertTrue(e.getMessage().contains("laterality must be one of"), e.getMessage());
        assertTrue(e.getMessage().contains("bodySite must be a SNOMED CT concept"), e.getMessage());
    }

    @Test
    void aReplacementFileIsUsedInsteadOfTheBuiltIn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("protocols.json");
        Files.writeString(file, """
                {"protocols": [{"code": "hand-1-view", "name": "Hand", "description": "dorsum",
                  "metadataProtocol": null, "views": [{"id": "dorsal", "label": "Dorsal", "view": "anterior",
                  "laterality": "L", "bodySite": {"system": "http://snomed.info/sct", "code": "85562004",
                  "display": "Hand"}, "instruction": "back of the hand"}]}]}
                """, StandardCharsets.UTF_8);
        var protocols = CaptureProtocols.load(Optional.of(file.toString()), JSON);
        assertEquals(List.of("hand-1-view"), protocols.all().stream().map(CaptureProtocols.Protocol::code).toList());
    }
}
