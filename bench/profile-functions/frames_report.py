#!/usr/bin/env python3
"""Tables from ctx.py's frames.json: python3 bench/profile-functions/frames_report.py <run dir> [--top 40]"""
import json, sys
from collections import defaultdict
run = sys.argv[1]
TOP = int(sys.argv[sys.argv.index('--top') + 1]) if '--top' in sys.argv else 40
res = json.load(open(f'{run}/frames.json'))
by = defaultdict(list)
for r in res:
    by[r['variant']].append(r)
COLS = [('JS self', ('JS self',)), ('builtins', ('V8 builtins', 'V8 C++ builtins (Builtin_*)', 'interpreter (bytecode handlers)')), ('regexp', ('regexp code',)),
        ('V8 C++/API/runtime', ('V8 C++ (other)', 'V8 API (v8::)', 'V8 runtime (Runtime_*)', 'JS (runtime internal)')),
        ('workerd+jsg+kj', ('workerd C++', 'workerd jsg (bindings glue)', 'kj/capnp (I/O, promises, HTTP)', 'simdutf/ada/fast_float', 'libc++ (std::)', 'other C++')),
        ('BoringSSL', ('BoringSSL',)), ('malloc+libc', ('malloc (tcmalloc)', 'libc'))]
def col(cats, names):
    return sum(cats.get(n, 0) for n in names)
def avg(rs):
    fr = defaultdict(lambda: defaultdict(float)); src = {}; top = defaultdict(lambda: defaultdict(float))
    for r in rs:
        for f in r['frames']:
            for c, x in f['categories'].items():
                fr[f['frame']][c] += x / len(rs)
            for k, x in f['top']:
                top[f['frame']][k] += x / len(rs)
            src[f['frame']] = f['source']
    return fr, src, top
data = {}
for v, rs in by.items():
    fr, src, top = avg(rs)
    data[v] = (fr, src, top)
    total = sum(sum(c.values()) for c in fr.values())
    print(f"\n## {v}: {total/1e3:.1f} k a request ({len(rs)} windows), by innermost bundle frame\n")
    print('| frame (source) | total k | ' + ' | '.join(c for c, _ in COLS) + ' | other |')
    print('|---|---:|' + '---:|' * (len(COLS) + 1))
    rows = sorted(fr.items(), key=lambda kv: -sum(kv[1].values()))
    for f, cats in rows[:TOP]:
        t = sum(cats.values())
        parts = [col(cats, n) for _, n in COLS]
        other = t - sum(parts)
        print(f"| {f} ({src.get(f) or ''}) | {t/1e3:.2f} | " + ' | '.join(f'{p/1e3:.2f}' for p in parts) + f' | {other/1e3:.2f} |')
    js = sum(sum(c.values()) for f, c in fr.items() if ' worker.js:' in f)
    print(f"\nunder bundle frames: {js/1e3:.1f} k; wrapper: {sum(sum(c.values()) for f, c in fr.items() if f.startswith('(wrapper'))/1e3:.1f} k; no JS frame: {sum(sum(c.values()) for f, c in fr.items() if f.startswith('(no JS'))/1e3:.1f} k")
def summary(v):
    fr, _, _ = data[v]
    out = defaultdict(lambda: defaultdict(float))
    for f, cats in fr.items():
        g = 'bundle JS frames' if ' worker.js:' in f else f
        for c, x in cats.items():
            out[g][c] += x
    return out
for a, b in (('gateway-bearer-first', 'forward-floor-first'), ('gateway-cookie-first', 'gateway-bearer-first')):
    if a not in data or b not in data:
        continue
    sa, sb = summary(a), summary(b)
    print(f"\n## {a} − {b}, by where (frame group) and what (category)\n")
    print('| frame group | what | ' + a + ' | ' + b + ' | diff |')
    print('|---|---|---:|---:|---:|')
    for g in sorted(set(sa) | set(sb), key=lambda g: -abs(sum(sa[g].values()) - sum(sb[g].values()))):
        ta, tb = sum(sa[g].values()), sum(sb[g].values())
        print(f'| **{g}** | all | {ta/1e3:.2f} | {tb/1e3:.2f} | {(ta-tb)/1e3:+.2f} |')
        for c in sorted(set(sa[g]) | set(sb[g]), key=lambda c: -abs(sa[g].get(c, 0) - sb[g].get(c, 0)))[:8]:
            d = sa[g].get(c, 0) - sb[g].get(c, 0)
            if abs(d) >= 200:
                print(f'| | {c} | {sa[g].get(c,0)/1e3:.2f} | {sb[g].get(c,0)/1e3:.2f} | {d/1e3:+.2f} |')
