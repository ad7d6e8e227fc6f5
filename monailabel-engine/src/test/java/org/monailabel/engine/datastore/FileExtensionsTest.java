package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileExtensionsTest {
    @ParameterizedTest(name = "{0} -> ''{1}''")
    @CsvSource(
            delimiter = '|',
            value = {
                "spleen_10.nii.gz|.nii.gz",
                "x.nii|.nii",
                "x.nrrd|.nrrd",
                "x.seg.nrrd|.nrrd",
                "1.2.3.nii.gz|.nii.gz",
                "x.jpg|.jpg",
                "x.png|.png",
                "x.tif|.tif",
                "x.svs|.svs",
                "label.xml|.xml",
                "slice.dcm|.dcm",
                "1.2.840.113619.dcm|.dcm",
                "label.bin|.bin",
                "archive.tar.gz|.gz",
                "noext|",
                "trailingdot.|",
                "x.averyveryverylongsuffix|",
                "/home/user/data/CT chest 2.nii.gz|.nii.gz",
                "C:\\Users\\me\\Desktop\\spleen.seg.nrrd|.nrrd",
                "C:\\Users\\me\\scan.dcm|.dcm",
                "dir.v2/noext|",
                "X.NII.GZ|.GZ",
            })
    void extensionFollowsMonaiLabel(String sourceName, String expected) {
        assertThat(FileExtensions.extensionOf(sourceName))
                .isEqualTo(expected == null ? "" : expected);
    }

    @ParameterizedTest(name = "{0} -> ''{1}''")
    @CsvSource(
            delimiter = '|',
            value = {
                "spleen_10.nii.gz|spleen_10",
                "CT chest 2.nii.gz|CT chest 2",
                "x.seg.nrrd|x.seg",
                "1.2.3.nii|1.2.3",
                "slice.dcm|",
                "notes.txt|",
                ".hidden.nii.gz|",
                ".nii.gz|",
                ".monailabel-tmp-1234|",
            })
    void scannedIdIsNameMinusRecognisedExtension(String fileName, String expected) {
        assertThat(FileExtensions.idOf(fileName)).isEqualTo(Optional.ofNullable(expected));
    }
}
