<?php
// The identity assertion's verifier as an app would use it (gateway_assertion_require), under
// /verified/* with the pasted JWKS (GATEWAY_JWKS_FILE) and /verified-remote/* with the JWKS URL
// (GATEWAY_JWKS_URL, cached in GATEWAY_JWKS_CACHE_DIR). The settings come from the server: the
// environment of `php -S`, php-fpm's pool `env[...]`, and each web server's FastCGI params (its
// own audience and JWKS URL).
require __DIR__ . '/../../../../verifiers/php/gateway_assertion.php';

$setting = function (string $name): ?string {
    $value = $_SERVER[$name] ?? getenv($name);
    return is_string($value) && $value !== '' ? $value : null;
};

$config = [
    'issuer' => $setting('GATEWAY_ISSUER'),
    'audience' => $setting('GATEWAY_AUDIENCE'),
];
if (strncmp($_SERVER['REQUEST_URI'], '/verified-remote', 16) === 0) {
    $config += [
        'jwks_url' => $setting('GATEWAY_JWKS_URL'),
        'refresh_cooldown' => (float) $setting('GATEWAY_JWKS_COOLDOWN'),
        'cache_dir' => $setting('GATEWAY_JWKS_CACHE_DIR'),
    ];
} else {
    $config['jwks'] = file_get_contents($setting('GATEWAY_JWKS_FILE'));
}

$identity = gateway_assertion_require($config);

header('Content-Type: application/json');
echo json_encode([
    'framework' => 'php',
    'handler' => 'verified',
    'sub' => $identity['user_id'],
    'sid' => $identity['session_id'],
    'sts' => $identity['status'],
    'orgId' => $identity['org_id'],
    'target' => $_SERVER['REQUEST_URI'],
], JSON_UNESCAPED_SLASHES);
