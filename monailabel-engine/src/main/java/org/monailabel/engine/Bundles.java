package org.monailabel.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.monailabel.api.AppComponent;
import org.monailabel.api.error.AppException;
import org.monailabel.engine.apps.AppRegistry;
import org.monailabel.engine.apps.AppSource;
import org.monailabel.engine.apps.AppState;
import org.monailabel.engine.apps.AppStatus;
import org.monailabel.engine.model.bundle.BundleException;
import org.monailabel.engine.model.bundle.BundleTask;
import org.monailabel.engine.model.bundle.BundleTrainer;

/**
 * The MONAI bundles given to {@link MonaiLabel.Builder#bundle}: unzipped where needed, read and
 * checked, and served together as the app {@code bundles}, each with a {@link BundleTrainer} of the
 * same name that fine-tunes it. A bundle that cannot be served stops the start with its reason.
 */
final class Bundles {
    /** The name of the app the bundles are served as. */
    static final String APP = "bundles";

    private static final long MAX_UNZIPPED = 8L << 30;

    private Bundles() {}

    /**
     * The bundles in a folder: its sub-folders with a {@code configs/} folder, and its {@code .zip}
     * files.
     */
    static List<Path> inFolder(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new AppException("The bundles folder " + folder + " is not a folder");
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : files.sorted().toList()) {
                if (Files.isDirectory(p.resolve("configs")) || isZip(p)) {
                    found.add(p);
                }
            }
        }
        return found;
    }

    private static boolean isZip(Path p) {
        return Files.isRegularFile(p)
                && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
    }

    /** Reads, checks and serves the bundles as the app {@code bundles}. */
    static void load(AppRegistry registry, List<Path> bundles, Path unzipRoot) throws IOException {
        List<AppComponent> tasks = new ArrayList<>();
        try {
            for (Path bundle : bundles) {
                BundleTask task = new BundleTask(folderOf(bundle, unzipRoot));
                tasks.add(task);
                tasks.add(
                        new BundleTrainer(task)); // POST /train/{bundle} fine-tunes what it serves
            }
        } catch (IOException | RuntimeException e) {
            tasks.forEach(AppComponent::close);
            throw e;
        }
        AppStatus status =
                registry.load(
                        AppSource.ofComponents(
                                APP,
                                unzipRoot.getParent(),
                                MonaiLabel.class.getClassLoader(),
                                tasks));
        if (status.state() == AppState.FAILED) {
            throw new AppException(
                    "The bundles could not be served: " + status.error().orElse("unknown error"));
        }
    }

    /** A bundle folder: the path itself, or where its zip was unpacked. */
    static Path folderOf(Path bundle, Path unzipRoot) throws IOException {
        if (Files.isDirectory(bundle)) {
            return bundle;
        }
        if (!Files.exists(bundle)) {
            throw new NoSuchFileException(bundle.toString(), null, "no such bundle");
        }
        if (!isZip(bundle)) {
            throw new BundleException(
                    bundle.getFileName().toString(), "is neither a bundle folder nor a .zip");
        }
        String name = bundle.getFileName().toString();
        name = name.substring(0, name.length() - 4);
        Path target = unzipRoot.resolve(name);
        WorkFolders.delete(target);
        Files.createDirectories(target);
        unzip(bundle, target, name);
        // a zip of the folder holds it as its single top-level folder
        try (Stream<Path> top = Files.list(target)) {
            List<Path> entries = top.toList();
            if (entries.size() == 1 && Files.isDirectory(entries.get(0).resolve("configs"))) {
                return entries.get(0);
            }
        }
        return target;
    }

    private static void unzip(Path zip, Path target, String name) throws IOException {
        long total = 0;
        try (ZipFile file = new ZipFile(zip.toFile())) {
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new BundleException(
                            name, "zip entry '" + entry.getName() + "' points outside the bundle");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = file.getInputStream(entry)) {
                    total += Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
                if (total > MAX_UNZIPPED) {
                    throw new BundleException(name, "unpacks to more than 8 GiB");
                }
            }
        } catch (ZipException e) {
            throw new BundleException(name, "is not a readable zip: " + e.getMessage(), e);
        }
    }
}
