package org.monailabel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.Params;
import org.monailabel.api.Sample;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.datastore.Preparable;
import org.monailabel.engine.datastore.dicom.DicomFolderSource;
import org.monailabel.engine.datastore.dicom.SeriesDatastore;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.ReadOptions;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.dicom.ExternalTools;
import org.monailabel.testing.Poll;

/**
 * Next samples chosen ahead over a folder of DICOM series (written by pydicom): the choice is
 * prepared (converted) in the background and handed out next, unless it no longer holds.
 */
class SamplesAheadTest {
    static final String OBLIQUE = "1.2.826.0.1.3680043.8.498.2.1";
    static final String SCALED = "1.2.826.0.1.3680043.8.498.2.2";

    @TempDir static Path written;
    @TempDir Path studies;

    @BeforeAll
    static void writeSeries() throws IOException, InterruptedException {
        ExternalTools.assumeCommand(
                "pydicom", NibabelProcess.PYTHON, "-c", "import pydicom, numpy");
        NibabelProcess.run(written, "pydicom_write_series.py", List.of(written.toString()));
    }

    private Datastore open() throws IOException {
        for (String name : List.of("oblique", "scaled")) {
            Path to = Files.createDirectories(studies.resolve(name));
            try (Stream<Path> files = Files.list(written.resolve(name))) {
                for (Path f : files.toList()) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        // converted only when asked (StudiesFolder converts every series in the background)
        return SeriesDatastore.open(
                new DicomFolderSource(studies, List.of(), ReadOptions.defaults()),
                studies.resolve(".cache"),
                new SeriesDatastore.Options(Duration.ZERO, false));
    }

    @Test
    void theChoiceMadeAheadIsPreparedAndHandedOutWhileItHolds() throws Exception {
        try (Datastore datastore = open();
                SamplesAhead ahead =
                        new SamplesAhead(datastore, (Preparable) datastore, Optional::empty)) {
            Preparable preparable = (Preparable) datastore;
            Params params = Params.of(Map.of("client_id", "a"));
            Params sameForAnother = Params.of(Map.of("client_id", "b"));
            assertThat(preparable.isPrepared(SCALED)).isFalse();

            ahead.chooseNext("s", params, (s, p) -> Optional.of(new Sample(SCALED, 1)));
            Poll.until(
                    "SCALED prepared", Duration.ofSeconds(30), () -> preparable.isPrepared(SCALED));
            assertThat(ahead.take("s", sameForAnother)).contains(new Sample(SCALED, 1));
            assertThat(ahead.take("s", params)).as("taken once").isEmpty();

            // another strategy's choice, or other parameters, are their own
            ahead.chooseNext("s", params, (s, p) -> Optional.of(new Sample(OBLIQUE, 1)));
            Poll.until(
                    "OBLIQUE prepared",
                    Duration.ofSeconds(30),
                    () -> preparable.isPrepared(OBLIQUE) && ahead.hasChoice("s", params));
            assertThat(ahead.take("t", params)).isEmpty();
            assertThat(ahead.take("s", Params.of(Map.of("label_tag", "x")))).isEmpty();
            assertThat(ahead.take("s", params)).contains(new Sample(OBLIQUE, 1));

            // handed out meanwhile (through another path) or labeled meanwhile: asked afresh
            chooseAndWait(ahead, params, OBLIQUE);
            ahead.handedOut(OBLIQUE);
            assertThat(ahead.take("s", params)).isEmpty();

            chooseAndWait(ahead, params, OBLIQUE);
            Volume image = ImageIo.read(datastore.imageFile(OBLIQUE));
            Path label = studies.resolve("label-ahead.nii.gz");
            ImageIo.write(
                    Volume.allocate(VoxelType.UINT8, image.affine(), image.shape()),
                    label,
                    WriteOptions.defaults());
            datastore.saveLabel(OBLIQUE, Datastore.FINAL, label, "l.nii.gz", Map.of());
            Files.delete(label);
            assertThat(ahead.take("s", params)).isEmpty();
        }
    }

    @Test
    void aScoringRunMeanwhileVoidsTheChoice() throws Exception {
        AtomicReference<Optional<String>> scoring = new AtomicReference<>(Optional.of("job-1"));
        try (Datastore datastore = open();
                SamplesAhead ahead =
                        new SamplesAhead(datastore, (Preparable) datastore, scoring::get)) {
            Params params = Params.empty();
            chooseAndWait(ahead, params, SCALED);
            scoring.set(Optional.of("job-2"));
            assertThat(ahead.take("s", params)).isEmpty();

            chooseAndWait(ahead, params, SCALED);
            assertThat(ahead.take("s", params)).contains(new Sample(SCALED, 1));
        }
    }

    /** Chooses {@code id} ahead and waits until the choice is recorded. */
    private static void chooseAndWait(SamplesAhead ahead, Params params, String id) {
        ahead.chooseNext("s", params, (s, p) -> Optional.of(new Sample(id, 1)));
        Poll.until("the choice made", Duration.ofSeconds(30), () -> ahead.hasChoice("s", params));
    }
}
