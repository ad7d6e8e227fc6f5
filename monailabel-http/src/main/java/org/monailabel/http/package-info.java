/**
 * The MONAI-Label-compatible REST server on Undertow ({@link org.monailabel.http.MonaiLabelServer})
 * and the {@code monailabel} command line ({@link org.monailabel.http.Main}).
 */
package org.monailabel.http;
