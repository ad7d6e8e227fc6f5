package org.monailabel.engine.model.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.monailabel.api.error.InvalidInputException;

/**
 * What a {@code PUT /model/{model}} upload is: a MONAI bundle zip (its {@code models/model.ts} is
 * the network; its configs must be the served bundle's), a TorchScript file (a zip archive holding
 * {@code data.pkl} and {@code code/}), or weights for the model's current card.
 */
public final class UploadedWeights {
    /** The kinds of upload. */
    public enum Kind {
        /** A bundle zip. */
        BUNDLE,
        /** A TorchScript module. */
        TORCHSCRIPT,
        /** Anything else: weights for the current card. */
        WEIGHTS
    }

    private UploadedWeights() {}

    /** Tells what an uploaded file is, by its content. */
    public static Kind kindOf(Path file) throws IOException {
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4 || head[0] != 'P' || head[1] != 'K') {
                return Kind.WEIGHTS;
            }
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            boolean pickle = false;
            boolean code = false;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.endsWith("models/model.ts")) {
                    return Kind.BUNDLE;
                }
                pickle |= name.endsWith("data.pkl");
                code |= name.contains("/code/") || name.startsWith("code/");
            }
            return pickle && code ? Kind.TORCHSCRIPT : Kind.WEIGHTS;
        } catch (ZipException e) {
            return Kind.WEIGHTS;
        }
    }

    /**
     * The network of a bundle zip, written to {@code target}, after checking that the zip's configs
     * say what the served bundle's say ({@code served} empty: the model is not a bundle, and a
     * bundle zip is refused, since its configs would not be the ones applied).
     *
     * @throws InvalidInputException if the zip has no network, or other configs than the served
     *     bundle
     */
    public static Path bundleNetwork(
            Path zip, Optional<BundleSpec> served, String model, Path target) throws IOException {
        if (served.isEmpty()) {
            throw new InvalidInputException(
                    "Model '"
                            + model
                            + "' is not a bundle: upload the bundle's models/model.ts to serve that"
                            + " network with this model's own pre-processing");
        }
        try (ZipFile file = new ZipFile(zip.toFile())) {
            ZipEntry network = null;
            ZipEntry inference = null;
            ZipEntry metadata = null;
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().endsWith("models/model.ts")) {
                    network = e;
                } else if (e.getName().endsWith("configs/inference.json")) {
                    inference = e;
                } else if (e.getName().endsWith("configs/metadata.json")) {
                    metadata = e;
                }
            }
            if (network == null || inference == null || metadata == null) {
                throw new InvalidInputException(
                        "The uploaded bundle lacks models/model.ts, configs/inference.json"
                                + " or configs/metadata.json");
            }
            BundleSpec uploaded =
                    BundleSpec.of(
                            model,
                            BundleConfig.parse(model, "inference.json", text(file, inference)),
                            BundleConfig.parse(model, "metadata.json", text(file, metadata)));
            if (!canonical(uploaded).equals(canonical(served.get()))) {
                throw new InvalidInputException(
                        "The uploaded bundle's configs differ from those of the served "
                                + "bundle '"
                                + model
                                + "' (nothing changed): restart with the new bundle to change"
                                + " them");
            }
            try (InputStream in = file.getInputStream(network)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (ZipException e) {
            throw new InvalidInputException(
                    "The uploaded bundle is not a readable zip: " + e.getMessage(), e);
        }
    }

    private static String text(ZipFile file, ZipEntry entry) throws IOException {
        try (InputStream in = file.getInputStream(entry)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A spec as text, arrays by value: two bundles that serve alike give the same text. */
    static String canonical(BundleSpec spec) {
        StringBuilder out = new StringBuilder();
        out.append(new TreeMap<>(spec.labels())).append(spec.type()).append('\n');
        for (Object step : spec.pre()) {
            out.append(describe(step)).append('\n');
        }
        out.append(describe(spec.inferer())).append('\n');
        for (Object step : spec.post()) {
            out.append(describe(step)).append('\n');
        }
        return out.toString();
    }

    private static String describe(Object record) {
        StringBuilder out = new StringBuilder(record.getClass().getSimpleName()).append('(');
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            String text =
                    v instanceof double[] d
                            ? Arrays.toString(d)
                            : v instanceof int[] i ? Arrays.toString(i) : String.valueOf(v);
            out.append(c.getName()).append('=').append(text).append(';');
        }
        return out.append(')').toString();
    }
}
