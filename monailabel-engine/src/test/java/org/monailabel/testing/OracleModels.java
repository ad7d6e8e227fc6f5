package org.monailabel.testing;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.IOException;
import java.nio.file.Path;
import org.monailabel.engine.djl.Devices;
import org.monailabel.engine.model.ModelCard;
import org.monailabel.engine.model.ModelVersions;
import org.monailabel.engine.nets.UNet;
import org.monailabel.engine.nets.UNetConfig;

/**
 * Model-free oracles for tests of tasks that run a UNet: the card's network with every weight 0 and
 * the last layer's bias one-hot, so that it answers one class everywhere whatever its input. What
 * the task does around the network (crop, guidance, paste-back) is then exactly predictable.
 */
public final class OracleModels {
    private OracleModels() {}

    /**
     * Publishes, as {@code card}'s version, a network that answers class {@code winner} everywhere.
     */
    public static void publishConstant(Path modelFolder, ModelCard card, int winner)
            throws IOException {
        UNetConfig config = UNetConfig.fromMap(card.hyperparameters());
        Devices.engine();
        try (Model model = Model.newInstance(card.name())) {
            Block block = UNet.build(config);
            int d = config.divisor();
            block.initialize(
                    model.getNDManager(),
                    DataType.FLOAT32,
                    new Shape(1, config.inChannels(), d, d, d));
            NDArray lastBias = null;
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                a.muli(0);
                if (a.getShape().equals(new Shape(config.outChannels()))
                        || a.getShape().equals(new Shape(config.outChannels() * 8L))) {
                    lastBias = a; // the top up-sampling's bias (8 per class before a voxel shuffle)
                }
            }
            if (lastBias == null) {
                throw new IllegalStateException("No output bias in " + config);
            }
            int per = (int) lastBias.getShape().get(0) / config.outChannels();
            lastBias.set(new NDIndex(winner * per + ":" + (winner + 1) * per), 1f);
            new ModelVersions(modelFolder, 5).publish(card, block);
        }
    }
}
