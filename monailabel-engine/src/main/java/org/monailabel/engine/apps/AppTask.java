package org.monailabel.engine.apps;

import org.monailabel.api.AppComponent;

/**
 * One component an app provides, with the {@code info()} it gave at discovery ({@code /info/} shows
 * it for trainers, strategies and scoring methods; a model is asked again, since its labels follow
 * the version it serves).
 *
 * @param kind its kind
 * @param name its name, unique per kind across apps
 * @param component the instance
 * @param info its ModelInfo, TrainerInfo or ComponentInfo
 */
record AppTask(TaskKind<?> kind, String name, AppComponent component, Object info) {}
