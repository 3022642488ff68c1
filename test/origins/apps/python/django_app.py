"""Django origin for the origins conformance suite (test/origins): a single-file project.

Routes with path() (case-sensitive, Django's default) for the parameter-style rules, and re_path()
with an inline (?i) for the prefix rules, as apps that want case-insensitive URLs write them.
Identity from request.META (HTTP_X_AUTH_*), cookies from request.COOKIES. Served by Django's own
development server classes (what `manage.py runserver` runs) on 127.0.0.1, an ephemeral port
printed as {"port": N}.
"""
import json
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
        'alt': {},
    })


def protected(name):
    return lambda request, **_kwargs: answer(request, 'protected:' + name)


urlpatterns = [
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
    re_path(r'', lambda request: answer(request, 'public')),
]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):  # noqa: D401 - no access log on stderr
        pass


if __name__ == '__main__':
    server = WSGIServer(('127.0.0.1', 0), QuietHandler, ipv6=False)
    server.set_app(get_wsgi_application())
    print(json.dumps({'port': server.server_address[1]}), flush=True)
    server.serve_forever()
