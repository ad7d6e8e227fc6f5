/**
 * Helpers shared by the codecs (bounded sizes, streaming voxel reads, byte-order conversion on
 * write). Not for use outside {@code org.monailabel.engine.io}.
 */
package org.monailabel.engine.io.internal;
