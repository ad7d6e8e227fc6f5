package org.monailabel.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.monailabel.engine.auth.Role;
import org.monailabel.http.Routes.Route;

/**
 * The one table of who may call what when authentication is on: every route of {@link Routes}, with
 * the role it needs (a role includes those before it: user, annotator, reviewer, admin) or {@link
 * Access#PUBLIC}. It follows MONAI Label's (docs/rest-api.md §2): reads and inference are for
 * users, writes of images, labels, info and sessions for annotators, training, scoring and batch
 * jobs, weights changes, deletions and logs for admins. A route added to {@link Routes} must be
 * added here: {@code HttpRouteRolesTest} fails for a route missing from the table (which the server
 * serves to admins only, meanwhile), and for an entry without its route.
 */
final class RouteRoles {
    /** What a route needs. */
    enum Access {
        /** No token: the home page, the API description, the docs and the sign-in routes. */
        PUBLIC,
        USER,
        ANNOTATOR,
        REVIEWER,
        ADMIN;

        /** The role needed; empty for {@link #PUBLIC}. */
        Optional<Role> role() {
            return this == PUBLIC ? Optional.empty() : Optional.of(Role.valueOf(name()));
        }
    }

    /** Where a route is missing from the table: only admins may call it. */
    static final Access MISSING = Access.ADMIN;

    private static final Map<Route, Access> TABLE = new LinkedHashMap<>();

    static {
        allow(
                Access.PUBLIC,
                "GET /",
                "GET /openapi.json",
                "GET /docs",
                "GET /docs/swagger-ui/{file}",
                "GET /ui/", // the annotation page signs in itself
                "GET /ui/{file}",
                "GET /auth/",
                "POST /auth/token",
                "GET /auth/token/valid"); // checks its token itself

        allow(
                Access.USER,
                "GET /info/",
                "POST /activelearning/{strategy}",
                "GET /datastore/",
                "GET /datastore/image",
                "HEAD /datastore/image",
                "GET /datastore/label",
                "HEAD /datastore/label",
                "GET /datastore/image/info",
                "GET /datastore/label/info",
                "GET /datastore/label/history",
                "POST /infer/{model}",
                "GET /session/{id}",
                "GET /train/",
                "GET /scoring/",
                "GET /batch/infer",
                "GET /proxy/dicom/{path}",
                "HEAD /proxy/dicom/{path}",
                "POST /proxy/dicom/{path}");

        allow(
                Access.ANNOTATOR,
                "PUT /datastore/",
                "PUT /datastore/image",
                "PUT /datastore/label",
                "PUT /datastore/image/info",
                "PUT /datastore/label/info",
                "PUT /datastore/updatelabelinfo",
                "GET /datastore/dataset",
                "PUT /session/",
                "DELETE /session/{id}",
                "GET /model/{model}",
                "GET /model/info/{model}",
                "GET /model/{model}/versions");

        allow(Access.REVIEWER, "PUT /datastore/label/review"); // approve, reject

        allow(
                Access.ADMIN,
                "DELETE /datastore/",
                "DELETE /datastore/image",
                "DELETE /datastore/label",
                "POST /train/",
                "DELETE /train/",
                "POST /train/{model}",
                "POST /scoring/",
                "DELETE /scoring/",
                "POST /scoring/{method}",
                "POST /batch/infer/{model}",
                "DELETE /batch/infer",
                "PUT /model/{model}",
                "DELETE /model/{model}",
                "POST /model/{model}/rollback",
                "GET /logs/",
                "GET /metrics"); // a scraper signs in as an admin (a bearer token)
    }

    private RouteRoles() {}

    private static void allow(Access access, String... routes) {
        for (String route : routes) {
            int space = route.indexOf(' ');
            Route r = new Route(route.substring(0, space), route.substring(space + 1));
            if (TABLE.put(r, access) != null) {
                throw new IllegalStateException(route + " is listed twice");
            }
        }
    }

    /** What a route needs, if the table has it. */
    static Optional<Access> of(Route route) {
        return Optional.ofNullable(TABLE.get(route));
    }

    /** The whole table, in order. */
    static Map<Route, Access> table() {
        return Collections.unmodifiableMap(TABLE);
    }
}
