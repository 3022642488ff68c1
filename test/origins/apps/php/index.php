<?php
// PHP origin for the origins conformance suite (test/origins): one front controller, served by
// `php -S` (as its router script) and by php-fpm behind nginx and Caddy.
//
// Routing as a typical hand-written front controller does it: the path of REQUEST_URI (before the
// first `?`), rawurldecode()d, matched against case-insensitive UTF-8 regexps (/iu), first match
// wins, anything else is the public page. Identity from $_SERVER['HTTP_X_AUTH_*'], cookies from
// $_COOKIE: PHP's own readings, with every name mangling PHP does (`.`, ` `, `[` → `_`,
// urldecoded cookie names).

$uri = $_SERVER['REQUEST_URI'] ?? '/';

// The identity assertion's verifier (verifiers/php/gateway_assertion.php): GET /__verifier says
// whether it can run here, /verified/* and /verified-remote/* are guarded by it (verified.php).
if ($uri === '/__verifier') {
    header('Content-Type: application/json');
    echo json_encode([
        'framework' => 'php',
        'handler' => 'verifier',
        'verifier' => extension_loaded('openssl') ? 'ok' : 'the verifier needs PHP\'s openssl extension',
    ]);
    return;
}
if (preg_match('#^/verified(-remote)?(/|\?|$)#', $uri) === 1) {
    require __DIR__ . '/verified.php';
    return;
}

$path = rawurldecode(explode('?', $uri, 2)[0]);

$routes = [
    'dashboard' => '#^/dashboard(?:/.*)?$#iu',
    'app' => '#^/app(?:/.*)?$#iu',
    'item' => '#^/item(?:/[^/]+)?/?$#iu',
    'apikeys' => '#^/api/keys.*$#iu',
    'admin' => '#^/admin/[^/]+/?$#iu',
    'profile' => '#^/profile.*$#iu',
    'staff' => '#^/staff(?:/.*)?$#iu',
];

$handler = 'public';
// An invoices resource as Laravel routes it (issue 17): PUT and PATCH (also a POST with a `_method`
// field or X-HTTP-Method-Override) reach the update action; any other method, OPTIONS included,
// the read action, as a front controller that never looks at the method does.
$method = strtoupper($_POST['_method'] ?? ($_SERVER['HTTP_X_HTTP_METHOD_OVERRIDE'] ?? ($_SERVER['REQUEST_METHOD'] ?? 'GET')));
if (preg_match('#^/invoices(?:/.*)?$#iu', $path) === 1) {
    $handler = in_array($method, ['PUT', 'PATCH'], true) ? 'protected:invoices:update' : (in_array($method, ['POST', 'DELETE'], true) ? 'protected:invoices:manage' : 'protected:invoices:read');
}
foreach ($handler === 'public' ? $routes : [] as $name => $re) {
    if (preg_match($re, $path) === 1) {
        $handler = 'protected:' . $name;
        break;
    }
}

$server = function (string $key) {
    return $_SERVER[$key] ?? null;
};

header('Content-Type: application/json');
echo json_encode([
    'framework' => 'php',
    'handler' => $handler,
    'path' => $path,
    'sapi' => PHP_SAPI,
    'method' => $_SERVER['REQUEST_METHOD'] ?? null,
    'userId' => $server('HTTP_X_AUTH_USER_ID'),
    'sessionId' => $server('HTTP_X_AUTH_SESSION_ID'),
    'sessionStatus' => $server('HTTP_X_AUTH_SESSION_STATUS'),
    'forwardedHost' => $server('HTTP_X_FORWARDED_HOST'),
    'session' => $_COOKIE['__session'] ?? null,
    'clientUat' => $_COOKIE['__client_uat'] ?? null,
    'alt' => (object) [],
    // Every identity header as PHP reads it (the forward-auth recipes: none may hold placeholder text).
    'auth' => (object) array_filter($_SERVER, fn ($key) => strncmp((string) $key, 'HTTP_X_AUTH_', 12) === 0, ARRAY_FILTER_USE_KEY),
    'cookieHeader' => $server('HTTP_COOKIE'),
], JSON_INVALID_UTF8_SUBSTITUTE | JSON_UNESCAPED_SLASHES);
