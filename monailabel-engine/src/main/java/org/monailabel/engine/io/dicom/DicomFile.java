package org.monailabel.engine.io.dicom;

import java.util.Objects;

/**
 * A parsed DICOM Part 10 file: its File Meta Information (group 0002), the transfer syntax the
 * dataset was encoded in, and the dataset. Immutable.
 */
public record DicomFile(DicomDataset meta, TransferSyntax transferSyntax, DicomDataset dataset) {
    public DicomFile {
        Objects.requireNonNull(meta, "meta");
        Objects.requireNonNull(transferSyntax, "transferSyntax");
        Objects.requireNonNull(dataset, "dataset");
    }
}
