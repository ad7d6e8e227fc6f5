package org.monailabel.api;

/** Checks the names apps give their tasks: they appear in URL paths and file names. */
final class Names {
    private Names() {}

    static void check(String what, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(what + " name must not be empty");
        }
        if (name.indexOf('/') >= 0
                || name.indexOf('\\') >= 0
                || name.equals(".")
                || name.equals("..")) {
            throw new IllegalArgumentException(
                    what + " name '" + name + "' must not contain / or \\ or be . or ..");
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) {
                throw new IllegalArgumentException(
                        what + " name must not contain control characters");
            }
        }
    }
}
