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
import org.monailabel.http.handler.DatastoreEndpoints;
import org.monailabel.http.handler.DocsEndpoints;
import org.monailabel.http.handler.InferEndpoints;
import org.monailabel.http.handler.InfoEndpoints;
import org.monailabel.http.handler.JobEndpoints;
import org.monailabel.http.handler.LogsEndpoint;
import org.monailabel.http.handler.ModelEndpoints;
import org.monailabel.http.handler.OpenApiEndpoint;
import org.monailabel.http.handler.ProxyEndpoints;
import org.monailabel.http.handler.Services;
import org.monailabel.http.handler.SessionEndpoints;
import org.monailabel.http.support.ErrorHandler;

/**
 * The routing table. Every route answers with and without a trailing slash (clients use the
 * declared spellings, docs/rest-api.md §1.1; {@link org.monailabel.http.support.PathPrefix} drops
 * the slash before matching, so no redirect is needed). Each handler runs on a worker thread inside
 * {@link ErrorHandler}, never on an IO thread. Every route is described in the OpenAPI document
 * {@link OpenApiEndpoint#RESOURCE}: add a route there when adding one here.
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

    private final RoutingHandler routes = Handlers.routing(false);
    private final List<Route> registered = new ArrayList<>();

    private Routes() {}

    /** The handler of the routing table for these services. */
    static HttpHandler of(Services services) {
        return table(services).routes;
    }

    /** The routing table for these services; {@link #registered()} lists what it serves. */
    static Routes table(Services services) {
        Routes r = new Routes();
        InfoEndpoints info = new InfoEndpoints(services);
        DatastoreEndpoints datastore = new DatastoreEndpoints(services);
        InferEndpoints infer = new InferEndpoints(services);
        JobEndpoints jobs = new JobEndpoints(services);
        SessionEndpoints sessions = new SessionEndpoints(services);
        ModelEndpoints models = new ModelEndpoints(services);
        LogsEndpoint logs = new LogsEndpoint();
        OpenApiEndpoint openApi = new OpenApiEndpoint(services.version());
        DocsEndpoints docs = new DocsEndpoints();
        ProxyEndpoints proxy = new ProxyEndpoints(services);

        r.add(Methods.GET, "/", info::home);
        r.add(Methods.GET, "/info/", info::info);
        r.add(Methods.GET, "/auth/", info::auth);
        r.add(Methods.POST, "/auth/token", info::authToken);
        r.add(Methods.GET, "/auth/token/valid", info::authToken);
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
        r.add(Methods.GET, "/logs/", logs::logs);
        for (HttpString method : List.of(Methods.GET, Methods.HEAD, Methods.POST)) {
            r.addPrefix(method, ProxyEndpoints.PREFIX, proxy::dicom);
        }

        r.add(Methods.GET, "/openapi.json", openApi::document);
        r.add(Methods.GET, "/docs", docs::page);
        r.add(Methods.GET, "/docs/swagger-ui/{file}", docs::file);

        r.routes.setFallbackHandler(
                blocking(
                        exchange -> {
                            throw new NotFoundException(
                                    "No endpoint "
                                            + exchange.getRequestMethod()
                                            + " "
                                            + exchange.getRelativePath());
                        }));
        r.routes.setInvalidMethodHandler(
                blocking(
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
        routes.add(method, matched, blocking(endpoint));
        registered.add(new Route(method.toString(), path));
    }

    /** A route for every path under {@code prefix} (documented as {@code prefix/{path}}). */
    private void addPrefix(HttpString method, String prefix, Endpoint endpoint) {
        routes.add(method, prefix + "/*", blocking(endpoint));
        registered.add(new Route(method.toString(), prefix + "/{path}"));
    }

    private static HttpHandler blocking(Endpoint endpoint) {
        return new BlockingHandler(new ErrorHandler(endpoint::handle));
    }
}
