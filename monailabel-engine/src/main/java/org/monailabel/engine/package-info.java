/**
 * The engine's entry point for embedding: {@link org.monailabel.engine.MonaiLabel} loads apps and
 * calls their tasks in-process, without HTTP.
 */
package org.monailabel.engine;
