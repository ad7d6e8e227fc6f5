/** From network output to a clean label map: softmax, argmax, connected components, holes. */
package org.monailabel.engine.postprocess;
