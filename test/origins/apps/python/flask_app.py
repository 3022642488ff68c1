"""Flask origin for the origins conformance suite (test/origins).

Routing as Flask does it (werkzeug rules, case-sensitive, on the decoded path), identity from
request.headers, cookies from request.cookies. `alt.simplecookie` is what the standard library's
http.cookies.SimpleCookie reads from the same Cookie header (as hand-written WSGI code and
several older frameworks do). Serves on 127.0.0.1, an ephemeral port printed as {"port": N}.

The identity assertion's verifier (verifiers/python/gateway_assertion.py) guards /verified/*
(the pasted JWKS, GATEWAY_JWKS_FILE) and /verified-remote/* (the JWKS URL, GATEWAY_JWKS_URL), with
@flask_required as an app would use it; GET /__verifier says whether it loaded (it needs PyJWT and
cryptography).
"""
import json
import os
import sys
from http.cookies import SimpleCookie

from flask import Flask, g, jsonify, request
from werkzeug.serving import make_server

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

app = Flask(__name__)

ROUTES = {
    'dashboard': ['/dashboard', '/dashboard/<path:rest>'],
    'app': ['/app', '/app/<path:rest>'],
    'item': ['/item', '/item/<id>'],
    'apikeys': ['/api/keys', '/api/keys<path:rest>', '/api/keys/<path:rest>'],
    'admin': ['/admin/<section>'],
    'profile': ['/profile', '/profile<path:rest>', '/profile/<path:rest>'],
    'staff': ['/staff', '/staff/<path:rest>'],
}
METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']


def simple_cookie(name):
    jar = SimpleCookie()
    try:
        jar.load(request.headers.get('Cookie', ''))
    except Exception:  # noqa: BLE001 - an unparseable header reads as no cookie
        return None
    return jar[name].value if name in jar else None


def answer(handler):
    return jsonify({
        'framework': 'flask',
        'handler': handler,
        'path': request.path,
        'userId': request.headers.get('X-Auth-User-Id'),
        'sessionId': request.headers.get('X-Auth-Session-Id'),
        'sessionStatus': request.headers.get('X-Auth-Session-Status'),
        'forwardedHost': request.headers.get('X-Forwarded-Host'),
        'session': request.cookies.get('__session'),
        'clientUat': request.cookies.get('__client_uat'),
        'method': request.method,
        'alt': {'simplecookie': {'session': simple_cookie('__session'), 'clientUat': simple_cookie('__client_uat')}},
    })


def protected_view(name):
    def view(**_kwargs):
        return answer('protected:' + name)
    view.__name__ = 'protected_' + name
    return view


for route_name, rules in ROUTES.items():
    view = protected_view(route_name)
    for rule in rules:
        app.add_url_rule(rule, endpoint=f'{route_name}:{rule}', view_func=view, methods=METHODS)


def invoices(**_kwargs):
    # As Rails and Laravel route a resource (issue 17): PUT and PATCH, also as a POST's `_method`
    # field or X-HTTP-Method-Override, reach the update action; OPTIONS runs the read view (a view
    # registered for every method, as Django function views and Express app.all are).
    method = (request.form.get('_method') or request.headers.get('X-HTTP-Method-Override') or request.method).upper()
    if method in ('PUT', 'PATCH'):
        return answer('protected:invoices:update')
    if method in ('POST', 'DELETE'):
        return answer('protected:invoices:manage')
    return answer('protected:invoices:read')


app.add_url_rule('/invoices', endpoint='invoices', view_func=invoices, methods=METHODS + ['PROPFIND'])
app.add_url_rule('/invoices/<path:rest>', endpoint='invoices:rest', view_func=invoices, methods=METHODS + ['PROPFIND'])


@app.get('/__verifier')
def verifier_status():
    return jsonify({'framework': 'flask', 'handler': 'verifier', 'verifier': VERIFIER_STATUS})


# The audience is this server's own origin, set once it is bound (see __main__).
VERIFIERS = []
if gateway_assertion is not None:
    def verified():
        identity = g.gateway_identity
        return jsonify({
            'framework': 'flask',
            'handler': 'verified',
            'sub': identity['user_id'],
            'sid': identity['session_id'],
            'sts': identity['status'],
            'orgId': identity['org_id'],
            'target': gateway_assertion.raw_target(request.environ),
        })

    for prefix, source in (
        ('/verified', {'jwks': open(os.environ['GATEWAY_JWKS_FILE']).read()}),
        ('/verified-remote', {'jwks_url': os.environ['GATEWAY_JWKS_URL'], 'refresh_cooldown': float(os.environ['GATEWAY_JWKS_COOLDOWN'])}),
    ):
        verifier = gateway_assertion.GatewayVerifier(issuer=os.environ['GATEWAY_ISSUER'], audience='unset', **source)
        VERIFIERS.append(verifier)
        view = gateway_assertion.flask_required(verifier)(lambda **_kwargs: verified())
        view.__name__ = 'verified' + prefix.replace('/', '_').replace('-', '_')
        app.add_url_rule(prefix, defaults={'rest': ''}, view_func=view, methods=METHODS)
        app.add_url_rule(prefix + '/<path:rest>', view_func=view, methods=METHODS)


@app.route('/', defaults={'rest': ''}, methods=METHODS)
@app.route('/<path:rest>', methods=METHODS)
def public(rest):
    return answer('public')


if __name__ == '__main__':
    server = make_server('127.0.0.1', 0, app, threaded=True)
    for bound in VERIFIERS:
        bound.audience = f'http://127.0.0.1:{server.server_port}'
    print(json.dumps({'port': server.server_port}), flush=True)
    sys.stdout.flush()
    server.serve_forever()
