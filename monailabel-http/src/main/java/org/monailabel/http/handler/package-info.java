/**
 * The endpoints, grouped by area. Each class is built once with its collaborators and exposes one
 * method per route; the routes are composed in {@link org.monailabel.http.Routes}.
 */
package org.monailabel.http.handler;
