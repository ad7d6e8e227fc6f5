package org.monailabel.engine.interactive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.UNetConfig;

/**
 * The simulated user of {@link InteractiveTrainer}: training samples with their first clicks,
 * rounds of corrective clicks from the network's own predictions, and the deterministic
 * click-by-click validation. Network-grid voxels, C order. Not thread-safe (one trainer).
 */
final class ClickRounds {
    /** The network on a batch: inputs {@code (B, C, X, Y, Z)} to logits {@code (B, K, X, Y, Z)}. */
    @FunctionalInterface
    interface Net {
        float[] apply(float[] inputs, int batch, int[] size);
    }

    /**
     * One sample being clicked on.
     *
     * @param truth binary (DeepGrow) or label indices (DeepEdit), C order on the crop
     * @param clicks per guidance channel, crop voxels
     * @param automatic no clicks at all (DeepEdit's automatic mode)
     */
    record State(
            int[] size, float[] image, byte[] truth, List<List<int[]>> clicks, boolean automatic) {}

    private final InteractiveTrainer.Kind kind;
    private final InteractiveTrainer.Settings settings;
    private final int[] size;
    private final float pad;
    private final int labels;
    private final int divisor;
    private final String[] names;

    /**
     * @param settings the run's settings ({@code auto_probability}, {@code jitter}, {@code
     *     val_clicks})
     * @param size the crops' size on the network grid
     * @param pad the intensity outside the image
     */
    ClickRounds(
            InteractiveTrainer.Kind kind,
            ModelCard card,
            InteractiveTrainer.Settings settings,
            int[] size,
            float pad) {
        this.kind = kind;
        this.settings = settings;
        this.size = size.clone();
        this.pad = pad;
        this.labels =
                card.labels().values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        this.divisor = UNetConfig.fromMap(card.hyperparameters()).divisor();
        this.names = new String[labels];
        card.labels().forEach((n, v) -> names[v] = n);
    }

    /** A training sample with its first clicks, intensities jittered. */
    State start(Study study, Random random) {
        if (kind == InteractiveTrainer.Kind.DEEPGROW) {
            List<Integer> present = new ArrayList<>(study.boxes().keySet());
            int value = present.get(random.nextInt(present.size()));
            int[] click = first(study, value, random);
            int j = settings.jitter();
            int[] centre = {
                click[0] + jitterOf(j, random),
                click[1] + jitterOf(j, random),
                click[2] + jitterOf(j, random)
            };
            CropBox box = CropBox.around(List.of(centre), study.shape(), size);
            byte[] truth = binary(box.crop(study.label(), study.shape()), value);
            List<List<int[]>> clicks =
                    List.of(new ArrayList<>(List.of(box.toBox(click))), new ArrayList<>());
            return new State(
                    size,
                    jitter(box.crop(study.image(), study.shape(), pad), random),
                    truth,
                    clicks,
                    false);
        }
        int[] centre = {
            random.nextInt(study.shape()[0]),
            random.nextInt(study.shape()[1]),
            random.nextInt(study.shape()[2])
        };
        CropBox box = CropBox.around(List.of(centre), study.shape(), size);
        byte[] truth = box.crop(study.label(), study.shape());
        boolean automatic = random.nextDouble() < settings.autoProbability();
        List<List<int[]>> clicks = emptyLists();
        if (!automatic) {
            for (int l = 0; l < labels; l++) {
                ClickSimulator.sample(binary(truth, l), size, random).ifPresent(clicks.get(l)::add);
            }
        }
        return new State(
                size,
                jitter(box.crop(study.image(), study.shape(), pad), random),
                truth,
                clicks,
                automatic);
    }

    /**
     * {@code rounds} rounds of corrective clicks on the batch (automatic samples stay as they are).
     */
    void simulate(List<State> states, int rounds, Random random, Net net) {
        for (int r = 0; r < rounds; r++) {
            if (states.stream().allMatch(State::automatic)) {
                return;
            }
            int[] size = states.get(0).size();
            int voxels = size[0] * size[1] * size[2];
            float[] logits = net.apply(inputs(states, 1 + channels(), voxels), states.size(), size);
            for (int b = 0; b < states.size(); b++) {
                State s = states.get(b);
                if (!s.automatic()) {
                    addClicks(s, predictionOf(logits, b, voxels), random);
                }
            }
        }
    }

    /** The network inputs of a batch: image plus guidance channels per sample. */
    static float[] inputs(List<State> states, int channels, int voxels) {
        float[] out = new float[states.size() * channels * voxels];
        for (int b = 0; b < states.size(); b++) {
            State s = states.get(b);
            float[] one = Guidance.stack(s.image(), s.size(), s.clicks(), Guidance.SIGMA);
            System.arraycopy(one, 0, out, b * channels * voxels, one.length);
        }
        return out;
    }

    /**
     * Validation as the benchmark measures it, deterministic: DeepGrow per study and structure a
     * first click at the structure's deepest voxel, the crop around it, then {@code val_clicks - 1}
     * clicks at the deepest voxel of the larger error region; DeepEdit per study the whole volume
     * without clicks, then with a first click per label. Dice on the network grid.
     *
     * @return {@code metric} (DeepGrow: mean Dice after {@code val_clicks}; DeepEdit: mean
     *     foreground Dice with clicks), and per-stage means
     */
    Map<String, Double> validate(List<Study> studies, Net net) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (Study study : studies) {
            if (kind == InteractiveTrainer.Kind.DEEPGROW) {
                for (int value : study.boxes().keySet()) {
                    int[] click = first(study, value, null);
                    CropBox box = CropBox.around(List.of(click), study.shape(), size);
                    State s =
                            new State(
                                    size,
                                    box.crop(study.image(), study.shape(), pad),
                                    binary(box.crop(study.label(), study.shape()), value),
                                    List.of(
                                            new ArrayList<>(List.of(box.toBox(click))),
                                            new ArrayList<>()),
                                    false);
                    for (int k = 1; k <= settings.valClicks(); k++) {
                        byte[] prediction = predict(s, net);
                        double dice = dice(prediction, s.truth(), 1);
                        add(sums, "dice_" + k + "_clicks", dice);
                        if (k == settings.valClicks()) {
                            add(sums, "metric", dice);
                            add(sums, "dice_" + names[value], dice);
                        } else {
                            addClicks(s, prediction, null);
                        }
                    }
                }
            } else {
                CropBox box = DeepEditTask.wholeVolume(study.shape(), divisor);
                byte[] truth = box.crop(study.label(), study.shape());
                State s =
                        new State(
                                box.size(),
                                box.crop(study.image(), study.shape(), pad),
                                truth,
                                emptyLists(),
                                false);
                byte[] automatic = predict(s, net);
                for (int l = 0; l < labels; l++) {
                    ClickSimulator.deepest(binary(truth, l), box.size())
                            .ifPresent(s.clicks().get(l)::add);
                }
                byte[] clicked = predict(s, net);
                for (int l = 1; l < labels; l++) {
                    if (study.boxes().containsKey(l)) {
                        add(sums, "dice_automatic", dice(automatic, truth, l));
                        add(sums, "metric", dice(clicked, truth, l));
                        add(sums, "dice_" + names[l], dice(clicked, truth, l));
                    }
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(k, v[1] == 0 ? 0 : v[0] / v[1]));
        out.putIfAbsent("metric", 0.0);
        return out;
    }

    private byte[] predict(State s, Net net) {
        int voxels = s.size()[0] * s.size()[1] * s.size()[2];
        return predictionOf(
                net.apply(inputs(List.of(s), 1 + channels(), voxels), 1, s.size()), 0, voxels);
    }

    private int channels() {
        return kind == InteractiveTrainer.Kind.DEEPGROW ? 2 : labels;
    }

    private void addClicks(State s, byte[] prediction, Random random) {
        if (kind == InteractiveTrainer.Kind.DEEPGROW) {
            Optional<ClickSimulator.Click> click =
                    ClickSimulator.next(s.truth(), prediction, s.size(), random);
            click.ifPresent(c -> s.clicks().get(c.positive() ? 0 : 1).add(c.point()));
            return;
        }
        for (int l = 0; l < labels; l++) { // DeepEdit: a click per label into its false negatives
            byte[] missed = new byte[prediction.length];
            boolean any = false;
            for (int i = 0; i < missed.length; i++) {
                if (s.truth()[i] == l && prediction[i] != l) {
                    missed[i] = 1;
                    any = true;
                }
            }
            if (any) {
                Optional<int[]> p =
                        random == null
                                ? ClickSimulator.deepest(missed, s.size())
                                : ClickSimulator.sample(missed, s.size(), random);
                p.ifPresent(s.clicks().get(l)::add);
            }
        }
    }

    private byte[] predictionOf(float[] logits, int b, int voxels) {
        int k = kind == InteractiveTrainer.Kind.DEEPGROW ? 2 : labels;
        float[] one = new float[k * voxels];
        System.arraycopy(logits, b * k * voxels, one, 0, one.length);
        return InteractiveTask.argmax(one, k, voxels);
    }

    /**
     * A first click inside structure {@code value}: drawn, or the deepest voxel without a
     * generator.
     */
    private static int[] first(Study study, int value, Random random) {
        CropBox box = study.box(value);
        byte[] region = binary(box.crop(study.label(), study.shape()), value);
        int[] p =
                (random == null
                                ? ClickSimulator.deepest(region, box.size())
                                : ClickSimulator.sample(region, box.size(), random))
                        .orElseThrow();
        int[] s = box.start();
        return new int[] {p[0] + s[0], p[1] + s[1], p[2] + s[2]};
    }

    private List<List<int[]>> emptyLists() {
        List<List<int[]>> l = new ArrayList<>();
        for (int i = 0; i < (kind == InteractiveTrainer.Kind.DEEPGROW ? 2 : labels); i++) {
            l.add(new ArrayList<>());
        }
        return l;
    }

    static byte[] binary(byte[] label, int value) {
        byte[] out = new byte[label.length];
        for (int i = 0; i < label.length; i++) {
            out[i] = (byte) ((label[i] & 0xff) == value ? 1 : 0);
        }
        return out;
    }

    static double dice(byte[] prediction, byte[] truth, int value) {
        long both = 0;
        long a = 0;
        long b = 0;
        for (int i = 0; i < truth.length; i++) {
            boolean p = prediction[i] == value;
            boolean t = truth[i] == value;
            both += p && t ? 1 : 0;
            a += p ? 1 : 0;
            b += t ? 1 : 0;
        }
        return a + b == 0 ? 1 : 2.0 * both / (a + b);
    }

    private static int jitterOf(int j, Random random) {
        return j == 0 ? 0 : random.nextInt(2 * j + 1) - j;
    }

    private static float[] jitter(float[] image, Random random) {
        float offset = (float) ((random.nextDouble() * 2 - 1) * 0.1);
        float factor = (float) (1 + (random.nextDouble() * 2 - 1) * 0.1);
        for (int i = 0; i < image.length; i++) {
            image[i] = (image[i] + offset) * factor;
        }
        return image;
    }

    private static void add(Map<String, double[]> sums, String key, double value) {
        double[] s = sums.computeIfAbsent(key, k -> new double[2]);
        s[0] += value;
        s[1]++;
    }
}
