#!/usr/bin/env python3
"""The gateway's cost by feature, against the forward floor: every innermost bundle frame (ctx.py's
frames.json, a run with --valgrind-args=--separate-callers=24) goes to a feature by its source file.

  python3 bench/profile-functions/features.py <run dir> [variant …] [--floor forward-floor-first]

Per variant, a table by feature; then a summary against the floor: the work the floor does too
(the signature check; reading the request, the origin's headers, the forward and the log line,
which the floor does in one function; what runs outside any bundle frame) and the gateway's own."""
import json, sys
from collections import defaultdict

args = [a for a in sys.argv[1:]]
floor = 'forward-floor-first'
if '--floor' in args:
    i = args.index('--floor'); floor = args[i + 1]; del args[i:i + 2]
run, variants = args[0], args[1:] or ['gateway-bearer-first', 'gateway-cookie-first']

SIGNATURE = 'signature check: JWS read, RSA verify'
FORWARDING = 'forwarding identity: request read, origin headers, forward, log line'
FEATURES = [
    (SIGNATURE, ('src/auth/session/signature.ts', 'src/auth/session/compact-jws.ts', 'src/auth/jwt.ts', 'workers/floor-signature.ts')),
    ('credentials and token kind', ('src/auth/credentials.ts', 'src/auth/machine/', 'src/request/clerk-cookies.ts')),
    ("claims (Clerk's checks and parser), identity, verified-token cache", ('src/auth/session/session-claims.ts', 'src/auth/identity.ts', 'src/auth/session/token-cache.ts', 'src/auth/time-claims.ts', 'src/auth/auth-object.ts', 'node_modules/@clerk/', 'src/runtime/bounded-map.ts')),
    ('authentication steps', ('src/auth/authenticate.ts', 'src/auth/authenticators/', 'src/runtime/auth-context.ts', 'src/auth/context.ts')),
    ('control components (asking for whole pages, the answer check)', ('src/proxy/components/', 'src/runtime/last-value.ts')),
    ('routing and the plan', ('src/routing/', 'src/plan/', 'src/decide-route.ts', 'src/runtime/', 'src/settings/')),
    ('decision and policy', ('src/decision/', 'src/policy/')),
    ('the pipeline (handleRequest, pipeline, route, answers)', ('src/gateway.ts', 'src/worker.ts', 'src/index.ts', 'src/app.ts', 'src/respond/')),
    (FORWARDING, ('src/request/', 'src/proxy/', 'src/observe/', 'workers/forward-floor.ts', '(wrapper.js)')),
]
OUTSIDE = ('(no JS frame)', '(no JS frame: GC)', '(no JS frame: compiler thread)')
JS = ('JS self', 'V8 builtins', 'V8 C++ builtins (Builtin_*)', 'interpreter (bytecode handlers)', 'regexp code', 'V8 runtime (Runtime_*)')

def feature(frame, source):
    if frame.startswith('(wrapper.js)'):
        return FORWARDING
    if frame in OUTSIDE:
        return frame
    for name, prefixes in FEATURES:
        if source and any(source.startswith(p) for p in prefixes):
            return name
    raise SystemExit(f'features.py: no feature for frame {frame!r} ({source}): add its source to FEATURES')

frames = json.load(open(f'{run}/frames.json'))
def by_feature(variant):
    rows = [r for r in frames if r['variant'] == variant]
    if not rows:
        raise SystemExit(f'features.py: no windows of {variant} in {run}')
    total = defaultdict(float); js = defaultdict(float); names = defaultdict(set)
    for r in rows:
        for f in r['frames']:
            k = feature(f['frame'], f['source'])
            total[k] += f['total'] / len(rows)
            js[k] += sum(f['categories'].get(c, 0) for c in JS) / len(rows)
            names[k].add(f['frame'].split(' ')[0])
    return total, js, names, len(rows)

base, _, _, _ = by_feature(floor)
for v in variants:
    total, js, names, n = by_feature(v)
    print(f'\n## {v}: {sum(total.values())/1e3:.1f} k a request ({n} windows), by feature\n')
    print(f'| feature | k a request | of it JS and V8 builtins | functions | {floor} | difference |')
    print('|---|---:|---:|---:|---:|---:|')
    for k in sorted(set(total) | set(base), key=lambda k: -total.get(k, 0)):
        b = base.get(k)
        print(f'| {k} | {total.get(k, 0)/1e3:.1f} | {js.get(k, 0)/1e3:.1f} | {len(names.get(k, ()))} | ' + (f'{b/1e3:.1f} | {(total.get(k, 0) - b)/1e3:+.1f} |' if b is not None else '| |'))
    shared = [SIGNATURE, FORWARDING, *OUTSIDE]
    own = sum(x for k, x in total.items() if k not in shared)
    print(f'\nThe work the floor does too: {sum(total.get(k, 0) for k in shared)/1e3:.1f} k against its {sum(base.values())/1e3:.1f} k; the gateway\'s own features: {own/1e3:.1f} k.')
