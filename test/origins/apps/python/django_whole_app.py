"""A Django project guarded as a whole (GatewayAssertionMiddleware first in MIDDLEWARE, configured
by settings.GATEWAY_ASSERTION), for the whole-app verifier tests (test/origins/whole-app.test.ts):
every URL, routed or not, answers {sub, sid, sts, target} only with a valid X-Auth-Assertion, else
the middleware's 401. Served by Django's development server classes. Settings from the environment
(test/origins/global-setup.mjs): PORT, GATEWAY_ISSUER, GATEWAY_AUDIENCE, GATEWAY_JWKS_FILE.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'verifiers', 'python'))

from django.conf import settings  # noqa: E402

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=['*'],
    ROOT_URLCONF=__name__,
    SECRET_KEY='origins-suite-not-secret',
    MIDDLEWARE=['gateway_assertion.GatewayAssertionMiddleware'],
    GATEWAY_ASSERTION={
        'issuer': os.environ['GATEWAY_ISSUER'],
        'audience': os.environ['GATEWAY_AUDIENCE'],
        'jwks': open(os.environ['GATEWAY_JWKS_FILE']).read(),
    },
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
from django.urls import re_path  # noqa: E402

from gateway_assertion import django_raw_target  # noqa: E402


def anything(request):
    identity = request.gateway_identity
    return JsonResponse({'framework': 'django', 'handler': 'whole-app', 'sub': identity['user_id'], 'sid': identity['session_id'],
                         'sts': identity['status'], 'target': django_raw_target(request)})


urlpatterns = [re_path(r'^(?:app|account|form)(?:/.*)?$', anything), re_path(r'^$', anything)]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # noqa: D401 - no access log on stderr
        pass


if __name__ == '__main__':
    server = WSGIServer(('127.0.0.1', int(os.environ['PORT'])), QuietHandler, ipv6=False)
    server.set_app(get_wsgi_application())
    print(json.dumps({'port': server.server_address[1]}), flush=True)
    server.serve_forever()
