package org.monailabel.engine.datastore.dicom;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.monailabel.api.Datastore;
import org.monailabel.engine.datastore.CompositeDatastore;
import org.monailabel.engine.datastore.LocalDatastore;
import org.monailabel.engine.io.ReadOptions;

/**
 * Opens a studies folder as {@code --studies DIR} serves it: its image files (NIfTI, NRRD) as a
 * {@link LocalDatastore}, and, when the folder holds DICOM Part 10 files at any depth, each of
 * their series as an image too ({@link SeriesDatastore}, id = {@code SeriesInstanceUID}; volumes
 * and labels of series in {@value #DICOM_CACHE} inside the folder).
 */
public final class StudiesFolder {
    /** The folder, inside the studies folder, that keeps converted series and their labels. */
    public static final String DICOM_CACHE = ".monailabel-dicom";

    /** How often a watched folder is listed again for DICOM files added or removed. */
    static final Duration RESCAN = Duration.ofSeconds(30);

    private StudiesFolder() {}

    /** Opens the folder; {@code watch} follows files added or removed while running. */
    public static Datastore open(Path studies, boolean watch) throws IOException {
        LocalDatastore files =
                LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(watch));
        try {
            Path root = files.studies();
            List<Path> excluded =
                    List.of(files.labelsDir(), root.resolve(DICOM_CACHE), files.historyDir());
            if (!DicomFolderSource.holdsDicom(root, excluded)) {
                return files;
            }
            SeriesDatastore series =
                    SeriesDatastore.open(
                            new DicomFolderSource(root, excluded, ReadOptions.defaults()),
                            root.resolve(DICOM_CACHE),
                            new SeriesDatastore.Options(watch ? RESCAN : Duration.ZERO, true));
            return new CompositeDatastore(List.of(files, series));
        } catch (IOException | RuntimeException e) {
            files.close();
            throw e;
        }
    }
}
