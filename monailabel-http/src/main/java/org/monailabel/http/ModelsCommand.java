package org.monailabel.http;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.monailabel.engine.ModelFolders;
import org.monailabel.engine.json.JsonTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code monailabel models list|rollback}: model versions in a server's work dir. */
@Command(
        name = "models",
        mixinStandardHelpOptions = true,
        description = "List the model versions in a work dir, or serve a kept version again.",
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Rollback.class})
final class ModelsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        picocli.CommandLine.usage(this, System.out);
        return 0;
    }

    /** Where the models are: the options both subcommands take. */
    static final class Folders {
        @Option(
                names = "--work-dir",
                required = true,
                paramLabel = "DIR",
                description = "The server's work dir")
        Path workDir;

        @Option(
                names = "--models-dir",
                paramLabel = "DIR",
                description = "Default: <work-dir>/models")
        Path modelsDir;

        Path modelsDir() {
            return modelsDir != null ? modelsDir : workDir.resolve("models");
        }
    }

    static void print(Map<String, Object> history) {
        System.out.println(history.get("model") + "  (serving: " + history.get("current") + ")");
        for (Object o : (List<?>) history.get("versions")) {
            Map<?, ?> v = (Map<?, ?>) o;
            Map<?, ?> provenance = (Map<?, ?>) v.get("provenance");
            System.out.printf(
                    "  %s v%-4s %s  metric %s  %s%n",
                    Boolean.TRUE.equals(v.get("serving")) ? "*" : " ",
                    v.get("version"),
                    v.get("time"),
                    v.get("metric") == null ? "-" : v.get("metric"),
                    provenance == null || provenance.get("source") == null
                            ? ""
                            : provenance.get("source"));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List model versions.")
    static final class ListVersions implements Callable<Integer> {
        @Mixin Folders folders;

        @Option(
                names = "--model",
                paramLabel = "NAME",
                description = "One model (name or app/name)")
        String model;

        @Option(names = "--json", description = "Print JSON")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<Map<String, Object>> all = ModelFolders.list(folders.modelsDir(), model);
            if (json) {
                System.out.println(JsonTrees.toCompactString(JsonTrees.toJson(all)));
            } else {
                all.forEach(ModelsCommand::print);
            }
            return 0;
        }
    }

    @Command(
            name = "rollback",
            mixinStandardHelpOptions = true,
            description = "Serve a kept version again.")
    static final class Rollback implements Callable<Integer> {
        @Mixin Folders folders;

        @Option(
                names = "--model",
                required = true,
                paramLabel = "NAME",
                description = "The model (name or app/name)")
        String model;

        @Option(
                names = "--version",
                required = true,
                paramLabel = "N",
                description = "The kept version")
        int version;

        @Override
        public Integer call() throws Exception {
            print(ModelFolders.rollback(folders.modelsDir(), model, version));
            return 0;
        }
    }
}
