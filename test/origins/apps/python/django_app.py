"""Django origin for the origins conformance suite (test/origins): a single-file project.

Routes with path() (case-sensitive, Django's default) for the parameter-style rules, and re_path()
with an inline (?i) for the prefix rules, as apps that want case-insensitive URLs write them.
Identity from request.META (HTTP_X_AUTH_*), cookies from request.COOKIES. Served by Django's own
development server classes (what `manage.py runserver` runs) on 127.0.0.1, an ephemeral port
printed as {"port": N}.

The identity assertion's verifier (verifiers/python/gateway_assertion.py) guards /verified/*
(@django_required, the pasted JWKS from GATEWAY_JWKS_FILE), /verified-remote/* (@django_required,
the JWKS URL GATEWAY_JWKS_URL) and /verified-mw/* (GatewayAssertionMiddleware, the pasted JWKS).
Django's development server sets neither REQUEST_URI nor RAW_URI: the verifier rebuilds the
request-target from PATH_INFO here. GET /__verifier says whether it loaded.
"""
import json
import os
import sys

from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=['*'],
    ROOT_URLCONF=__name__,
    SECRET_KEY='origins-suite-not-secret',
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    APPEND_SLASH=False,
    USE_TZ=True,
    LOGGING_CONFIG=None,
)

import django  # noqa: E402

django.setup()

from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path, re_path  # noqa: E402


def answer(request, handler):
    return JsonResponse({
        'framework': 'django',
        'handler': handler,
        'path': request.path,
        'userId': request.META.get('HTTP_X_AUTH_USER_ID'),
        'sessionId': request.META.get('HTTP_X_AUTH_SESSION_ID'),
        'sessionStatus': request.META.get('HTTP_X_AUTH_SESSION_STATUS'),
        'forwardedHost': request.META.get('HTTP_X_FORWARDED_HOST'),
        'session': request.COOKIES.get('__session'),
        'clientUat': request.COOKIES.get('__client_uat'),
        'method': request.method,
        'alt': {},
    })


def protected(name):
    return lambda request, **_kwargs: answer(request, 'protected:' + name)


def invoices(request, **_kwargs):
    # A function view that never looks at the method but for writes (issue 17): PUT and PATCH (also
    # a POST's `_method` field or X-HTTP-Method-Override) reach the update action, OPTIONS the read.
    method = (request.POST.get('_method') or request.META.get('HTTP_X_HTTP_METHOD_OVERRIDE') or request.method).upper()
    if method in ('PUT', 'PATCH'):
        return answer(request, 'protected:invoices:update')
    if method in ('POST', 'DELETE'):
        return answer(request, 'protected:invoices:manage')
    return answer(request, 'protected:invoices:read')


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'verifiers', 'python'))
try:
    import gateway_assertion
    VERIFIER_STATUS = 'ok'
except Exception as error:  # noqa: BLE001 - reported by /__verifier, the tests skip
    gateway_assertion = None
    VERIFIER_STATUS = f'the verifier did not load ({type(error).__name__}: {error}): needs python3-jwt, python3-cryptography'
if gateway_assertion is not None and 'GATEWAY_JWKS_FILE' not in os.environ:
    gateway_assertion = None
    VERIFIER_STATUS = 'the verifier is not configured: no GATEWAY_* settings (test/origins/global-setup.mjs sets them)'


def verifier_status(_request):
    return JsonResponse({'framework': 'django', 'handler': 'verifier', 'verifier': VERIFIER_STATUS})


def verified(request, **_kwargs):
    identity = request.gateway_identity
    return JsonResponse({
        'framework': 'django',
        'handler': 'verified',
        'sub': identity['user_id'],
        'sid': identity['session_id'],
        'sts': identity['status'],
        'orgId': identity['org_id'],
        'target': gateway_assertion.django_raw_target(request),
    })


# The audience is this server's own origin, set once it is bound (see __main__).
VERIFIERS = []
verified_patterns = []
if gateway_assertion is not None:
    def _verifier(**source):
        verifier = gateway_assertion.GatewayVerifier(issuer=os.environ['GATEWAY_ISSUER'], audience='unset', **source)
        VERIFIERS.append(verifier)
        return verifier

    pasted = _verifier(jwks=open(os.environ['GATEWAY_JWKS_FILE']).read())
    remote = _verifier(jwks_url=os.environ['GATEWAY_JWKS_URL'], refresh_cooldown=float(os.environ['GATEWAY_JWKS_COOLDOWN']))

    class VerifiedMiddleware(gateway_assertion.GatewayAssertionMiddleware):
        verifier = pasted

    # The middleware as MIDDLEWARE would run it, around this one view (the corpus routes stay bare).
    middleware_view = VerifiedMiddleware(verified)
    verified_patterns = [
        re_path(r'^verified(?:/.*)?$', gateway_assertion.django_required(pasted)(verified)),
        re_path(r'^verified-remote(?:/.*)?$', gateway_assertion.django_required(remote)(verified)),
        re_path(r'^verified-mw(?:/.*)?$', lambda request: middleware_view(request)),
    ]

urlpatterns = [
    path('__verifier', verifier_status),
    *verified_patterns,
    re_path(r'(?i)^dashboard(?:/.*)?$', protected('dashboard')),
    path('app', protected('app')),
    path('app/<path:rest>', protected('app')),
    path('item', protected('item')),
    path('item/<str:id>', protected('item')),
    re_path(r'(?i)^api/keys.*$', protected('apikeys')),
    path('admin/<str:section>', protected('admin')),
    re_path(r'(?i)^profile.*$', protected('profile')),
    path('staff', protected('staff')),
    path('staff/<path:rest>', protected('staff')),
    re_path(r'(?i)^invoices(?:/.*)?$', invoices),
    re_path(r'', lambda request: answer(request, 'public')),
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # noqa: D401 - no access log on stderr
        pass


if __name__ == '__main__':
    server = WSGIServer(('127.0.0.1', 0), QuietHandler, ipv6=False)
    for bound in VERIFIERS:
        bound.audience = f'http://127.0.0.1:{server.server_address[1]}'
    server.set_app(get_wsgi_application())
    print(json.dumps({'port': server.server_address[1]}), flush=True)
    server.serve_forever()
