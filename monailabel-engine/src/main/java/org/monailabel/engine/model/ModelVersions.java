package org.monailabel.engine.model;

import ai.djl.Device;
import ai.djl.nn.Block;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.monailabel.api.ModelStore;
import org.monailabel.api.error.NotFoundException;

/**
 * The published versions of a model in its folder: {@code versions/v<N>/} holds each version's
 * weights and card, and the folder itself holds the current one (what a {@code SegmentationTask}
 * serves). Publishing writes the version folder, then installs it as current (weights renamed into
 * place first, the card last, so a reader never sees a card naming weights that are not there),
 * then keeps only the newest {@code keep} versions. Any kept version can be rolled back to, and the
 * current one can be moved aside ({@link #unpublish}). Not thread-safe: one trainer (or one upload)
 * publishes at a time.
 */
public final class ModelVersions {
    private static final String VERSIONS = "versions";

    private final Path folder;
    private final int keep;
    private final Optional<ModelStore> store;

    /**
     * Versions in a folder that nothing serves from yet (a model prepared before the server
     * starts): changes are not announced.
     *
     * @param folder the model's folder ({@code <modelDir>/<name>})
     * @param keep how many versions to keep (at least 1)
     */
    public ModelVersions(Path folder, int keep) {
        this.folder = folder;
        this.keep = Math.max(1, keep);
        this.store = Optional.empty();
    }

    /**
     * Versions in a store's folder: every change of the current version is announced to the store's
     * subscribers (the task serving the model swaps to it).
     *
     * @param keep how many versions to keep (at least 1)
     */
    public ModelVersions(ModelStore store, int keep) {
        this.folder = store.folder();
        this.keep = Math.max(1, keep);
        this.store = Optional.of(store);
    }

    /** Publishes a trained network as {@code card}'s version and makes it current. */
    public void publish(ModelCard card, Block block) throws IOException {
        Path dir = versionDir(card.version());
        LoadedModel.save(card, block, dir);
        install(dir);
        prune();
    }

    /** Announces a change of the current version to the store's subscribers. */
    private void announce() {
        store.ifPresent(ModelStore::changed);
    }

    /**
     * Publishes ready-made weights (a model an app ships, an imported file) as {@code card}'s
     * version and makes it current; the weights are written to a temporary file, synced and renamed
     * before the card.
     */
    public void publish(ModelCard card, InputStream weights) throws IOException {
        install(stage(card, weights));
        prune();
    }

    /**
     * Publishes weights from an untrusted source (an upload) as {@code card}'s version, but only if
     * they load with the card: the version is written, loaded once on the CPU (enough to check that
     * every parameter fits the network the card describes), and only then made current. Weights
     * that do not load leave nothing behind and nothing changes.
     *
     * @throws org.monailabel.api.error.InvalidInputException if the weights do not load with the
     *     card
     */
    public void publishVerified(ModelCard card, InputStream weights) throws IOException {
        Path dir = stage(card, weights);
        boolean loads = false;
        try {
            LoadedModel.load(dir.resolve(ModelCard.FILE_NAME), Device.cpu()).close();
            loads = true;
        } finally {
            if (!loads) {
                delete(dir);
            }
        }
        install(dir);
        prune();
    }

    /**
     * Moves the current card and weights aside as {@code <file><suffix>} (the card first, so that
     * no reader sees a card whose weights are gone). The model then has no current version; the
     * kept versions stay, so {@link #rollback} or a new publish brings one back.
     *
     * @return false if there was no current version
     */
    public boolean unpublish(String suffix) throws IOException {
        Path cardFile = folder.resolve(ModelCard.FILE_NAME);
        if (!Files.isRegularFile(cardFile)) {
            return false;
        }
        ModelCard card = ModelCard.read(cardFile);
        Files.move(
                cardFile,
                cardFile.resolveSibling(ModelCard.FILE_NAME + suffix),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        Path weights = folder.resolve(card.weights());
        if (Files.exists(weights)) {
            Files.move(
                    weights,
                    weights.resolveSibling(card.weights() + suffix),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        announce();
        return true;
    }

    /** Makes a kept version current again. */
    public void rollback(int version) throws IOException {
        Path dir = versionDir(version);
        if (!Files.isRegularFile(dir.resolve(ModelCard.FILE_NAME))) {
            throw new NotFoundException("Model version " + version + " is not kept");
        }
        install(dir);
    }

    /** The kept versions, oldest first. */
    public List<Integer> list() throws IOException {
        Path root = folder.resolve(VERSIONS);
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<Integer> versions = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("v\\d{1,9}"))
                    .map(n -> Integer.parseInt(n.substring(1)))
                    .sorted()
                    .forEach(versions::add);
        }
        return versions;
    }

    /**
     * What is known of each kept version, oldest first: its card's {@code version}, {@code time}
     * (when it was published: the card file's modification time, ISO-8601), {@code metric} (the
     * validation metric it was published with, when trained), {@code provenance}, and {@code
     * serving} (whether it is the current one). JSON-like.
     */
    public List<Map<String, Object>> describe() throws IOException {
        Optional<Integer> current = current();
        List<Map<String, Object>> out = new ArrayList<>();
        for (int v : list()) {
            Path card = versionDir(v).resolve(ModelCard.FILE_NAME);
            if (!Files.isRegularFile(card)) {
                continue;
            }
            ModelCard c = ModelCard.read(card);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("version", (long) v);
            entry.put("time", Files.getLastModifiedTime(card).toInstant().toString());
            Object metric = c.provenance().get("best_metric");
            entry.put("metric", metric instanceof Number ? metric : null);
            entry.put("provenance", c.provenance());
            entry.put("serving", current.isPresent() && current.get() == v);
            out.add(entry);
        }
        return out;
    }

    /** The current version, if any. */
    public Optional<Integer> current() throws IOException {
        Path card = folder.resolve(ModelCard.FILE_NAME);
        return Files.isRegularFile(card)
                ? Optional.of(ModelCard.read(card).version())
                : Optional.empty();
    }

    /** The number a new version gets: one more than the current and every kept version. */
    public int nextVersion() throws IOException {
        int newest = current().orElse(0);
        for (int v : list()) {
            newest = Math.max(newest, v);
        }
        return newest + 1;
    }

    /** The current card, else (after {@link #unpublish}) the newest kept version's card, if any. */
    public Optional<ModelCard> latestCard() throws IOException {
        Path card = folder.resolve(ModelCard.FILE_NAME);
        if (Files.isRegularFile(card)) {
            return Optional.of(ModelCard.read(card));
        }
        List<Integer> versions = list();
        for (int i = versions.size() - 1; i >= 0; i--) {
            Path kept = versionDir(versions.get(i)).resolve(ModelCard.FILE_NAME);
            if (Files.isRegularFile(kept)) {
                return Optional.of(ModelCard.read(kept));
            }
        }
        return Optional.empty();
    }

    /** Writes {@code card}'s version folder (weights synced and renamed before the card). */
    private Path stage(ModelCard card, InputStream weights) throws IOException {
        Path dir = versionDir(card.version());
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + card.weights() + ".tmp");
        Files.copy(weights, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(
                tmp,
                dir.resolve(card.weights()),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        card.write(dir.resolve(ModelCard.FILE_NAME));
        return dir;
    }

    private Path versionDir(int version) {
        return folder.resolve(VERSIONS).resolve("v" + version);
    }

    private void install(Path dir) throws IOException {
        ModelCard card = ModelCard.read(dir.resolve(ModelCard.FILE_NAME));
        Path tmp = folder.resolve("." + card.weights() + ".tmp");
        Files.copy(dir.resolve(card.weights()), tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(
                tmp,
                folder.resolve(card.weights()),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        card.write(folder.resolve(ModelCard.FILE_NAME));
        announce();
    }

    private void prune() throws IOException {
        List<Integer> versions = list();
        for (int i = 0; i < versions.size() - keep; i++) {
            delete(versionDir(versions.get(i)));
        }
    }

    /**
     * Deletes a version folder, its card first: a kill part-way leaves a folder that is no longer a
     * kept version (no card), never a card whose weights are gone.
     */
    private static void delete(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(ModelCard.FILE_NAME));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
