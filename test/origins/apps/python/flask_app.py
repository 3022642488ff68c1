"""Flask origin for the origins conformance suite (test/origins).

Routing as Flask does it (werkzeug rules, case-sensitive, on the decoded path), identity from
request.headers, cookies from request.cookies. `alt.simplecookie` is what the standard library's
http.cookies.SimpleCookie reads from the same Cookie header (as hand-written WSGI code and
several older frameworks do). Serves on 127.0.0.1, an ephemeral port printed as {"port": N}.
"""
import json
import sys
from http.cookies import SimpleCookie

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

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


@app.route('/', defaults={'rest': ''}, methods=METHODS)
@app.route('/<path:rest>', methods=METHODS)
def public(rest):
    return answer('public')


if __name__ == '__main__':
    server = make_server('127.0.0.1', 0, app, threaded=True)
    print(json.dumps({'port': server.server_port}), flush=True)
    sys.stdout.flush()
    server.serve_forever()
