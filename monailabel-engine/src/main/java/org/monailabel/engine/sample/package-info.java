/**
 * Sample studies: deterministic CT-like phantoms with exact ground truth, the embedded default
 * dataset the server starts on and what training and interaction tests learn from.
 */
package org.monailabel.engine.sample;
