package org.monailabel.http.support;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Objects;
import java.util.Optional;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.auth.Identity;
import org.monailabel.engine.auth.Role;

/**
 * Lets a request through to its route only with a valid bearer token whose user has the route's
 * role, when authentication is on: no token or a bad one is a 401 ({@code WWW-Authenticate:
 * Bearer}), a role too low a 403, both JSON {@code {"detail": ...}}. Once the token is checked the
 * user's name is in {@link Http#USER}. Runs on the worker thread, inside {@link ErrorHandler} (the
 * check may read the users file or fetch the provider's keys).
 */
public final class AuthenticationHandler implements HttpHandler {
    private final Authentication authentication;
    private final Optional<Role> required;
    private final HttpHandler next;

    /**
     * @param required the role the route needs; empty for a route open to everyone
     */
    public AuthenticationHandler(
            Authentication authentication, Optional<Role> required, HttpHandler next) {
        this.authentication = Objects.requireNonNull(authentication, "authentication");
        this.required = Objects.requireNonNull(required, "required");
        this.next = Objects.requireNonNull(next, "next");
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (authentication.enabled() && required.isPresent() && !granted(exchange)) {
            Identity user = authenticate(authentication, exchange);
            Authentication.authorize(user, required.get());
        }
        next.handleRequest(exchange);
    }

    /**
     * A tokenless image download the client was granted when it was handed the image (3D Slicer's
     * SampleData download sends no token; see {@link Authentication#grantDownload}).
     */
    private boolean granted(HttpServerExchange exchange) {
        if (exchange.getRequestHeaders().contains(Headers.AUTHORIZATION)
                || !exchange.getRequestMethod().equals(io.undertow.util.Methods.GET)
                || !exchange.getRelativePath().equals("/datastore/image")) {
            return false;
        }
        return Http.query(exchange, "image")
                .filter(
                        image ->
                                authentication.downloadGranted(Http.clientAddress(exchange), image))
                .isPresent();
    }

    /** Checks the request's bearer token and records its user in {@link Http#USER}. */
    public static Identity authenticate(
            Authentication authentication, HttpServerExchange exchange) {
        Identity user =
                authentication.authenticate(
                        Optional.ofNullable(
                                exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION)));
        exchange.putAttachment(Http.USER, user.username());
        return user;
    }
}
