#!/usr/bin/env python3
"""Nearest-JS-frame attribution of a run made with --valgrind-args=--separate-callers=N:
every instruction goes to the innermost JS function of the bundle on its call chain (callgrind's
context of N callers), split by what executed it (the JS itself, builtins, regexp, V8 C++,
workerd, BoringSSL, malloc, GC…). Instructions with no bundle frame in their last N callers go
to '(no JS frame)' (workerd's HTTP and event loop, background threads).

  python3 bench/profile-functions/ctx.py <run dir>   → <run dir>/frames.json, tables on stdout"""
import json, os, sys
from collections import defaultdict
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analyze as A

run = sys.argv[1]
meta = json.load(open(os.path.join(run, 'windows.json')))

def parse(path):
    cost = defaultdict(int)  # (ob, fullfn, addr|None) -> Ir
    ob = fn = None
    skip = False
    total = None
    with open(path, encoding='utf8', errors='replace') as f:
        for line in f:
            c = line[0]
            if c.isdigit():
                if skip:
                    skip = False
                    continue
                parts = line.split()
                addr = int(parts[0], 16)
                own = fn.split("'", 1)[0]
                cost[(ob, fn, addr if ob == '???' and own.startswith('0x') else None)] += int(parts[2])
            elif line.startswith('fn='):
                fn = line[3:].rstrip('\n')
            elif line.startswith('ob='):
                ob = line[3:].rstrip('\n')
            elif line.startswith('calls='):
                skip = True
            elif line.startswith(('totals:', 'summary:')):
                total = int(line.split()[1])
    return cost, total

def window(w):
    n = w['requests']
    cost, total = parse(os.path.join(run, w['file']))
    entries = A.read_map(os.path.join(run, w['map']), w['mapEnd'])
    addrs = set()
    for (ob, fn, a) in cost:
        if a is not None:
            addrs.add(a)
        for p in fn.split("'")[1:]:
            if p.startswith('0x'):
                addrs.add(int(p, 16))
    names = A.lookup(entries, addrs)
    A.demangle_all({fn.split("'", 1)[0] for (ob, fn, a) in cost})
    marks = A.source_index(os.path.join(run, w['worker'], 'worker.js'))
    frames = defaultdict(lambda: defaultdict(float))   # frame -> category -> Ir
    top_native = defaultdict(lambda: defaultdict(float))  # frame -> native fn -> Ir
    depth_hit = 0
    for (ob, fn, a), ir in cost.items():
        parts = [p for p in fn.split("'") if not p.isdigit()]
        own, callers = parts[0], parts[1:]
        # what executed
        if a is not None:
            nm = names.get(a)
            if nm is None:
                cat, what = 'unattributed JIT', own
            else:
                cat = A.jit_category(nm)
                what = A.js_key(nm)[0] if nm.startswith('JS:') else nm
        else:
            cat = A.native_category(ob, own)
            what = A._demangled.get(own, own)
        # the frame
        if cat == 'JS (bundle)':
            frame = what
            cat = 'JS self'
        elif cat == 'JS (wrapper)':
            frame = '(wrapper.js) ' + what
            cat = 'JS self'
        else:
            frame = None
            if not cat.startswith('GC') and not cat.startswith('V8 compiler'):
                for p in callers:
                    if p.startswith('0x'):
                        nm = names.get(int(p, 16))
                        if nm and nm.startswith('JS:') and 'worker.js:' in nm:
                            frame = A.js_key(nm)[0]
                            break
                        if nm and nm.startswith('JS:') and 'wrapper.js:' in nm:
                            frame = '(wrapper.js) ' + A.js_key(nm)[0]
                            break
                if frame is None and len(callers) >= 20:
                    depth_hit += ir
            if frame is None:
                frame = '(no JS frame: GC)' if cat.startswith('GC') else '(no JS frame: compiler thread)' if cat.startswith('V8 compiler') else '(no JS frame)'
        frames[frame][cat] += ir
        top_native[frame][f'{cat}: {what}'] += ir
    out = []
    for fr, cats in frames.items():
        src = None
        import re
        m = re.search(r' worker\.js:(\d+):(\d+)$', fr)
        if m and marks:
            src = A.source_of(marks, int(m.group(1)))
        out.append({'frame': fr, 'source': src, 'total': sum(cats.values()) / n, 'categories': {c: x / n for c, x in sorted(cats.items(), key=lambda kv: -kv[1])},
                    'top': [(k, x / n) for k, x in sorted(top_native[fr].items(), key=lambda kv: -kv[1])[:25]]})
    out.sort(key=lambda r: -r['total'])
    return {'variant': w['variant'], 'round': w['round'], 'total': total / n, 'deep_no_frame': depth_hit / n, 'frames': out}

res = [window(w) for w in meta['windows']]
json.dump(res, open(os.path.join(run, 'frames.json'), 'w'), indent=1)
for r in res:
    print(f"{r['variant']} r{r['round']}: {r['total']/1e3:.1f} k; chains ≥20 deep without a bundle frame: {r['deep_no_frame']/1e3:.2f} k")
