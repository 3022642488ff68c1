"""Verifies the edge-auth-gateway's X-Auth-Assertion in a Python (WSGI) app: Flask or Django.

Paste this file into your app. It needs PyJWT >= 2 with cryptography (Debian: python3-jwt,
python3-cryptography; pip: "PyJWT[crypto]"); Flask and Django are imported only when used.

The whole app, every request before any view, static file or 404 (recommended):

    protect_flask_app(app, verifier)          # Flask: an app.before_request hook
    MIDDLEWARE = ['gateway_assertion.GatewayAssertionMiddleware', ...]   # Django, first in the list

One view at a time:

    from gateway_assertion import GatewayVerifier, flask_required

    verifier = GatewayVerifier(
        issuer='https://app.example.com',                # the gateway's own origin
        audience='http://10.0.0.5:8080',                 # ASSERTION_AUDIENCE, or the origin of ORIGIN_URL
        jwks_url='https://app.example.com/.well-known/edge-auth-gateway/jwks.json',
        # or, with no network call: jwks={'keys': [...]} (the pasted JWKS, a dict or its JSON)
    )

    @app.get('/me')
    @flask_required(verifier)
    def me():
        return {'user': flask.g.gateway_identity['user_id']}

Django: `@django_required(verifier)` on a view (sets `request.gateway_identity`), or
`GatewayAssertionMiddleware` in MIDDLEWARE with `GATEWAY_ASSERTION = {'issuer': ..., 'audience':
..., 'jwks_url': ...}` in settings (every request is verified). Anything else:
`verifier.verify(method, raw_target, header_value)` returns the claims or raises
AssertionRejected (`.reason`: the same codes as the Node and PHP verifiers).

A request passes only if its assertion is signed (ES256) by a key of the JWKS, by this gateway
(`iss`), for this origin (`aud`), unexpired (`exp`, and `iat` not in the future, with `leeway`
seconds), and for this very request: `req` is base64url(SHA-256("<METHOD> <request-target>")),
where the request-target is what the gateway sent on the request line, still percent-encoded,
with `?query` when there is one. WSGI gives the decoded PATH_INFO; the raw target comes from
`raw_target(environ)`:

  1. REQUEST_URI: set by uWSGI, mod_wsgi and Werkzeug's dev server (Flask); the raw target.
  2. RAW_URI: set by gunicorn (and Werkzeug); the raw target.
  3. Otherwise (Django's runserver, wsgiref, waitress): rebuilt from SCRIPT_NAME + PATH_INFO
     (Django: request.path, see django_raw_target), percent-encoding exactly what a URL parser
     (WHATWG) encodes in a path, plus `%`, then `?QUERY_STRING` (WSGI keeps the query raw).
     This matches the gateway's target when the
     path has no needless escapes: `%20`, `%C3%A9`, `@`, `,` round-trip; an escaped character
     that needs none (`%40` for `@`, `%7C` for `|`) does not, and such a request is refused
     ('binding'), never accepted wrongly: any target that rebuilds to the one the gateway signed
     decodes to the same PATH_INFO, so the app sees the request the gateway vouched for.
     Prefer a server that sets REQUEST_URI or RAW_URI.
"""
import base64
import hashlib
import json
import threading
import time
import urllib.request
from urllib.parse import quote

import jwt
from jwt.algorithms import has_crypto

if not has_crypto:
    raise ImportError('gateway_assertion needs PyJWT with cryptography (Debian: python3-cryptography; pip: PyJWT[crypto])')

ASSERTION_HEADER = 'X-Auth-Assertion'
_ENVIRON_KEY = 'HTTP_X_AUTH_ASSERTION'


class AssertionRejected(Exception):
    """The assertion does not vouch for this request; `reason` says why (missing, malformed,
    algorithm, unknown_kid, jwks_unavailable, signature, issuer, audience, expired,
    not_yet_valid, claims, binding)."""

    def __init__(self, reason, detail=''):
        super().__init__(f'{reason}: {detail}' if detail else reason)
        self.reason = reason


def request_binding(method, target):
    """The `req` claim: base64url(SHA-256 of the UTF-8 of "<METHOD> <target>"), no padding."""
    digest = hashlib.sha256(f'{method} {target}'.encode('utf-8')).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b'=').decode('ascii')


# What the URL Standard leaves as is in a path, and so what the gateway forwards unescaped:
# printable ASCII but space " # < > ? ^ ` { } (its path percent-encode set; `^` since 2024, as
# workerd does) and, here, % and \ (the gateway never forwards either raw).
_PATH_SAFE = "!$&'()*+,-./:;=@[]_|~"


def _given_target(environ):
    for key in ('REQUEST_URI', 'RAW_URI'):
        value = environ.get(key)
        if value:
            return value
    return None


def _rebuilt_target(path_bytes, query):
    target = quote(path_bytes, safe=_PATH_SAFE) or '/'
    return f'{target}?{query}' if query else target


def raw_target(environ):
    """The request-target as the gateway sent it, from a WSGI environ (see the module docstring)."""
    given = _given_target(environ)
    if given is not None:
        return given
    # PEP 3333: PATH_INFO is the decoded bytes as latin-1 characters.
    path = (environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')).encode('latin-1')
    return _rebuilt_target(path, environ.get('QUERY_STRING', ''))


def django_raw_target(request):
    """The same for a Django request. Django replaces META's PATH_INFO and SCRIPT_NAME with their
    UTF-8 decoding (invalid sequences put back as literal %XX), so the rebuild starts from
    request.path encoded as UTF-8: exact for valid UTF-8; an invalid sequence fails closed."""
    given = _given_target(request.META)
    if given is not None:
        return given
    return _rebuilt_target(request.path.encode('utf-8'), request.META.get('QUERY_STRING', ''))


class _Keys:
    """The public keys by kid: a pasted JWKS, or a JWKS URL cached `cache_seconds` and fetched
    again for an unknown kid at most once per `refresh_cooldown` seconds."""

    def __init__(self, jwks=None, jwks_url=None, cache_seconds=300, refresh_cooldown=30, timeout=2):
        if jwks is None and not jwks_url:
            raise ValueError('give jwks (the pasted JWKS) or jwks_url')
        self._url = None if jwks is not None else jwks_url
        self._cache_seconds = cache_seconds
        self._cooldown = refresh_cooldown
        self._timeout = timeout
        self._lock = threading.Lock()
        self._keys = self._parse(json.loads(jwks) if isinstance(jwks, str) else jwks) if jwks is not None else None
        self._fetched_at = None  # monotonic time of the last fetch attempt

    @staticmethod
    def _parse(jwks):
        keys = {}
        for jwk in (jwks or {}).get('keys', []):
            # Only EC P-256 keys, only for ES256: nothing else may verify an assertion.
            if isinstance(jwk, dict) and jwk.get('kty') == 'EC' and jwk.get('crv') == 'P-256' and isinstance(jwk.get('kid'), str):
                if jwk.get('alg', 'ES256') == 'ES256' and jwk.get('use', 'sig') == 'sig':
                    keys[jwk['kid']] = jwt.PyJWK(jwk, algorithm='ES256').key
        return keys

    def _fetch(self):
        self._fetched_at = time.monotonic()
        request = urllib.request.Request(self._url, headers={'Accept': 'application/json'})
        with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 - a configured URL
            if response.status != 200:
                raise ValueError(f'JWKS answered {response.status}')
            self._keys = self._parse(json.loads(response.read()))

    def get(self, kid):
        if self._url is None:
            key = self._keys.get(kid)
            if key is None:
                raise AssertionRejected('unknown_kid', kid)
            return key
        with self._lock:
            now = time.monotonic()
            age = None if self._fetched_at is None else now - self._fetched_at
            if self._keys is None:
                # Never fetched, or every fetch failed: try again, but not more than once per cooldown.
                due = age is None or age >= self._cooldown
            else:
                due = age >= self._cache_seconds or (kid not in self._keys and age >= self._cooldown)
            if due:
                try:
                    self._fetch()
                except Exception as error:  # noqa: BLE001 - keep the keys we had, if any
                    if self._keys is None:
                        raise AssertionRejected('jwks_unavailable', str(error)) from error
            if self._keys is None:
                raise AssertionRejected('jwks_unavailable', 'the JWKS could not be fetched')
            key = self._keys.get(kid)
            if key is None:
                raise AssertionRejected('unknown_kid', kid)
            return key


class GatewayVerifier:
    def __init__(self, issuer, audience, jwks=None, jwks_url=None, leeway=5, cache_seconds=300, refresh_cooldown=30, timeout=2):
        if not issuer or not audience:
            raise ValueError('issuer and audience are required')
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self._keys = _Keys(jwks, jwks_url, cache_seconds, refresh_cooldown, timeout)

    def verify(self, method, target, header_value):
        """The assertion's claims, if it vouches for `method` `target` (the raw request-target);
        raises AssertionRejected otherwise."""
        if not header_value:
            raise AssertionRejected('missing')
        # A repeated header arrives joined with "," or ", ": no compact JWS has either.
        if header_value.count('.') != 2 or any(c in header_value for c in ', '):
            raise AssertionRejected('malformed')
        try:
            header = jwt.get_unverified_header(header_value)
        except jwt.PyJWTError as error:
            raise AssertionRejected('malformed', str(error)) from error
        if header.get('alg') != 'ES256':
            raise AssertionRejected('algorithm', str(header.get('alg')))
        if not isinstance(header.get('kid'), str):
            raise AssertionRejected('unknown_kid', 'no kid')
        key = self._keys.get(header['kid'])
        try:
            claims = jwt.decode(
                header_value,
                key,
                algorithms=['ES256'],
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={'require': ['iss', 'aud', 'iat', 'exp', 'sts', 'req'], 'verify_iat': True},
            )
        except jwt.InvalidSignatureError as error:
            raise AssertionRejected('signature') from error
        except jwt.ExpiredSignatureError as error:
            raise AssertionRejected('expired') from error
        except jwt.ImmatureSignatureError as error:
            raise AssertionRejected('not_yet_valid', str(error)) from error
        except jwt.InvalidIssuerError as error:
            raise AssertionRejected('issuer') from error
        except jwt.InvalidAudienceError as error:
            raise AssertionRejected('audience') from error
        except jwt.InvalidAlgorithmError as error:
            raise AssertionRejected('algorithm') from error
        except (jwt.MissingRequiredClaimError, jwt.InvalidIssuedAtError) as error:
            raise AssertionRejected('claims', str(error)) from error
        except jwt.PyJWTError as error:
            raise AssertionRejected('malformed', str(error)) from error
        if not isinstance(claims.get('req'), str) or not isinstance(claims.get('sts'), str):
            raise AssertionRejected('claims')
        if claims['req'] != request_binding(method, target):
            raise AssertionRejected('binding', f'not for {method} {target}')
        return claims

    def verify_environ(self, environ):
        """Verifies a WSGI request (Flask: request.environ)."""
        return self.verify(environ.get('REQUEST_METHOD', ''), raw_target(environ), environ.get(_ENVIRON_KEY))

    def verify_django(self, request):
        """Verifies a Django request."""
        return self.verify(request.META.get('REQUEST_METHOD', ''), django_raw_target(request), request.META.get(_ENVIRON_KEY))


_verifiers = {}
_verifiers_lock = threading.Lock()


def verify(method, target, header_value, *, issuer, audience, jwks=None, jwks_url=None, leeway=5):
    """One-call form of GatewayVerifier(...).verify(...); the verifier (and its JWKS cache) is kept
    per configuration."""
    config = (issuer, audience, json.dumps(jwks, sort_keys=True) if isinstance(jwks, dict) else jwks, jwks_url, leeway)
    with _verifiers_lock:
        verifier = _verifiers.get(config)
        if verifier is None:
            verifier = _verifiers[config] = GatewayVerifier(issuer, audience, jwks=jwks, jwks_url=jwks_url, leeway=leeway)
    return verifier.verify(method, target, header_value)


def identity_of(claims):
    """What the app reads: status ('active' | 'pending' | 'signed-out'), user and session ids,
    organization, and all the claims."""
    return {
        'status': claims['sts'],
        'user_id': claims.get('sub'),
        'session_id': claims.get('sid'),
        'org_id': claims.get('org_id'),
        'org_role': claims.get('org_role'),
        'org_slug': claims.get('org_slug'),
        'org_permissions': claims.get('org_permissions', []),
        'claims': claims,
    }


def _unauthorized_body(rejected):
    return {'error': 'invalid_assertion', 'reason': rejected.reason}


# ---------------------------------------------------------------------------------------------
# Flask


def protect_flask_app(app, verifier, exempt=None):
    """Flask, app-wide: an `app.before_request` hook that verifies every request of `app` (views,
    static files, and URLs no view matches), sets flask.g.gateway_identity, or answers 401 before
    any view runs. `exempt(request)` returning True lets a request through unverified (a load
    balancer's health check that does not come through the gateway); it then has no identity."""
    from flask import g, jsonify, request

    @app.before_request
    def _verify_gateway_assertion():
        if exempt is not None and exempt(request):
            return None
        try:
            claims = verifier.verify_environ(request.environ)
        except AssertionRejected as rejected:
            return jsonify(_unauthorized_body(rejected)), 401
        g.gateway_identity = identity_of(claims)
        return None

    return app


def flask_required(verifier):
    """Flask view decorator: verifies, sets flask.g.gateway_identity, or answers 401."""
    import functools

    from flask import g, jsonify, request

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            try:
                claims = verifier.verify_environ(request.environ)
            except AssertionRejected as rejected:
                return jsonify(_unauthorized_body(rejected)), 401
            g.gateway_identity = identity_of(claims)
            return view(*args, **kwargs)
        return wrapped
    return decorate


# ---------------------------------------------------------------------------------------------
# Django


def _django_check(verifier, request):
    from django.http import JsonResponse

    try:
        request.gateway_identity = identity_of(verifier.verify_django(request))
    except AssertionRejected as rejected:
        return JsonResponse(_unauthorized_body(rejected), status=401)
    return None


def django_required(verifier):
    """Django view decorator: verifies, sets request.gateway_identity, or answers 401."""
    import functools

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            refused = _django_check(verifier, request)
            return refused or view(request, *args, **kwargs)
        return wrapped
    return decorate


class GatewayAssertionMiddleware:
    """Django middleware: every request must carry a valid assertion (request.gateway_identity),
    else 401. Put it first in MIDDLEWARE, so that nothing answers before it. Configured by
    settings.GATEWAY_ASSERTION (GatewayVerifier's arguments), or by a `verifier` class attribute
    in a subclass."""

    verifier = None

    def __init__(self, get_response):
        self.get_response = get_response
        if self.verifier is None:
            from django.conf import settings

            self.verifier = GatewayVerifier(**settings.GATEWAY_ASSERTION)

    def __call__(self, request):
        return _django_check(self.verifier, request) or self.get_response(request)
