package org.monailabel.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.monailabel.engine.Authentication;
import org.monailabel.engine.auth.Role;
import org.monailabel.http.RouteRoles.Access;
import org.monailabel.http.handler.Services;
import org.monailabel.http.support.Forms;

/**
 * Every route the server registers, called with no token and with a token of each role, answers as
 * {@link RouteRoles} says: 401 (JSON detail, {@code WWW-Authenticate: Bearer}) without a token, 403
 * (JSON detail naming the role) with a role too low, and anything but those two with a role high
 * enough. A route missing from the table, or an entry without its route, fails the test, so that a
 * new route cannot go out without a role. The studies folder is empty, so that the admin's calls
 * delete and train nothing.
 */
class HttpRouteRolesTest {
    @TempDir static Path root;

    static TestServer server;
    static final Map<String, String> tokens = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path users = root.resolve("users.json");
        for (Role role : Role.values()) {
            Authentication.addUser(
                    users,
                    role.plainName(),
                    role.plainName(),
                    ("pw-" + role.plainName() + "-1234").toCharArray(),
                    "",
                    "");
        }
        server = TestServer.start(root, b -> b.users(users));
        for (Role role : Role.values()) {
            tokens.put(
                    role.plainName(),
                    server.authorization(role.plainName(), "pw-" + role.plainName() + "-1234"));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<Routes.Route> registered() throws IOException {
        Path work = Files.createTempDirectory(root, "routes");
        return Routes.table(
                        new Services(
                                server.server.monaiLabel(),
                                new Forms(work.resolve("uploads"), 1024),
                                work,
                                MonaiLabelServer.version(),
                                server.server.authentication()))
                .registered();
    }

    @Test
    void everyRouteHasARoleAndEveryRoleEntryARoute() throws Exception {
        List<Routes.Route> routes = registered();
        assertThat(routes).hasSizeGreaterThan(40);
        assertThat(routes)
                .as("routes missing from RouteRoles")
                .allSatisfy(r -> assertThat(RouteRoles.of(r)).as(r.toString()).isPresent());
        assertThat(RouteRoles.table().keySet())
                .as("RouteRoles entries without a route")
                .allSatisfy(r -> assertThat(routes).as(r.toString()).contains(r));
    }

    @Test
    void theOpenApiDocumentNamesEachOperationsRoleAsTheTableDoes() throws Exception {
        Map<String, Object> document = TestServer.json(server.get("/openapi.json"));
        List<String> wrong = new ArrayList<>();
        TestServer.map(document.get("paths"))
                .forEach(
                        (path, item) ->
                                TestServer.map(item)
                                        .forEach(
                                                (method, operation) -> {
                                                    Routes.Route route =
                                                            new Routes.Route(
                                                                    method.toUpperCase(
                                                                            java.util.Locale.ROOT),
                                                                    path);
                                                    Object role =
                                                            TestServer.map(operation).get("x-role");
                                                    String expected =
                                                            RouteRoles.of(route)
                                                                    .map(
                                                                            a ->
                                                                                    a.name()
                                                                                            .toLowerCase(
                                                                                                    java
                                                                                                            .util
                                                                                                            .Locale
                                                                                                            .ROOT))
                                                                    .orElse("(none)");
                                                    if (!expected.equals(role)) {
                                                        wrong.add(
                                                                route
                                                                        + ": x-role "
                                                                        + role
                                                                        + ", table "
                                                                        + expected);
                                                    }
                                                }));
        assertThat(wrong).isEmpty();
        assertThat(
                        TestServer.map(
                                TestServer.map(document.get("components")).get("securitySchemes")))
                .containsKey("bearer");
    }

    @Test
    void everyRouteAnswersEachRoleAndNoTokenAsTheTableSays() throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Routes.Route route : registered()) {
            Access access = RouteRoles.of(route).orElse(null);
            if (access == null) {
                wrong.add(route + ": not in RouteRoles");
                continue;
            }
            HttpResponse<String> anonymous = call(route, "");
            boolean checksItsOwnToken = route.path().equals("/auth/token/valid");
            if (access == Access.PUBLIC && !checksItsOwnToken) {
                expectServed(wrong, route, "no token", anonymous);
            } else {
                expectStatus(wrong, route, "no token", anonymous, 401);
                if (!anonymous
                        .headers()
                        .firstValue("WWW-Authenticate")
                        .equals(Optional.of("Bearer"))) {
                    wrong.add(route + " no token: no WWW-Authenticate: Bearer");
                }
            }
            for (Role role : Role.values()) {
                HttpResponse<String> reply = call(route, tokens.get(role.plainName()));
                String who = "role " + role.plainName();
                if (access.role().isEmpty() || role.includes(access.role().get())) {
                    expectServed(wrong, route, who, reply);
                } else {
                    expectStatus(wrong, route, who, reply, 403);
                    if (!route.method().equals("HEAD")
                            && !reply.body().contains(access.role().get().realmName())) {
                        wrong.add(
                                route
                                        + " "
                                        + who
                                        + ": 403 without the role named: "
                                        + reply.body());
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    private static void expectServed(
            List<String> wrong, Routes.Route route, String who, HttpResponse<String> reply) {
        if (reply.statusCode() == 401 || reply.statusCode() == 403) {
            wrong.add(route + " " + who + ": " + reply.statusCode() + " " + reply.body());
        }
    }

    private static void expectStatus(
            List<String> wrong,
            Routes.Route route,
            String who,
            HttpResponse<String> reply,
            int status) {
        if (reply.statusCode() != status) {
            wrong.add(route + " " + who + ": " + reply.statusCode() + " instead of " + status);
        } else if (!route.method().equals("HEAD")
                && !reply.headers()
                        .firstValue("Content-Type")
                        .equals(Optional.of("application/json"))) {
            wrong.add(route + " " + who + ": " + status + " without a JSON detail");
        }
    }

    /** The route with its path parameters filled in, with an empty body. */
    private static HttpResponse<String> call(Routes.Route route, String authorization)
            throws Exception {
        String path =
                route.path()
                        .replace("{file}", "swagger-ui.css")
                        .replace("{path}", "studies")
                        .replaceAll("\\{[^}]+}", "nope");
        HttpRequest.Builder request =
                HttpRequest.newBuilder(server.uri(path))
                        .method(route.method(), HttpRequest.BodyPublishers.noBody());
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        return server.client.send(
                request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
