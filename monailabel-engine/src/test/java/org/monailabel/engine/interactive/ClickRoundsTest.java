package org.monailabel.engine.interactive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.monailabel.api.Params;
import org.monailabel.api.image.Affine;
import org.monailabel.engine.inferer.BlendMode;
import org.monailabel.engine.model.IntensityWindow;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.nets.Activation;
import org.monailabel.engine.nets.Norm;
import org.monailabel.engine.nets.UNetConfig;
import org.monailabel.engine.train.TrainingData;

/** The simulated user of the trainer, with fake networks that always answer one class. */
class ClickRoundsTest {
    static final int[] SHAPE = {30, 26, 22};

    static Study study() {
        int n = SHAPE[0] * SHAPE[1] * SHAPE[2];
        byte[] label = new byte[n];
        float[] image = new float[n];
        for (int x = 8; x < 18; x++) {
            for (int y = 6; y < 14; y++) {
                for (int z = 5; z < 12; z++) {
                    label[(x * SHAPE[1] + y) * SHAPE[2] + z] = 2;
                }
            }
        }
        return Study.of(new TrainingData.Sample("s", SHAPE, image, label, Affine.identity()));
    }

    static ClickRounds rounds(InteractiveTrainer.Kind kind, double auto) {
        int in = kind == InteractiveTrainer.Kind.DEEPGROW ? 3 : 4;
        int out = kind == InteractiveTrainer.Kind.DEEPGROW ? 2 : 3;
        UNetConfig net =
                new UNetConfig(
                        in,
                        out,
                        new int[] {4, 8},
                        new int[] {2},
                        0,
                        Norm.BATCH,
                        Activation.PRELU,
                        0);
        ModelCard card =
                new ModelCard(
                        "m",
                        0,
                        "unet",
                        net.toMap(),
                        "w",
                        Map.of("background", 0, "a", 1, "b", 2),
                        new double[] {2, 2, 2},
                        IntensityWindow.ct(-100, 100),
                        new int[] {16, 16, 16},
                        0,
                        1,
                        BlendMode.CONSTANT,
                        Map.of());
        InteractiveTrainer.Settings settings =
                InteractiveTrainer.Settings.defaults()
                        .merge(
                                Params.of(
                                        Map.of(
                                                "train_batch_size",
                                                2,
                                                "max_rounds",
                                                3,
                                                "auto_probability",
                                                auto,
                                                "jitter",
                                                0,
                                                "val_clicks",
                                                3)));
        return new ClickRounds(kind, card, settings, new int[] {16, 16, 16}, -1f);
    }

    /** A network answering class {@code winner} of {@code classes} everywhere. */
    static ClickRounds.Net constant(int winner, int classes) {
        return (inputs, batch, size) -> {
            int voxels = size[0] * size[1] * size[2];
            float[] logits = new float[batch * classes * voxels];
            for (int b = 0; b < batch; b++) {
                Arrays.fill(
                        logits,
                        (b * classes + winner) * voxels,
                        (b * classes + winner + 1) * voxels,
                        1f);
            }
            return logits;
        };
    }

    static boolean inside(ClickRounds.State s, int[] p) {
        return s.truth()[(p[0] * 16 + p[1]) * 16 + p[2]] != 0;
    }

    @Test
    void deepgrowStartsInsideTheStructureAndAddsPositiveClicksWhereItIsMissed() {
        ClickRounds r = rounds(InteractiveTrainer.Kind.DEEPGROW, 0);
        Random random = new Random(3);
        List<ClickRounds.State> states =
                new ArrayList<>(List.of(r.start(study(), random), r.start(study(), random)));
        for (ClickRounds.State s : states) {
            assertThat(s.clicks().get(0)).hasSize(1);
            assertThat(inside(s, s.clicks().get(0).get(0))).isTrue();
            assertThat(s.clicks().get(1)).isEmpty();
        }
        r.simulate(states, 2, random, constant(0, 2)); // predicts nothing: every error is a miss
        for (ClickRounds.State s : states) {
            assertThat(s.clicks().get(0)).hasSize(3).allMatch(p -> inside(s, p));
            assertThat(s.clicks().get(1)).isEmpty();
        }
    }

    @Test
    void deepgrowAddsNegativeClicksOutsideWhenItClaimsTooMuch() {
        ClickRounds r = rounds(InteractiveTrainer.Kind.DEEPGROW, 0);
        Random random = new Random(4);
        List<ClickRounds.State> states = List.of(r.start(study(), random));
        r.simulate(states, 3, random, constant(1, 2)); // claims the whole crop
        ClickRounds.State s = states.get(0);
        assertThat(s.clicks().get(1)).hasSize(3).noneMatch(p -> inside(s, p));
    }

    @Test
    void deepeditClicksEveryLabelPresentOrNothingInAutomaticMode() {
        ClickRounds r = rounds(InteractiveTrainer.Kind.DEEPEDIT, 0);
        Random random = new Random(5);
        ClickRounds.State s = r.start(study(), random);
        assertThat(s.automatic()).isFalse();
        assertThat(s.clicks()).hasSize(3);
        assertThat(s.clicks().get(0)).hasSize(1); // background is present
        assertThat(s.clicks().get(1)).isEmpty(); // label 1 is not in the study
        r.simulate(List.of(s), 1, random, constant(0, 3)); // all background: label 2 missed
        assertThat(s.clicks().get(2))
                .isNotEmpty()
                .allMatch(p -> s.truth()[(p[0] * 16 + p[1]) * 16 + p[2]] == 2);
        assertThat(s.clicks().get(0)).hasSize(1);

        ClickRounds auto = rounds(InteractiveTrainer.Kind.DEEPEDIT, 1);
        ClickRounds.State a = auto.start(study(), random);
        auto.simulate(List.of(a), 3, random, constant(0, 3));
        assertThat(a.automatic()).isTrue();
        assertThat(a.clicks()).allMatch(List::isEmpty);
    }

    @Test
    void validationReportsDiceAfterEachClick() {
        Map<String, Double> none =
                rounds(InteractiveTrainer.Kind.DEEPGROW, 0)
                        .validate(List.of(study()), constant(0, 2));
        assertThat(none)
                .containsEntry("metric", 0.0)
                .containsKeys("dice_1_clicks", "dice_3_clicks", "dice_b");
        Map<String, Double> all =
                rounds(InteractiveTrainer.Kind.DEEPGROW, 0)
                        .validate(List.of(study()), constant(1, 2));
        assertThat(all.get("metric")).isBetween(0.1, 0.9); // the structure and the crop around it
    }
}
