/**
 * The template app: a complete, readable app to copy. Its jar ({@code target/template.jar}) drops
 * into the server's apps folder; every task is listed in {@code META-INF/services}.
 */
package org.monailabel.apps.template;
