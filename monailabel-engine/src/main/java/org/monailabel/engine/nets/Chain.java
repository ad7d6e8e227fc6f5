package org.monailabel.engine.nets;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Blocks applied one after another. Unlike DJL's {@code SequentialBlock} it passes the forward
 * call's parameters on to its children, which {@link McDropout} needs to be switched on at
 * inference.
 */
final class Chain extends AbstractBlock {
    Chain add(Block block) {
        addChildBlock(block.getClass().getSimpleName(), block);
        return this;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDList current = inputs;
        for (Block block : children.values()) {
            current = block.forward(store, current, training, params);
        }
        return current;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block block : children.values()) {
            block.initialize(manager, dataType, shapes);
            shapes = block.getOutputShapes(shapes);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block block : children.values()) {
            shapes = block.getOutputShapes(shapes);
        }
        return shapes;
    }
}
