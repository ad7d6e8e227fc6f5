package org.monailabel.engine.sample;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.datastore.dicom.DicomLabels;
import org.monailabel.engine.io.dicom.DicomSeriesWriter;
import org.monailabel.engine.io.dicom.ReferencedSeries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The phantom studies as DICOM, for a PACS demo: {@code DIR/series/<id>/slice0000.dcm...} (one CT
 * series per phantom, each its own patient and study, explicit VR little endian) and {@code
 * DIR/ground_truth/<id>_seg.dcm} (its ground truth as a binary DICOM SEG referencing the series'
 * slices, one segment per organ present), and {@code DIR/ground_truth/studies.json} (per id: the
 * patient, study and series UIDs), written last. The anatomy is that of {@link SampleStudies} with
 * the same seed; the UIDs are new on each run. Load {@code series/} into a PACS to annotate, and
 * {@code ground_truth/} too to start with every study labeled.
 */
public final class DicomSampleStudies {
    private static final Logger logger = LoggerFactory.getLogger(DicomSampleStudies.class);

    /** The sub-folder of the series. */
    public static final String SERIES = "series";

    /** The file listing what was written, last. */
    public static final String STUDIES_FILE = "studies.json";

    private DicomSampleStudies() {}

    /** Generates {@code count} phantoms as DICOM series with SEG ground truth; their ids. */
    public static List<String> generate(Path dir, int count, long seed) throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("Generate at least one study");
        }
        Path series = Files.createDirectories(dir.resolve(SERIES));
        Path truth = Files.createDirectories(dir.resolve(SampleStudies.GROUND_TRUTH));
        Map<String, Integer> labels = PhantomGenerator.LABELS;
        Map<String, Object> names = new LinkedHashMap<>(labels);
        Map<String, Object> written = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            String id = SampleStudies.id(i);
            PhantomGenerator.Phantom p = PhantomGenerator.generate(id, seed + i);
            ReferencedSeries.PatientStudy patient =
                    new ReferencedSeries.PatientStudy(
                            "Phantom^" + String.format(Locale.ROOT, "%03d", i),
                            id,
                            "",
                            "O",
                            "20261204",
                            "120000",
                            Integer.toString(i + 1),
                            "",
                            "",
                            "MONAI Label phantom CT",
                            "");
            ReferencedSeries ref =
                    new DicomSeriesWriter(
                                    DicomSeriesWriter.Options.of(patient)
                                            .withSeries("Phantom CT " + id, 1))
                            .write(p.image(), series.resolve(id));
            Volume label = p.label();
            DicomLabels.writeSeg(
                    label,
                    ref,
                    DicomLabels.segments(label, Map.of("label_names", names)),
                    "Ground truth " + id,
                    truth.resolve(id + "_seg.dcm"));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("patient_id", id);
            entry.put("study_instance_uid", ref.studyInstanceUid());
            entry.put("series_instance_uid", ref.seriesInstanceUid());
            entry.put("slices", ref.sopInstanceUids().size());
            written.put(id, entry);
            ids.add(id);
        }
        Path list = truth.resolve(STUDIES_FILE);
        Path tmp = truth.resolve("." + STUDIES_FILE + ".tmp");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("labels", labels);
        json.put("studies", written);
        Files.writeString(
                tmp,
                new GsonBuilder().setPrettyPrinting().create().toJson(json),
                StandardCharsets.UTF_8);
        Files.move(tmp, list, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        logger.info(
                "Generated {} phantom DICOM series with SEG ground truth in {} ({} s)",
                count,
                dir,
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return ids;
    }
}
