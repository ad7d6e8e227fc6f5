package org.monailabel.http.handler;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.monailabel.api.error.InvalidInputException;
import org.monailabel.api.error.NotFoundException;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.auth.Identity;
import org.monailabel.http.support.AuthenticationHandler;
import org.monailabel.http.support.Form;
import org.monailabel.http.support.Http;
import org.monailabel.http.support.Json;

/**
 * {@code GET /auth/}, {@code POST /auth/token} and {@code GET /auth/token/valid}, as MONAI Label's
 * clients use them (docs/rest-api.md §1.7): whether authentication is on, the OAuth2 password
 * grant, and who a token belongs to. Open to everyone; with authentication off the last two are a
 * 404, as upstream, where they are not registered.
 */
public final class AuthEndpoints {
    private static final HttpString CACHE_CONTROL = new HttpString("Cache-Control");
    private static final HttpString PRAGMA = new HttpString("Pragma");

    private final Services services;

    public AuthEndpoints(Services services) {
        this.services = Objects.requireNonNull(services, "services");
    }

    private Authentication authentication() {
        return services.authentication();
    }

    /** {@code GET /auth/}: {@code {"enabled", "client_id", "realm"}}. */
    public void status(HttpServerExchange exchange) {
        Json.send(exchange, authentication().status());
    }

    /**
     * {@code POST /auth/token}: form fields {@code username}, {@code password} and optionally
     * {@code grant_type=password} (urlencoded or multipart) → {@code {"access_token", "token_type":
     * "bearer", "expires_in"}}; 401 for a wrong name or password, 429 after too many.
     */
    public void token(HttpServerExchange exchange) throws IOException {
        if (!authentication().enabled()) {
            throw new NotFoundException("Authentication is not enabled on this server");
        }
        try (Form form = services.forms().parse(exchange)) {
            String grant = form.field("grant_type").orElse("password");
            if (!grant.equals("password")) {
                throw new InvalidInputException(
                        "Unsupported grant_type '" + grant + "' (only 'password')");
            }
            String username = form.field("username").orElse("");
            String password = form.field("password").orElse("");
            Map<String, Object> reply =
                    authentication().signIn(username, password, Http.clientAddress(exchange));
            exchange.putAttachment(Http.USER, username);
            exchange.getResponseHeaders().put(CACHE_CONTROL, "no-store").put(PRAGMA, "no-cache");
            Json.send(exchange, reply);
        }
    }

    /** {@code GET /auth/token/valid}: {@code {"username", "email", "name", "roles"}}, or 401. */
    public void valid(HttpServerExchange exchange) {
        if (!authentication().enabled()) {
            throw new NotFoundException("Authentication is not enabled on this server");
        }
        Identity user = AuthenticationHandler.authenticate(authentication(), exchange);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("username", user.username());
        json.put("email", user.email());
        json.put("name", user.name());
        json.put("roles", user.roles());
        Json.send(exchange, json);
    }
}
