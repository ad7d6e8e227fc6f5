/**
 * Authentication and roles: local users ({@link org.monailabel.engine.auth.UsersFile}, salted
 * PBKDF2 hashes) signed in with HS256 tokens of the server's own key ({@link
 * org.monailabel.engine.auth.LocalAuthenticator}), or tokens of an external OpenID Connect provider
 * checked against its JWKS ({@link org.monailabel.engine.auth.ExternalAuthenticator}); the four
 * roles of MONAI Label ({@link org.monailabel.engine.auth.Role}). The HTTP layer reaches this
 * package through {@link org.monailabel.engine.Authentication}.
 */
package org.monailabel.engine.auth;
