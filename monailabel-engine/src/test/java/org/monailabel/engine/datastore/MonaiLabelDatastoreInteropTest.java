package org.monailabel.engine.datastore;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.api.Datastore;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.api.image.VoxelType;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.WriteOptions;
import org.monailabel.engine.io.dicom.ExternalTools;

/**
 * Compatibility with MONAI Label's own datastore code, both ways: its {@code LocalDatastore}
 * (vendored unmodified in {@code interop/monailabel_upstream}, see its PROVENANCE.md, run by {@code
 * interop/monailabel_datastore.py} under Debian's Python with python3-filelock, python3-pydantic
 * and python3-watchdog) reads a folder this server wrote, after saves, deletes, info updates and a
 * crash, and sees the same images, labels and info; and this server opens a folder MONAI Label's
 * code wrote. Skipped without those packages (failed in CI).
 */
class MonaiLabelDatastoreInteropTest {
    static Path upstream;
    @TempDir Path dir;

    @BeforeAll
    static void findUpstream() throws URISyntaxException {
        ExternalTools.assumeCommand(
                "MONAI Label's datastore dependencies",
                NibabelProcess.PYTHON,
                "-c",
                "import filelock, pydantic, watchdog");
        upstream =
                Path.of(
                        MonaiLabelDatastoreInteropTest.class
                                .getResource("/interop/monailabel_upstream")
                                .toURI());
    }

    private JsonObject monaiLabel(String... args) throws IOException, InterruptedException {
        Path out = dir.resolve("view-" + System.nanoTime() + ".json");
        List<String> all = new java.util.ArrayList<>();
        all.add(args[0]);
        all.add(upstream.toString());
        for (int i = 1; i < args.length; i++) {
            all.add(args[i].equals("OUT") ? out.toString() : args[i]);
        }
        NibabelProcess.run(Files.createTempDirectory(dir, "py"), "monailabel_datastore.py", all);
        return JsonParser.parseString(Files.readString(out)).getAsJsonObject();
    }

    private Path nifti(String name, int fill) throws IOException {
        Volume v = Volume.allocate(VoxelType.UINT8, Affine.diagonal(1.5, 1.5, 2), 4, 3, 2);
        v.set(1, fill);
        Path file = dir.resolve(name);
        ImageIo.write(v, file, WriteOptions.defaults());
        return file;
    }

    private static Map<String, Object> map(Object o) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) o;
        return m;
    }

    @Test
    void monaiLabelReadsAFolderThisServerWroteAfterChangesAndACrash() throws Exception {
        Path studies = Files.createDirectories(dir.resolve("studies"));
        LocalDatastore ds =
                LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(false));
        ds.addImage("img_a", nifti("a.nii.gz", 1), "a.nii.gz", Map.of("client_id", "java"));
        ds.addImage("img_b", nifti("b.nii.gz", 2), "b.nii.gz", Map.of());
        ds.addImage("img_c", nifti("c.nii.gz", 3), "c.nii.gz", Map.of());
        ds.saveLabel(
                "img_a",
                Datastore.FINAL,
                nifti("la.nii.gz", 1),
                "la.nii.gz",
                Map.of("label_info", List.of(Map.of("name", "spleen", "idx", 1))));
        ds.saveLabel(
                "img_b",
                Datastore.ORIGINAL,
                nifti("lb.nii.gz", 1),
                "lb.nii.gz",
                Map.of("model", "seg"));
        ds.saveLabel("img_c", Datastore.FINAL, nifti("lc.nii.gz", 1), "lc.nii.gz", Map.of());
        ds.updateImageInfo("img_b", Map.of("epistemic_entropy", 0.25));
        ds.updateLabelInfo("img_a", Datastore.FINAL, Map.of("reviewed", true));
        ds.removeLabel("img_c", Datastore.FINAL);
        ds.removeImage("img_c");

        // a crash: the folder as the disk holds it now, the datastore never closed
        Path crashed = copy(studies, dir.resolve("crashed"));
        JsonObject reconciled = monaiLabel("read", crashed.toString(), "OUT", "--reconcile");
        assertThat(reconciled.getAsJsonObject("images").keySet()).containsExactly("img_a", "img_b");
        assertThat(reconciled.getAsJsonArray("labeled_final").toString()).isEqualTo("[\"img_a\"]");

        // after a restart of this server on the crashed folder (its journal replayed), MONAI Label
        // sees every change, info included, from datastore_v2.json alone
        LocalDatastore.open(crashed, LocalDatastore.Options.defaults().withWatch(false)).close();
        ds.close();
        for (Path folder : List.of(crashed, studies)) {
            JsonObject view = monaiLabel("read", folder.toString(), "OUT");
            JsonObject images = view.getAsJsonObject("images");
            assertThat(images.keySet()).as("%s", folder).containsExactly("img_a", "img_b");
            JsonObject a = images.getAsJsonObject("img_a");
            assertThat(a.getAsJsonObject("info").get("client_id").getAsString()).isEqualTo("java");
            assertThat(a.get("uri").getAsString()).endsWith("img_a.nii.gz");
            JsonObject aFinal = a.getAsJsonObject("labels").getAsJsonObject("final");
            assertThat(aFinal.getAsJsonObject("info").get("reviewed").getAsBoolean()).isTrue();
            assertThat(aFinal.getAsJsonObject("info").getAsJsonArray("label_info").toString())
                    .contains("spleen");
            assertThat(Path.of(aFinal.get("uri").getAsString())).isRegularFile();
            JsonObject b = images.getAsJsonObject("img_b");
            assertThat(b.getAsJsonObject("info").get("epistemic_entropy").getAsDouble())
                    .isEqualTo(0.25);
            assertThat(b.getAsJsonObject("labels").keySet()).containsExactly("original");
            assertThat(view.getAsJsonArray("labeled_final").toString()).isEqualTo("[\"img_a\"]");
            assertThat(view.getAsJsonArray("unlabeled_final").toString()).isEqualTo("[\"img_b\"]");
        }
    }

    @Test
    void thisServerOpensAFolderMonaiLabelWrote() throws Exception {
        Path studies = dir.resolve("written-by-monailabel");
        JsonObject written =
                monaiLabel(
                        "write",
                        studies.toString(),
                        nifti("src.nii.gz", 5).toString(),
                        nifti("srclabel.nii.gz", 1).toString(),
                        "OUT");
        assertThat(written.getAsJsonObject("images").keySet()).containsExactly("img_a", "img_b");
        try (LocalDatastore ds =
                LocalDatastore.open(studies, LocalDatastore.Options.defaults().withWatch(false))) {
            assertThat(ds.imageIds()).containsExactlyInAnyOrder("img_a", "img_b");
            assertThat(ds.labeledImageIds(Datastore.FINAL)).containsExactly("img_a");
            assertThat(ds.unlabeledImageIds(Datastore.FINAL)).containsExactly("img_b");
            assertThat(ds.labelTags("img_b")).containsExactly(Datastore.ORIGINAL);
            assertThat(ds.imageInfo("img_a")).containsEntry("client_id", "python");
            assertThat(ds.imageInfo("img_b")).containsEntry("epistemic_entropy", 0.25);
            Map<String, Object> label = ds.labelInfo("img_a", Datastore.FINAL).orElseThrow();
            assertThat(label).containsEntry("reviewed", true);
            assertThat(label.get("label_info").toString()).contains("spleen");
            assertThat(ImageIo.read(ds.imageFile("img_a")).get(1)).isEqualTo(5);
            assertThat(ImageIo.read(ds.labelFile("img_a", Datastore.FINAL).orElseThrow()).get(1))
                    .isEqualTo(1);
            assertThat(ds.hasImage("img_c")).isFalse();
            // and a change made here is still read by MONAI Label afterwards
            ds.updateImageInfo("img_b", Map.of("from_java", "yes"));
        }
        JsonObject back = monaiLabel("read", studies.toString(), "OUT");
        assertThat(
                        back.getAsJsonObject("images")
                                .getAsJsonObject("img_b")
                                .getAsJsonObject("info")
                                .get("from_java")
                                .getAsString())
                .isEqualTo("yes");
    }

    private static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else if (!f.getFileName().toString().equals(".lock")) {
                    Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }
}
