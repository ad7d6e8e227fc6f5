/**
 * The unchecked exception family of monailabel. Every exception carries an {@link
 * org.monailabel.api.error.ErrorCode} that fixes the HTTP status, so the server maps failures to
 * responses from one table. File and stream I/O keeps throwing checked {@link java.io.IOException}.
 */
package org.monailabel.api.error;
