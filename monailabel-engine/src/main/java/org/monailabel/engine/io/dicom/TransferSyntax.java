package org.monailabel.engine.io.dicom;

import java.util.Map;
import org.monailabel.engine.io.InvalidImageException;

/**
 * The transfer syntaxes (PS3.5 section 10, PS3.6 annex A) the parser knows by name, and which of
 * them it reads. Only the uncompressed little-endian syntaxes (and their deflated variant) are
 * read; big endian and every encapsulated (compressed) syntax are refused with the syntax named.
 */
public enum TransferSyntax {
    IMPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false),
    EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false),
    DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN(
            "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, true);

    /** Syntaxes we recognise but do not read, by UID. */
    private static final Map<String, String> UNSUPPORTED =
            Map.ofEntries(
                    Map.entry("1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)"),
                    Map.entry("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)"),
                    Map.entry("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)"),
                    Map.entry("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical"),
                    Map.entry(
                            "1.2.840.10008.1.2.4.70",
                            "JPEG Lossless, Non-Hierarchical, First-Order Prediction"),
                    Map.entry("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
                    Map.entry("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)"),
                    Map.entry("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless)"),
                    Map.entry("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression"),
                    Map.entry("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 (Lossless)"),
                    Map.entry("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2"),
                    Map.entry("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level"),
                    Map.entry("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile"),
                    Map.entry("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless)"),
                    Map.entry("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000"),
                    Map.entry("1.2.840.10008.1.2.5", "RLE Lossless"));

    private final String uid;
    private final String title;
    private final boolean explicitVr;
    private final boolean deflated;

    TransferSyntax(String uid, String title, boolean explicitVr, boolean deflated) {
        this.uid = uid;
        this.title = title;
        this.explicitVr = explicitVr;
        this.deflated = deflated;
    }

    public String uid() {
        return uid;
    }

    /** The syntax's name in PS3.6, e.g. {@code Explicit VR Little Endian}. */
    public String title() {
        return title;
    }

    public boolean explicitVr() {
        return explicitVr;
    }

    /** Whether the dataset after the file meta information is a raw deflate stream. */
    public boolean deflated() {
        return deflated;
    }

    /**
     * The readable syntax of a UID.
     *
     * @throws InvalidImageException for any other UID, naming it (and its title when known)
     */
    public static TransferSyntax of(String uid) throws InvalidImageException {
        for (TransferSyntax ts : values()) {
            if (ts.uid.equals(uid)) {
                return ts;
            }
        }
        String known = UNSUPPORTED.get(uid);
        String name = known != null ? known : "unknown transfer syntax";
        throw new InvalidImageException(
                "DICOM transfer syntax "
                        + uid
                        + " ("
                        + name
                        + ") is not supported; ask the PACS (or converter) for Explicit VR Little"
                        + " Endian (1.2.840.10008.1.2.1)");
    }
}
