package org.monailabel.engine.model;

import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.monailabel.api.error.NotFoundException;

/**
 * The published versions of a model in its folder: {@code versions/v<N>/} holds each version's
 * weights and card, and the folder itself holds the current one (what a {@code SegmentationTask}
 * serves). Publishing writes the version folder, then installs it as current (weights renamed into
 * place first, the card last, so a reader never sees a card naming weights that are not there),
 * then keeps only the newest {@code keep} versions. Any kept version can be rolled back to. Not
 * thread-safe: one trainer publishes at a time.
 */
public final class ModelVersions {
    private static final String VERSIONS = "versions";

    private final Path folder;
    private final int keep;

    /**
     * @param folder the model's folder ({@code <modelDir>/<name>})
     * @param keep how many versions to keep (at least 1)
     */
    public ModelVersions(Path folder, int keep) {
        this.folder = folder;
        this.keep = Math.max(1, keep);
    }

    /** Publishes a trained network as {@code card}'s version and makes it current. */
    public void publish(ModelCard card, Block block) throws IOException {
        Path dir = versionDir(card.version());
        LoadedModel.save(card, block, dir);
        install(dir);
        prune();
    }

    /**
     * Publishes ready-made weights (a model an app ships, an imported file) as {@code card}'s
     * version and makes it current; the weights are written to a temporary file, synced and
     * renamed before the card.
     */
    public void publish(ModelCard card, java.io.InputStream weights) throws IOException {
        Path dir = versionDir(card.version());
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + card.weights() + ".tmp");
        Files.copy(weights, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(tmp, dir.resolve(card.weights()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        card.write(dir.resolve(ModelCard.FILE_NAME));
        install(dir);
        prune();
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
            dirs.map(p -> p.getFileName().toString()).filter(n -> n.matches("v\\d{1,9}"))
                    .map(n -> Integer.parseInt(n.substring(1))).sorted().forEach(versions::add);
        }
        return versions;
    }

    /** The current version, if any. */
    public Optional<Integer> current() throws IOException {
        Path card = folder.resolve(ModelCard.FILE_NAME);
        return Files.isRegularFile(card) ? Optional.of(ModelCard.read(card).version()) : Optional.empty();
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
        Files.move(tmp, folder.resolve(card.weights()), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        card.write(folder.resolve(ModelCard.FILE_NAME));
    }

    private void prune() throws IOException {
        List<Integer> versions = list();
        for (int i = 0; i < versions.size() - keep; i++) {
            try (Stream<Path> files = Files.walk(versionDir(versions.get(i)))) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
