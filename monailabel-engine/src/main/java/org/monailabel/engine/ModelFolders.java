package org.monailabel.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;

/**
 * The model versions of a server's models folder ({@code <workDir>/models/<app>/<model>/}), for the
 * {@code monailabel models} command: listed and rolled back on disk, with no server running (a
 * running server notices a rollback when its task next checks the folder; prefer {@code POST
 * /model/{model}/rollback} then). Stateless.
 */
public final class ModelFolders {
    private ModelFolders() {}

    /** Every model folder below {@code modelsDir} (one with a card or kept versions), by name. */
    public static Map<String, Path> models(Path modelsDir) throws IOException {
        Map<String, Path> found = new LinkedHashMap<>();
        if (!Files.isDirectory(modelsDir)) {
            throw new NotFoundException("No models folder at " + modelsDir);
        }
        try (Stream<Path> apps = Files.list(modelsDir)) {
            for (Path app : apps.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> models = Files.list(app)) {
                    for (Path model : models.filter(Files::isDirectory).sorted().toList()) {
                        if (Files.isRegularFile(model.resolve(ModelCard.FILE_NAME))
                                || !new ModelVersions(model, Integer.MAX_VALUE).list().isEmpty()) {
                            found.put(app.getFileName() + "/" + model.getFileName(), model);
                        }
                    }
                }
            }
        }
        return found;
    }

    /**
     * The versions of every model (or of one, by {@code app/model} or by a model name that is
     * unique), as {@link Models#versionHistory} gives them.
     */
    public static List<Map<String, Object>> list(Path modelsDir, String model) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, Path> e : select(modelsDir, model).entrySet()) {
            ModelVersions versions = new ModelVersions(e.getValue(), Integer.MAX_VALUE);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("model", e.getKey());
            json.put("current", versions.current().map(Integer::longValue).orElse(null));
            json.put("versions", versions.describe());
            out.add(json);
        }
        return out;
    }

    /** Makes a kept version of one model current again; returns its history afterwards. */
    public static Map<String, Object> rollback(Path modelsDir, String model, int version)
            throws IOException {
        Map<String, Path> one = select(modelsDir, model);
        if (model == null || one.size() != 1) {
            throw new InvalidInputException("Name one model to roll back (app/model)");
        }
        Map.Entry<String, Path> e = one.entrySet().iterator().next();
        new ModelVersions(e.getValue(), Integer.MAX_VALUE).rollback(version);
        return list(modelsDir, e.getKey()).get(0);
    }

    private static Map<String, Path> select(Path modelsDir, String model) throws IOException {
        Map<String, Path> all = models(modelsDir);
        if (model == null || model.isEmpty()) {
            return all;
        }
        Map<String, Path> matched = new LinkedHashMap<>();
        all.forEach(
                (name, path) -> {
                    if (name.equals(model) || name.endsWith("/" + model)) {
                        matched.put(name, path);
                    }
                });
        if (matched.isEmpty()) {
            throw new NotFoundException(
                    "No model '"
                            + model
                            + "' in "
                            + modelsDir
                            + " (there are: "
                            + all.keySet()
                            + ")");
        }
        if (matched.size() > 1 && !all.containsKey(model)) {
            throw new InvalidInputException(
                    "Model '"
                            + model
                            + "' is in several apps: "
                            + matched.keySet()
                            + "; give app/model");
        }
        return all.containsKey(model) ? Map.of(model, all.get(model)) : matched;
    }
}
