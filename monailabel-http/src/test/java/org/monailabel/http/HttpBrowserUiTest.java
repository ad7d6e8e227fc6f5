package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.monailabel.api.image.Affine;
import org.monailabel.api.image.Volume;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.io.ImageIo;
import org.monailabel.engine.io.NibabelProcess;
import org.monailabel.engine.io.dicom.ExternalTools;

/**
 * The annotation page at {@code /ui/} in a real browser: Debian's headless Chromium driven by
 * Selenium ({@code interop/browser_ui.py}) against a running server, without and with
 * authentication (then the page signs in itself, as an admin, to train). It asks for the next
 * sample, waits for the image drawn, steps two slices down with the arrow keys, paints a stroke
 * with a one-voxel brush at known pixels of the axial canvas, erases a voxel of it and undoes that,
 * and submits; the label the server stored has exactly the voxels under those pixels set, where the
 * page's documented mapping puts them (patient right on the screen's left, anterior up: both voxel
 * axes of this image run the other way, so both are flipped), with the image's affine, and the
 * browser console has no errors or warnings. Then training on it runs to its end on the chart, and
 * a submit after another client saved is refused (409) and reported, leaving the other's label;
 * reopening the study loads that label with its ETag, and submitting it again succeeds; once a
 * reviewer approved it, the reloaded page lists it as approved. Skipped without Chromium,
 * chromedriver or python3-selenium (failed in CI).
 */
class HttpBrowserUiTest {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @TempDir Path root;

    @ParameterizedTest(name = "authentication {0}")
    @ValueSource(booleans = {false, true})
    void aStrokePaintedInTheBrowserIsSavedAtTheVoxelsUnderIt(boolean signedIn) throws Exception {
        ExternalTools.assumeCommand("chromium", CHROMIUM, "--version");
        ExternalTools.assumeCommand("chromedriver", CHROMEDRIVER, "--version");
        ExternalTools.assumeCommand(
                "python3-selenium", NibabelProcess.PYTHON, "-c", "import selenium.webdriver");
        // i runs to patient Right, j to Anterior (NIfTI's RAS): both against the screen's axes
        Affine affine = Affine.of(0.8, 0, 0, -8, 0, 0.8, 0, -6, 0, 0, 2.5, -12, 0, 0, 0, 1);
        Volume image = TestImages.image(1).withAffine(affine);
        Path studies = Files.createDirectories(root.resolve("studies"));
        TestImages.write(image, studies.resolve("ct1.nii.gz"));
        int[] shape = TestImages.SHAPE; // 20 x 16 x 10, 0.8 x 0.8 x 2.5 mm
        // the page's mapping: zoom = floor(320 / 25 mm) = 12 px/mm; a voxel is round(12 * 0.8) =
        // 10 px square on the axial canvas (200 x 160)
        int zoom = (int) Math.floor(320 / Math.max(shape[0] * 0.8, shape[2] * 2.5));
        int px = (int) Math.round(zoom * 0.8);
        assertThat(px).isEqualTo(10);
        int slice = shape[2] / 2 - 2; // opens at the middle slice, two ArrowDown
        int row = 7;
        int x0 = 3 * px + px / 2;
        int x1 = 9 * px + px / 2;
        int y = row * px + px / 2;
        Set<List<Integer>> expected = new TreeSet<>(HttpBrowserUiTest::compare);
        for (int u = 3; u <= 9; u++) {
            // screen left is patient right: i = n-1-u as i runs to R; up is anterior: j likewise
            expected.add(List.of(shape[0] - 1 - u, shape[1] - 1 - row, slice));
        }

        Path other =
                TestImages.write(TestImages.truth(1).withAffine(affine), root.resolve("o.nii.gz"));
        List<String> credentials = List.of();
        Consumer<ServerConfig.Builder> config = b -> {};
        if (signedIn) { // the page signs in itself; training needs an admin
            Path users = root.resolve("users.json");
            Authentication.addUser(
                    users, "admin1", "admin", "admin-password".toCharArray(), "a@example.org", "A");
            credentials = List.of("admin1", "admin-password");
            config = b -> b.users(users);
        }
        try (TestServer server = TestServer.start(root, config)) {
            Path out = root.resolve("browser.json");
            List<String> args = new ArrayList<>();
            args.addAll(
                    List.of(
                            server.uri("/").toString(),
                            out.toString(),
                            "-2",
                            Integer.toString(x0),
                            Integer.toString(y),
                            Integer.toString(x1),
                            Integer.toString(y),
                            other.toString(),
                            probes(row, slice, px).keySet().toString()));
            args.addAll(credentials);
            NibabelProcess.run(Files.createTempDirectory(root, "py"), "browser_ui.py", args);
            JsonObject result = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
            assertThat(result.get("image").getAsString()).isEqualTo("ct1");
            assertThat(result.getAsJsonArray("canvas").toString()).isEqualTo("[200,160]");
            assertThat(result.get("painted").getAsBoolean()).as("overlay drawn").isTrue();
            assertThat(result.get("erased").getAsBoolean()).as("eraser").isTrue();
            assertThat(result.get("undone").getAsBoolean()).as("undo").isTrue();
            List<Boolean> probed = new ArrayList<>();
            result.getAsJsonArray("probes").forEach(e -> probed.add(e.getAsBoolean()));
            assertThat(probed)
                    .as("overlay at %s", probes(row, slice, px).keySet())
                    .containsExactlyElementsOf(probes(row, slice, px).values());
            assertThat(result.get("lit").getAsInt()).as("lit axial pixels").isGreaterThan(1000);
            assertThat(result.get("slice").getAsString()).contains(", " + slice);
            assertThat(result.get("status").getAsString()).startsWith("Saved the label of ct1");
            List<String> errors = new ArrayList<>();
            for (JsonElement e : result.getAsJsonArray("console")) {
                JsonObject entry = e.getAsJsonObject();
                if (!entry.get("level").getAsString().equals("INFO")) {
                    errors.add(entry.toString());
                }
            }
            assertThat(errors).as("browser console").isEmpty();
            assertThat(result.get("state").getAsString()).isEqualTo("saved");
            // training on the saved label ran to its end, its epochs on the chart
            assertThat(result.get("train").getAsString()).startsWith("DONE");
            assertThat(result.get("points").getAsInt()).isPositive();
            // a label saved meanwhile by another client is not overwritten, and the page says so
            assertThat(result.get("conflict").getAsString())
                    .startsWith("Not saved")
                    .contains("409");
            assertThat(result.get("reloaded").getAsString()).startsWith("ct1:");
            assertThat(result.get("resaved").getAsString()).startsWith("Saved the label of ct1");
            for (JsonElement e : result.getAsJsonArray("console_after")) {
                String message = e.getAsJsonObject().get("message").getAsString();
                assertThat(message)
                        .as("console after the conflict")
                        .contains("datastore/label", "409");
            }
            assertThat(result.get("reviewed").getAsString()).isEqualTo("approved");
            assertThat(result.getAsJsonArray("console_end")).as("console after reload").isEmpty();
            Path saved = studies.resolve("labels").resolve("final").resolve("ct1.nii.gz");
            assertThat(TestImages.dice(ImageIo.read(saved), TestImages.truth(1))).isEqualTo(1.0);

            // the page's save: version 1 of the label's history
            Path version1 = root.resolve("first.nii.gz");
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(
                            server.uri("/datastore/label?label=ct1&tag=final&version=1"));
            if (signedIn) {
                request.header("Authorization", server.authorization("admin1", "admin-password"));
            }
            HttpResponse<byte[]> v1 =
                    HttpClient.newHttpClient()
                            .send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(v1.statusCode()).isEqualTo(200);
            Files.write(version1, v1.body());
            Volume label = ImageIo.read(version1);
            assertThat(label.shape()).containsExactly(shape);
            // the image's affine exactly, as its file has it (float32)
            assertThat(label.affine().toArray())
                    .containsExactly(
                            ImageIo.read(studies.resolve("ct1.nii.gz")).affine().toArray());
            Set<List<Integer>> painted = new TreeSet<>(HttpBrowserUiTest::compare);
            double value = 0;
            for (int k = 0; k < shape[2]; k++) {
                for (int j = 0; j < shape[1]; j++) {
                    for (int i = 0; i < shape[0]; i++) {
                        double v = label.get(i, j, k);
                        if (v != 0) {
                            painted.add(List.of(i, j, k));
                            value = v;
                        }
                    }
                }
            }
            assertThat(painted).isEqualTo(expected);
            assertThat(value).isEqualTo(1);
            // left to right on the screen is patient right to left: R decreases along the stroke
            double[] first = affine.apply(shape[0] - 1 - 3, shape[1] - 1 - row, slice);
            double[] last = affine.apply(shape[0] - 1 - 9, shape[1] - 1 - row, slice);
            assertThat(first[0]).isGreaterThan(last[0]);
        }
    }

    /**
     * Pixels of the coronal and sagittal canvases, as JSON arrays, and whether the stroke (voxels i
     * = 10..16, j = 15 - row, k = slice, with the cross-hair at i = 10, j = 8, k = slice) tints
     * them. Coronal (through j = 8 = 15 - 7): columns as on the axial view, superior up, a voxel 30
     * px high (round(12 * 2.5)): row 9 - k. Sagittal (through i = 10): anterior on the left, so
     * column 15 - j; superior up.
     */
    private static Map<String, Boolean> probes(int row, int slice, int px) {
        int j = TestImages.SHAPE[1] - 1 - row;
        assertThat(j).isEqualTo(TestImages.SHAPE[1] / 2); // the coronal view goes through it
        int py = (int) Math.round(12 * 2.5);
        int y = (TestImages.SHAPE[2] - 1 - slice) * py + py / 2 - 5; // off the cross-hair
        Map<String, Boolean> probes = new LinkedHashMap<>();
        probes.put("[\"coronal\", " + (6 * px + 2) + ", " + y + "]", true);
        probes.put("[\"coronal\", " + (6 * px + 2) + ", " + (y - 2 * py) + "]", false);
        probes.put("[\"coronal\", " + (1 * px + 2) + ", " + y + "]", false);
        int u = TestImages.SHAPE[1] - 1 - j; // sagittal column of j
        probes.put("[\"sagittal\", " + (u * px + 2) + ", " + y + "]", true);
        probes.put("[\"sagittal\", " + ((u - 2) * px + 2) + ", " + y + "]", false);
        probes.put("[\"sagittal\", " + (u * px + 2) + ", " + (y + py) + "]", false);
        return probes;
    }

    private static int compare(List<Integer> a, List<Integer> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = Integer.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
