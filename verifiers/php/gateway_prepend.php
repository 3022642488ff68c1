<?php
// Verifies X-Auth-Assertion before ANY PHP script of a site runs: every entry point (index.php,
// wp-login.php, xmlrpc.php, wp-admin/*.php, a forgotten upload.php), not only the front controller.
// Load it with PHP's auto_prepend_file, next to gateway_assertion.php:
//
//   php-fpm pool (/etc/php/8.2/fpm/pool.d/www.conf):  php_admin_value[auto_prepend_file] = /srv/gateway/gateway_prepend.php
//   php.ini / conf.d:                                 auto_prepend_file = /srv/gateway/gateway_prepend.php
//   Apache mod_php (vhost, not .htaccess):            php_admin_value auto_prepend_file /srv/gateway/gateway_prepend.php
//   php -S:                                           php -d auto_prepend_file=/srv/gateway/gateway_prepend.php -S …
//
// (Not nginx's `fastcgi_param PHP_VALUE`: php-fpm keeps such a value in the worker for later
// requests of other sites.) The settings come from the server, as $_SERVER or the environment:
//
//   GATEWAY_ISSUER     the gateway's own origin, e.g. https://app.example.com
//   GATEWAY_AUDIENCE   ASSERTION_AUDIENCE, or the origin of the gateway's ORIGIN_URL
//   GATEWAY_JWKS_URL   https://app.example.com/.well-known/edge-auth-gateway/jwks.json, or
//   GATEWAY_JWKS       the pasted JWKS (JSON), or GATEWAY_JWKS_FILE, a file holding it
//   GATEWAY_JWKS_CACHE_DIR  optional: where the fetched JWKS is cached (default the temp dir)
//
// nginx: `fastcgi_param GATEWAY_ISSUER https://app.example.com;` (…) in the PHP location; php-fpm:
// `env[GATEWAY_ISSUER] = …` in the pool; Apache: `SetEnv GATEWAY_ISSUER …`.
//
// A request without a valid assertion gets 401 {"error":"invalid_assertion","reason":…} and no
// script runs; a missing setting gets 500 (the log names it) and no script runs. Otherwise the
// script finds the identity in $GLOBALS['gateway_identity'] and $_SERVER['GATEWAY_USER_ID'],
// GATEWAY_SESSION_STATUS, GATEWAY_ORG_ID, GATEWAY_ORG_ROLE, GATEWAY_ORG_SLUG (each set only when
// known). Static files the web server answers without PHP are not covered: keep private files out
// of the web root, or behind PHP.
require_once __DIR__ . '/gateway_assertion.php';

(function (): void {
    $setting = function (string $name): ?string {
        $value = $_SERVER[$name] ?? getenv($name);
        return is_string($value) && $value !== '' ? $value : null;
    };
    $fail = function (string $problem): void {
        error_log("gateway_prepend.php: $problem; answering 500");
        http_response_code(500);
        header('Content-Type: text/plain');
        echo "Server misconfigured.\n";
        exit;
    };

    $config = ['issuer' => $setting('GATEWAY_ISSUER'), 'audience' => $setting('GATEWAY_AUDIENCE')];
    foreach ($config as $name => $value) {
        if ($value === null) $fail('GATEWAY_' . strtoupper($name) . ' is not set');
    }
    if (($url = $setting('GATEWAY_JWKS_URL')) !== null) {
        $config['jwks_url'] = $url;
        if (($dir = $setting('GATEWAY_JWKS_CACHE_DIR')) !== null) $config['cache_dir'] = $dir;
    } elseif (($jwks = $setting('GATEWAY_JWKS')) !== null) {
        $config['jwks'] = $jwks;
    } elseif (($file = $setting('GATEWAY_JWKS_FILE')) !== null) {
        $jwks = @file_get_contents($file);
        if ($jwks === false) $fail("GATEWAY_JWKS_FILE $file cannot be read");
        $config['jwks'] = $jwks;
    } else {
        $fail('none of GATEWAY_JWKS_URL, GATEWAY_JWKS, GATEWAY_JWKS_FILE is set');
    }

    // Answers 401 and exits unless the assertion vouches for this very request.
    $identity = gateway_assertion_require($config);
    $GLOBALS['gateway_identity'] = $identity;
    $fields = ['GATEWAY_USER_ID' => 'user_id', 'GATEWAY_SESSION_STATUS' => 'status', 'GATEWAY_ORG_ID' => 'org_id', 'GATEWAY_ORG_ROLE' => 'org_role', 'GATEWAY_ORG_SLUG' => 'org_slug'];
    foreach ($fields as $name => $field) {
        if ($identity[$field] !== null) $_SERVER[$name] = $identity[$field];
        else unset($_SERVER[$name]);
    }
})();
