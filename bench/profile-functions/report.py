#!/usr/bin/env python3
"""Tables from analyze.py's profile.json: python3 bench/profile-functions/report.py <run dir> [<run dir>…] [--all-windows]

Per variant, the windows of all run dirs given are averaged; by default only windows in which V8
wrote no new code to the perf map (no (re)compilation inside the window)."""
import json, re, sys
from collections import defaultdict

args = sys.argv[1:]
EXCLUDE = set()
while '--exclude' in args:
    i = args.index('--exclude')
    EXCLUDE.add(args[i + 1])  # <run dir name>:<variant>
    del args[i:i + 2]
dirs = [a for a in args if not a.startswith('--')]
ALL = '--all-windows' in sys.argv
windows = []
for d in dirs:
    p = json.load(open(f'{d}/profile.json'))
    for w in p['windows']:
        w['dir'] = d
        if f"{d.rstrip('/').rsplit('/', 1)[-1]}:{w['variant']}" in EXCLUDE:
            continue
        windows.append(w)

by_variant = defaultdict(list)
for w in windows:
    by_variant[w['variant']].append(w)

def clean(w):
    return w['categories'].get('V8 compiler/parser/deopt', 0) < 10000

chosen = {}
print('## Windows\n')
print('| variant | run | round | k instr/request | unattributed JIT (k) | V8 compiler (k) | new code in window | used |')
print('|---|---|---:|---:|---:|---:|---|---|')
for v, ws in by_variant.items():
    use = ws if ALL else [w for w in ws if clean(w)] or ws
    chosen[v] = use
    for w in ws:
        print(f"| {v} | {w['dir'].rsplit('/',1)[-1]} | {w['round']} | {w['total']/1e3:.1f} | {w['unattributed']/1e3:.2f} | {w['categories'].get('V8 compiler/parser/deopt',0)/1e3:.1f} | {', '.join(e[:40] for e in w['map_entries_in_window'])[:120]} | {'yes' if w in use else 'no'} |")

def js_generic(e):
    """'foo worker.js:12:3' -> key to match across bundles: name + source file."""
    return e

def avg(v):
    ws = chosen[v]
    n = len(ws)
    ent = defaultdict(lambda: {'self': 0.0, 'inclusive': 0.0})
    info = {}
    cats = defaultdict(float)
    for w in ws:
        for r in w['rows']:
            ent[r['entity']]['self'] += r['self'] / n
            ent[r['entity']]['inclusive'] += r['inclusive'] / n
            if r['tiers']:
                t = ent[r['entity']].setdefault('tiers', defaultdict(float))
                for k, x in r['tiers'].items():
                    t[k] += x / n
            info[r['entity']] = r
        for c, x in w['categories'].items():
            cats[c] += x / n
    total = sum(w['total'] for w in ws) / n
    srcf = defaultdict(lambda: {'self': 0.0, 'in': defaultdict(float)})
    for w in ws:
        for r in w.get('source_functions', []):
            x = srcf[r['function']]
            x['self'] += r['self'] / n
            x['source'] = r['source']
            for c, y in r['in'].items():
                x['in'][c] += y / n
    nodebug = sum(w.get('js_without_debug_info', 0) for w in ws) / n
    return ent, info, cats, total, srcf, nodebug

K = lambda x: f'{x/1e3:.2f}'
JS_CATS = ('JS (bundle)', 'JS (wrapper)', 'JS (runtime internal)')

def label(e, r):
    name, _, pos = e.rpartition(' ')
    if not name or name.startswith('(anonymous)'):
        name = '(anon)'
    out = f"{name} ({r['source'] or pos.split(':')[0]}) @{pos.split(':',1)[-1] if r.get('source') else pos}"
    if r.get('snippet') and name == '(anon)':
        out += f" `{r['snippet'][:60].replace('|','¦')}`"
    return out

data = {v: avg(v) for v in by_variant}

for v in by_variant:
    ent, info, cats, total, srcf, nodebug = data[v]
    print(f"\n## {v}: {total/1e3:.1f} k instructions a request ({len(chosen[v])} windows)\n")
    print('| category | k/request | % |')
    print('|---|---:|---:|')
    for c, x in sorted(cats.items(), key=lambda kv: -kv[1]):
        print(f'| {c} | {K(x)} | {100*x/total:.1f} |')
    js = sorted([(e, x) for e, x in ent.items() if info[e]['category'] in JS_CATS], key=lambda kv: -kv[1]['self'])
    print(f"\nJS functions: {len(js)} with cost, {K(sum(x['self'] for e, x in js))} k self in all\n")
    print('| # | function — source:line:col | tier(s) | self k | incl. k (approx.) |')
    print('|---:|---|---|---:|---:|')
    for i, (e, x) in enumerate(js[:40], 1):
        tiers = ', '.join(f"{t} {K(y)}" for t, y in sorted(x.get('tiers', {}).items(), key=lambda kv: -kv[1]))
        print(f"| {i} | {label(e, info[e])} | {tiers} | {K(x['self'])} | {K(x['inclusive'])} |")
    if srcf:
        print(f"\nJS by source function (de-inlined with --perf-prof's source positions: an inlined callee's instructions go to the callee; {K(nodebug)} k of JS code had no position info and stays with its code object)\n")
        print('| # | source function (file) @bundle line:col | self k | ran in code of (k) |')
        print('|---:|---|---:|---|')
        for i, (f, x) in enumerate(sorted(srcf.items(), key=lambda kv: -kv[1]['self'])[:40], 1):
            into = ', '.join(f"{c.split(' worker.js')[0] or '(anon)'}{'@'+c.rsplit(':',2)[-2] if not c.split(' ')[0] or c.startswith('(anonymous)') else ''} {K(y)}" for c, y in sorted(x['in'].items(), key=lambda kv: -kv[1])[:3])
            name, _, pos = f.rpartition(' @')
            print(f"| {i} | {name or f} ({x.get('source') or '?'}) @{pos} | {K(x['self'])} | {into} |")
    for cat in ('V8 builtins', 'regexp code', 'interpreter (bytecode handlers)'):
        rows = sorted([(e, x) for e, x in ent.items() if info[e]['category'] == cat], key=lambda kv: -kv[1]['self'])
        print(f"\n{cat}: {K(sum(x['self'] for e, x in rows))} k\n")
        print('| entity | self k |')
        print('|---|---:|')
        for e, x in rows[:25]:
            print(f"| {e[:100]} | {K(x['self'])} |")
    rows = sorted([(e, x) for e, x in ent.items() if info[e]['category'] not in JS_CATS + ('V8 builtins', 'regexp code', 'interpreter (bytecode handlers)')], key=lambda kv: -kv[1]['self'])
    print(f"\nnative (C++, libc): top 40\n")
    print('| function | category | self k |')
    print('|---|---|---:|')
    for e, x in rows[:40]:
        print(f"| {e[:110].replace('|','¦')} | {info[e]['category']} | {K(x['self'])} |")

def diff(a, b, title):
    if a not in data or b not in data:
        return
    ea, ia, ca, ta, sa, _ = data[a]
    eb, ib, cb, tb, sb, _ = data[b]
    print(f"\n## {a} − {b}: {K(ta - tb)} k a request ({K(ta)} − {K(tb)})\n")
    print('| category | ' + a + ' | ' + b + ' | difference |')
    print('|---|---:|---:|---:|')
    for c in sorted(set(ca) | set(cb), key=lambda c: -abs(ca.get(c, 0) - cb.get(c, 0))):
        print(f'| {c} | {K(ca.get(c,0))} | {K(cb.get(c,0))} | {K(ca.get(c,0)-cb.get(c,0))} |')
    # entities: JS by label (name + source file), others by name
    def keyed(ent, info):
        out = defaultdict(float); lab = {}
        for e, x in ent.items():
            r = info[e]
            k = e
            if r['category'] in JS_CATS and r.get('source'):
                k = f"JS {e.split(' worker.js')[0] or '(anon)'} — {r['source']}" + ('' if e.split(' ')[0] else ':' + e.rsplit('worker.js:', 1)[-1])
            out[k] += x['self']
            lab[k] = r['category']
        return out, lab
    ka, la = keyed(ea, ia)
    kb, lb = keyed(eb, ib)
    # JS of the bundle by source function (de-inlined), when both sides have it
    if sa and sb:
        for kk, ll, src in ((ka, la, sa), (kb, lb, sb)):
            for k in [k for k in kk if ll[k] == 'JS (bundle)']:
                del kk[k]
            for f, x in src.items():
                name = f.rpartition(' @')[0] or f
                k = f"JS {name} — {x.get('source') or '?'}"
                kk[k] += x['self']
                ll[k] = 'JS (bundle)'
    keys = set(ka) | set(kb)
    rows = sorted(keys, key=lambda k: -abs(ka.get(k, 0) - kb.get(k, 0)))
    print(f'\n| entity | category | {a} k | {b} k | diff k |')
    print('|---|---|---:|---:|---:|')
    for k in rows[:60]:
        print(f"| {k[:110].replace('|','¦')} | {la.get(k) or lb.get(k)} | {K(ka.get(k,0))} | {K(kb.get(k,0))} | {K(ka.get(k,0)-kb.get(k,0))} |")

diff('gateway-bearer-first', 'forward-floor-first', '')
diff('gateway-cookie-first', 'gateway-bearer-first', '')
