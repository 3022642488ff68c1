"""A Flask app guarded as a whole (protect_flask_app: an app.before_request hook), for the
whole-app verifier tests (test/origins/whole-app.test.ts): every URL, routed or not, answers
{sub, sid, sts, target} only with a valid X-Auth-Assertion, else the verifier's 401.
Settings from the environment (test/origins/global-setup.mjs): PORT, GATEWAY_ISSUER,
GATEWAY_AUDIENCE, GATEWAY_JWKS_FILE.
"""
import json
import os
import sys

from flask import Flask, g, jsonify, request
from werkzeug.serving import make_server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'verifiers', 'python'))
from gateway_assertion import GatewayVerifier, protect_flask_app, raw_target  # noqa: E402

app = Flask(__name__)
verifier = GatewayVerifier(
    issuer=os.environ['GATEWAY_ISSUER'],
    audience=os.environ['GATEWAY_AUDIENCE'],
    jwks=open(os.environ['GATEWAY_JWKS_FILE']).read(),
)
protect_flask_app(app, verifier)


@app.route('/', defaults={'rest': ''}, methods=['GET', 'POST'])
@app.route('/<path:rest>', methods=['GET', 'POST'])
def anything(rest):
    identity = g.gateway_identity
    return jsonify({'framework': 'flask', 'handler': 'whole-app', 'sub': identity['user_id'], 'sid': identity['session_id'],
                    'sts': identity['status'], 'target': raw_target(request.environ)})


if __name__ == '__main__':
    server = make_server('127.0.0.1', int(os.environ['PORT']), app, threaded=True)
    print(json.dumps({'port': server.server_port}), flush=True)
    server.serve_forever()
