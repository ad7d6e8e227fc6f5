package org.monailabel.http;

import io.undertow.Handlers;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.util.ArrayList;
import java.util.List;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.Authentication;
import org.monailabel.http.handler.AuthEndpoints;
import org.monailabel.http.handler.DatastoreEndpoints;
import org.monailabel.http.handler.DocsEndpoints;
import org.monailabel.http.handler.InferEndpoints;
import org.monailabel.http.handler.InfoEndpoints;
import org.monailabel.http.handler.JobEndpoints;
import org.monailabel.http.handler.LogsEndpoint;
import org.monailabel.http.handler.MetricsEndpoint;
import org.monailabel.http.handler.ModelEndpoints;
import org.monailabel.http.handler.OpenApiEndpoint;
import org.monailabel.http.handler.ProxyEndpoints;
import org.monailabel.http.handler.Services;
import org.monailabel.http.handler.SessionEndpoints;
import org.monailabel.http.handler.UiEndpoints;
import org.monailabel.http.support.AuthenticationHandler;
import org.monailabel.http.support.ErrorHandler;
import org.monailabel.http.support.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table. Every route answers with and without a trailing slash (clients use the
 * declared spellings, docs/rest-api.md §1.1; {@link org.monailabel.http.support.PathPrefix} drops
 * the slash before matching, so no redirect is needed). Each handler runs on a worker thread inside
 * {@link ErrorHandler}, never on an IO thread, behind the role {@link RouteRoles} gives it (checked
 * by {@link AuthenticationHandler} when authentication is on). Every route is described in the
 * OpenAPI document {@link OpenApiEndpoint#RESOURCE} and has a role in {@link RouteRoles}: add it to
 * both when adding a route here.
 */
final class Routes {
    /** An endpoint method. */
    @FunctionalInterface
    interface Endpoint {
        void handle(HttpServerExchange exchange) throws Exception;
    }

    /**
     * A registered route.
     *
     * @param method the HTTP method, e.g. {@code GET}
     * @param path the path as declared, in the spelling clients send (e.g. {@code /info/})
     */
    record Route(String method, String path) {}

    private static final Logger logger = LoggerFactory.getLogger(Routes.class);

    private final RoutingHandler routes = Handlers.routing(false);
    private final List<Route> registered = new ArrayList<>();
    private final Metrics metrics = new Metrics();
    private final Authentication authentication;

    private Routes(Authentication authentication) {
        this.authentication = authentication;
    }

    /** The handler of the routing table for these services. */
    static HttpHandler of(Services services) {
        Routes r = table(services);
        return r.metrics.handler(r.routes); // every exchange counted, 404s included
    }

    /** The routing table for these services; {@link #registered()} lists what it serves. */
    static Routes table(Services services) {
        Routes r = new Routes(services.authentication());
        InfoEndpoints info = new InfoEndpoints(services);
        AuthEndpoints auth = new AuthEndpoints(services);
        DatastoreEndpoints datastore = new DatastoreEndpoints(services);
        InferEndpoints infer = new InferEndpoints(services);
        JobEndpoints jobs = new JobEndpoints(services);
        SessionEndpoints sessions = new SessionEndpoints(services);
        ModelEndpoints models = new ModelEndpoints(services);
        LogsEndpoint logs = new LogsEndpoint(services.workDir());
        OpenApiEndpoint openApi = new OpenApiEndpoint(services.version());
        DocsEndpoints docs = new DocsEndpoints();
        ProxyEndpoints proxy = new ProxyEndpoints(services);
        UiEndpoints ui = new UiEndpoints();

        r.add(Methods.GET, "/", info::home);
        r.add(Methods.GET, "/info/", info::info);
        r.add(Methods.GET, "/auth/", auth::status);
        r.add(Methods.POST, "/auth/token", auth::token);
        r.add(Methods.GET, "/auth/token/valid", auth::valid);
        r.add(Methods.POST, "/activelearning/{strategy}", info::nextSample);

        r.add(Methods.GET, "/datastore/", datastore::list);
        r.add(Methods.PUT, "/datastore/", datastore::uploadImage);
        r.add(Methods.DELETE, "/datastore/", datastore::deleteImage);
        r.add(Methods.GET, "/datastore/image", datastore::downloadImage);
        r.add(Methods.HEAD, "/datastore/image", datastore::downloadImage);
        r.add(Methods.PUT, "/datastore/image", datastore::uploadImage);
        r.add(Methods.DELETE, "/datastore/image", datastore::deleteImage);
        r.add(Methods.GET, "/datastore/label", datastore::downloadLabel);
        r.add(Methods.HEAD, "/datastore/label", datastore::downloadLabel);
        r.add(Methods.PUT, "/datastore/label", datastore::saveLabel);
        r.add(Methods.DELETE, "/datastore/label", datastore::deleteLabel);
        r.add(Methods.GET, "/datastore/image/info", datastore::imageInfo);
        r.add(Methods.PUT, "/datastore/image/info", datastore::updateImageInfo);
        r.add(Methods.GET, "/datastore/label/history", datastore::labelHistory);
        r.add(Methods.PUT, "/datastore/label/review", datastore::reviewLabel);
        r.add(Methods.GET, "/datastore/label/info", datastore::labelInfo);
        r.add(Methods.PUT, "/datastore/label/info", datastore::updateLabelInfo);
        r.add(Methods.PUT, "/datastore/updatelabelinfo", datastore::updateLabelInfo);
        r.add(Methods.GET, "/datastore/dataset", datastore::dataset);

        r.add(Methods.POST, "/infer/{model}", infer::infer);

        r.add(Methods.PUT, "/session/", sessions::create);
        r.add(Methods.GET, "/session/{id}", sessions::get);
        r.add(Methods.DELETE, "/session/{id}", sessions::remove);

        r.add(Methods.GET, "/train/", jobs::trainStatus);
        r.add(Methods.POST, "/train/", jobs::trainAll);
        r.add(Methods.DELETE, "/train/", jobs::trainStop);
        r.add(Methods.POST, "/train/{model}", jobs::train);
        r.add(Methods.GET, "/scoring/", jobs::scoringStatus);
        r.add(Methods.POST, "/scoring/", jobs::scoreAll);
        r.add(Methods.DELETE, "/scoring/", jobs::scoringStop);
        r.add(Methods.POST, "/scoring/{method}", jobs::score);
        r.add(Methods.GET, "/batch/infer", jobs::batchStatus);
        r.add(Methods.DELETE, "/batch/infer", jobs::batchStop);
        r.add(Methods.POST, "/batch/infer/{model}", jobs::batchInfer);

        r.add(Methods.GET, "/model/{model}", models::download);
        r.add(Methods.GET, "/model/info/{model}", models::info);
        r.add(Methods.PUT, "/model/{model}", models::upload);
        r.add(Methods.DELETE, "/model/{model}", models::delete);
        r.add(Methods.GET, "/model/{model}/versions", models::versions);
        r.add(Methods.POST, "/model/{model}/rollback", models::rollback);
        r.add(Methods.GET, "/logs/", logs::logs);
        r.add(Methods.GET, "/metrics", new MetricsEndpoint(services, r.metrics)::metrics);
        for (HttpString method : List.of(Methods.GET, Methods.HEAD, Methods.POST)) {
            r.addPrefix(method, ProxyEndpoints.PREFIX, proxy::dicom);
        }

        r.add(Methods.GET, "/openapi.json", openApi::document);
        r.add(Methods.GET, "/docs", docs::page);
        r.add(Methods.GET, "/docs/swagger-ui/{file}", docs::file);
        r.add(Methods.GET, "/ui/", ui::page);
        r.add(Methods.GET, "/ui/{file}", ui::file);

        r.routes.setFallbackHandler(
                open(
                        exchange -> {
                            throw new NotFoundException(
                                    "No endpoint "
                                            + exchange.getRequestMethod()
                                            + " "
                                            + exchange.getRelativePath());
                        }));
        r.routes.setInvalidMethodHandler(
                open(
                        exchange -> {
                            throw new InvalidInputException(
                                    "Method "
                                            + exchange.getRequestMethod()
                                            + " is not allowed on "
                                            + exchange.getRelativePath());
                        }));
        return r;
    }

    /** The routes registered, in order, as declared. */
    List<Route> registered() {
        return List.copyOf(registered);
    }

    private void add(HttpString method, String path, Endpoint endpoint) {
        // declared as clients send them; matched without the trailing slash (see PathPrefix)
        String matched =
                path.length() > 1 && path.endsWith("/")
                        ? path.substring(0, path.length() - 1)
                        : path;
        Route route = new Route(method.toString(), path);
        routes.add(method, matched, guarded(route, endpoint));
        registered.add(route);
    }

    /** A route for every path under {@code prefix} (documented as {@code prefix/{path}}). */
    private void addPrefix(HttpString method, String prefix, Endpoint endpoint) {
        Route route = new Route(method.toString(), prefix + "/{path}");
        routes.add(method, prefix + "/*", guarded(route, endpoint));
        registered.add(route);
    }

    /** The route's endpoint behind its role of {@link RouteRoles}, on a worker thread. */
    private HttpHandler guarded(Route route, Endpoint endpoint) {
        RouteRoles.Access access =
                RouteRoles.of(route)
                        .orElseGet(
                                () -> {
                                    logger.error(
                                            "{} {} is missing from RouteRoles: only admins may"
                                                    + " call it",
                                            route.method(),
                                            route.path());
                                    return RouteRoles.MISSING;
                                });
        return new BlockingHandler(
                new ErrorHandler(
                        new AuthenticationHandler(
                                authentication, access.role(), endpoint::handle)));
    }

    /** A handler for every request, without authentication (unknown paths, wrong methods). */
    private static HttpHandler open(Endpoint endpoint) {
        return new BlockingHandler(new ErrorHandler(endpoint::handle));
    }
}
