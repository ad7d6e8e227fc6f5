package org.monailabel.engine.model;

import java.util.Optional;
import org.monailabel.api.ModelStore;

/**
 * An inference task that serves a model from a {@link ModelStore} (through a {@link ServedModel}):
 * the server's model endpoints read and publish that store, which may belong to another model (a
 * 2-D task serving a 3-D model's weights).
 */
public interface ServesModel {
    /** The store the task serves from; empty before it is opened. */
    Optional<ModelStore> servedStore();
}
