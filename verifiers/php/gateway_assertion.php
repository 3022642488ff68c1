<?php
// Verifies the edge-auth-gateway's X-Auth-Assertion in a PHP app (PHP >= 7.4, ext-openssl,
// ext-json; no Composer). Paste this file and, before the app runs:
//
//   require __DIR__ . '/gateway_assertion.php';
//   $identity = gateway_assertion_require([
//       'issuer'   => 'https://app.example.com',          // the gateway's own origin
//       'audience' => 'http://10.0.0.5:8080',             // ASSERTION_AUDIENCE, or the origin of ORIGIN_URL
//       'jwks_url' => 'https://app.example.com/.well-known/edge-auth-gateway/jwks.json',
//       // or, with no network call: 'jwks' => '{"keys":[...]}' (the pasted JWKS, JSON or array)
//   ]);
//   // Reached only with a valid assertion; otherwise a 401 was sent and the script exited.
//   $userId = $identity['user_id'];   // null when signed out ($identity['status'] 'signed-out')
//
// gateway_assertion_verify($method, $target, $headerValue, $config) does the same without
// touching the response: it returns the claims or throws GatewayAssertionRejected (->reason: the
// same codes as the Node and Python verifiers).
//
// A request passes only if its assertion is signed (ES256) by a key of the JWKS, by this gateway
// (`iss`), for this origin (`aud`), unexpired (`exp`, and `iat` not in the future, with 'leeway'
// seconds, default 5), and for this very request: `req` is base64url(SHA-256("<METHOD>
// <request-target>")), recomputed from $_SERVER['REQUEST_METHOD'] and $_SERVER['REQUEST_URI'],
// the raw request-target (percent-encoded, with the query) under `php -S`, Apache mod_php, and
// php-fpm behind nginx (fastcgi_params: REQUEST_URI $request_uri) or Caddy (php_fastcgi). Keep
// a rewrite (try_files, mod_rewrite to index.php) from changing REQUEST_URI, as those do.
//
// The JWKS URL is fetched with a 2 s timeout, cached 5 minutes in a file ('cache_dir', default
// sys_get_temp_dir()), and fetched again for an unknown kid at most once per 30 s
// ('refresh_cooldown').

final class GatewayAssertionRejected extends RuntimeException
{
    /** @var string missing, malformed, algorithm, unknown_kid, jwks_unavailable, signature, issuer, audience, expired, not_yet_valid, claims, binding */
    public $reason;

    public function __construct(string $reason, string $detail = '')
    {
        parent::__construct($detail === '' ? $reason : "$reason: $detail");
        $this->reason = $reason;
    }
}

/** The `req` claim: base64url(SHA-256("<METHOD> <target>")), no padding. */
function gateway_assertion_binding(string $method, string $target): string
{
    return gateway_assertion_b64url_encode(hash('sha256', $method . ' ' . $target, true));
}

function gateway_assertion_b64url_encode(string $bytes): string
{
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

/** Strict base64url (no padding, no other characters); throws 'malformed'. */
function gateway_assertion_b64url_decode(string $text): string
{
    $bytes = preg_match('/^[A-Za-z0-9_-]*$/', $text) === 1 ? base64_decode(strtr($text, '-_', '+/'), true) : false;
    if ($bytes === false) {
        throw new GatewayAssertionRejected('malformed', 'not base64url');
    }
    return $bytes;
}

/** A JSON object (not a list) as an array; throws 'malformed'. */
function gateway_assertion_json_object(string $json): array
{
    $value = json_decode($json, true, 16);
    if (!is_array($value) || ($value !== [] && array_keys($value) === range(0, count($value) - 1))) {
        throw new GatewayAssertionRejected('malformed', 'not a JSON object');
    }
    return $value;
}

/**
 * An EC P-256 JWK (x, y) as a PEM public key: the fixed SubjectPublicKeyInfo DER prefix for
 * id-ecPublicKey / prime256v1, then the uncompressed point 04 || x || y.
 */
function gateway_assertion_jwk_to_pem(array $jwk): string
{
    $x = gateway_assertion_b64url_decode((string) ($jwk['x'] ?? ''));
    $y = gateway_assertion_b64url_decode((string) ($jwk['y'] ?? ''));
    if (strlen($x) !== 32 || strlen($y) !== 32) {
        throw new GatewayAssertionRejected('jwks_unavailable', 'a P-256 key needs 32-byte x and y');
    }
    $der = hex2bin('3059301306072a8648ce3d020106082a8648ce3d030107034200') . "\x04" . $x . $y;
    return "-----BEGIN PUBLIC KEY-----\n" . chunk_split(base64_encode($der), 64, "\n") . "-----END PUBLIC KEY-----\n";
}

/** A JOSE ES256 signature (r || s, 32 bytes each) as the DER ECDSA-Sig-Value openssl_verify expects. */
function gateway_assertion_signature_to_der(string $signature): string
{
    if (strlen($signature) !== 64) {
        throw new GatewayAssertionRejected('signature', 'an ES256 signature is 64 bytes');
    }
    $integer = function (string $bytes): string {
        $bytes = ltrim($bytes, "\x00");
        if ($bytes === '' || ord($bytes[0]) >= 0x80) {
            $bytes = "\x00" . $bytes; // positive, minimal
        }
        return "\x02" . chr(strlen($bytes)) . $bytes;
    };
    $sequence = $integer(substr($signature, 0, 32)) . $integer(substr($signature, 32));
    return "\x30" . chr(strlen($sequence)) . $sequence;
}

/** The usable keys of a JWKS, by kid: EC P-256 only, for ES256 only. */
function gateway_assertion_keys_by_kid(array $jwks): array
{
    $keys = [];
    foreach (($jwks['keys'] ?? []) as $jwk) {
        if (is_array($jwk) && ($jwk['kty'] ?? null) === 'EC' && ($jwk['crv'] ?? null) === 'P-256' && is_string($jwk['kid'] ?? null)
            && ($jwk['alg'] ?? 'ES256') === 'ES256' && ($jwk['use'] ?? 'sig') === 'sig') {
            $keys[$jwk['kid']] = $jwk;
        }
    }
    return $keys;
}

/** GETs the JWKS URL (2 s timeout, 200 only, no redirects); null when it fails. */
function gateway_assertion_fetch_jwks(string $url, float $timeout): ?array
{
    $context = stream_context_create(['http' => [
        'method' => 'GET',
        'timeout' => $timeout,
        'follow_location' => 0,
        'ignore_errors' => true,
        'header' => "Accept: application/json\r\n",
    ]]);
    $body = @file_get_contents($url, false, $context);
    $status = isset($http_response_header[0]) && preg_match('#^HTTP/\S+ (\d{3})#', $http_response_header[0], $m) ? (int) $m[1] : 0;
    if ($body === false || $status !== 200) {
        return null;
    }
    $jwks = json_decode($body, true);
    return is_array($jwks) && is_array($jwks['keys'] ?? null) ? $jwks : null;
}

/** The JWK for `kid`, from the pasted JWKS or the (cached) JWKS URL; throws unknown_kid / jwks_unavailable. */
function gateway_assertion_key(string $kid, array $config): array
{
    if (isset($config['jwks'])) {
        $jwks = is_string($config['jwks']) ? json_decode($config['jwks'], true) : $config['jwks'];
        $keys = gateway_assertion_keys_by_kid(is_array($jwks) ? $jwks : []);
        if (!isset($keys[$kid])) {
            throw new GatewayAssertionRejected('unknown_kid', $kid);
        }
        return $keys[$kid];
    }
    $url = (string) ($config['jwks_url'] ?? '');
    if ($url === '') {
        throw new LogicException("gateway_assertion: set 'jwks' (the pasted JWKS) or 'jwks_url'");
    }
    $file = rtrim($config['cache_dir'] ?? sys_get_temp_dir(), '/') . '/gateway-jwks-' . sha1($url) . '.json';
    $cacheSeconds = $config['cache_seconds'] ?? 300;
    $cooldown = $config['refresh_cooldown'] ?? 30;

    // The cache: { "attempted_at": <last fetch attempt>, "jwks": <last good JWKS, or null> }.
    $cache = is_file($file) ? json_decode((string) @file_get_contents($file), true) : null;
    $jwks = is_array($cache) && is_array($cache['jwks'] ?? null) ? $cache['jwks'] : null;
    $age = is_array($cache) && is_numeric($cache['attempted_at'] ?? null) ? microtime(true) - $cache['attempted_at'] : INF;
    $keys = $jwks === null ? [] : gateway_assertion_keys_by_kid($jwks);
    $due = $jwks === null ? $age >= $cooldown : ($age >= $cacheSeconds || (!isset($keys[$kid]) && $age >= $cooldown));
    if ($due) {
        $fetched = gateway_assertion_fetch_jwks($url, (float) ($config['timeout'] ?? 2));
        // Keep the last good JWKS when a fetch fails; note the attempt either way (the cooldown).
        $jwks = $fetched ?? $jwks;
        $keys = $jwks === null ? [] : gateway_assertion_keys_by_kid($jwks);
        $temp = @tempnam(dirname($file), 'gateway-jwks-');
        if ($temp !== false && @file_put_contents($temp, json_encode(['attempted_at' => microtime(true), 'jwks' => $jwks])) !== false) {
            @chmod($temp, 0644);
            @rename($temp, $file); // atomic: concurrent workers read the old file or the new one
        } elseif ($temp !== false) {
            @unlink($temp);
        }
    }
    if ($jwks === null) {
        throw new GatewayAssertionRejected('jwks_unavailable', $url);
    }
    if (!isset($keys[$kid])) {
        throw new GatewayAssertionRejected('unknown_kid', $kid);
    }
    return $keys[$kid];
}

/**
 * The assertion's claims if it vouches for `$method` `$target` (the raw request-target);
 * throws GatewayAssertionRejected otherwise.
 *
 * @param array $config issuer, audience, jwks | jwks_url, leeway (5), cache_dir, cache_seconds (300), refresh_cooldown (30), timeout (2)
 */
function gateway_assertion_verify(string $method, string $target, ?string $assertion, array $config): array
{
    $issuer = (string) ($config['issuer'] ?? '');
    $audience = (string) ($config['audience'] ?? '');
    if ($issuer === '' || $audience === '') {
        throw new LogicException("gateway_assertion: 'issuer' and 'audience' are required");
    }
    $leeway = (int) ($config['leeway'] ?? 5);
    if ($assertion === null || $assertion === '') {
        throw new GatewayAssertionRejected('missing');
    }
    $parts = explode('.', $assertion);
    if (count($parts) !== 3) {
        throw new GatewayAssertionRejected('malformed', 'not a compact JWS');
    }
    [$encodedHeader, $encodedPayload, $encodedSignature] = $parts;
    $header = gateway_assertion_json_object(gateway_assertion_b64url_decode($encodedHeader));
    if (($header['alg'] ?? null) !== 'ES256') {
        throw new GatewayAssertionRejected('algorithm', (string) json_encode($header['alg'] ?? null));
    }
    if (!is_string($header['kid'] ?? null)) {
        throw new GatewayAssertionRejected('unknown_kid', 'no kid');
    }
    if (isset($header['crit'])) {
        throw new GatewayAssertionRejected('malformed', 'unsupported crit header');
    }
    $jwk = gateway_assertion_key($header['kid'], $config);

    $signature = gateway_assertion_signature_to_der(gateway_assertion_b64url_decode($encodedSignature));
    $publicKey = openssl_pkey_get_public(gateway_assertion_jwk_to_pem($jwk));
    if ($publicKey === false) {
        throw new GatewayAssertionRejected('jwks_unavailable', 'the JWK is not a P-256 public key');
    }
    if (openssl_verify($encodedHeader . '.' . $encodedPayload, $signature, $publicKey, OPENSSL_ALGO_SHA256) !== 1) {
        throw new GatewayAssertionRejected('signature');
    }

    // Signed by the gateway: now what it says.
    $claims = gateway_assertion_json_object(gateway_assertion_b64url_decode($encodedPayload));
    $now = time();
    $number = function ($value): bool {
        return is_int($value) || is_float($value);
    };
    foreach (['iss', 'aud', 'sts', 'req'] as $name) {
        if (!isset($claims[$name])) {
            throw new GatewayAssertionRejected('claims', "no $name");
        }
    }
    if (!$number($claims['exp'] ?? null) || !$number($claims['iat'] ?? null) || !is_string($claims['sts']) || !is_string($claims['req'])) {
        throw new GatewayAssertionRejected('claims', 'exp, iat must be numbers, sts, req strings');
    }
    if ($claims['iss'] !== $issuer) {
        throw new GatewayAssertionRejected('issuer');
    }
    $aud = $claims['aud'];
    if (!($aud === $audience || (is_array($aud) && in_array($audience, $aud, true)))) {
        throw new GatewayAssertionRejected('audience');
    }
    if ($claims['exp'] <= $now - $leeway) {
        throw new GatewayAssertionRejected('expired');
    }
    if ($claims['iat'] > $now + $leeway || ($number($claims['nbf'] ?? null) && $claims['nbf'] > $now + $leeway)) {
        throw new GatewayAssertionRejected('not_yet_valid');
    }
    if (!hash_equals(gateway_assertion_binding($method, $target), $claims['req'])) {
        throw new GatewayAssertionRejected('binding', "not for $method $target");
    }
    return $claims;
}

/** What the app reads: status ('active' | 'pending' | 'signed-out'), user and session ids, organization, all the claims. */
function gateway_assertion_identity(array $claims): array
{
    return [
        'status' => $claims['sts'],
        'user_id' => $claims['sub'] ?? null,
        'session_id' => $claims['sid'] ?? null,
        'org_id' => $claims['org_id'] ?? null,
        'org_role' => $claims['org_role'] ?? null,
        'org_slug' => $claims['org_slug'] ?? null,
        'org_permissions' => $claims['org_permissions'] ?? [],
        'claims' => $claims,
    ];
}

/** Verifies this request ($_SERVER) and returns the identity; otherwise answers 401 and exits. */
function gateway_assertion_require(array $config): array
{
    try {
        $claims = gateway_assertion_verify(
            (string) ($_SERVER['REQUEST_METHOD'] ?? ''),
            (string) ($_SERVER['REQUEST_URI'] ?? ''),
            $_SERVER['HTTP_X_AUTH_ASSERTION'] ?? null,
            $config
        );
    } catch (GatewayAssertionRejected $rejected) {
        http_response_code(401);
        header('Content-Type: application/json');
        echo json_encode(['error' => 'invalid_assertion', 'reason' => $rejected->reason]);
        exit;
    }
    return gateway_assertion_identity($claims);
}
