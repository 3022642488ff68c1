#!/usr/bin/env python3
"""Per category, the entities that make the difference between two variants (averaged windows as report.py):
python3 bench/profile-functions/catdiff.py A B <run dir>… [--exclude run:variant] [--top 12]"""
import sys, json
from collections import defaultdict
args = sys.argv[1:]
top = 12
if '--top' in args:
    i = args.index('--top'); top = int(args[i + 1]); del args[i:i + 2]
exclude = set()
while '--exclude' in args:
    i = args.index('--exclude'); exclude.add(args[i + 1]); del args[i:i + 2]
a, b, dirs = args[0], args[1], args[2:]
def load(v):
    ent = defaultdict(float); cat = {}; ws = []
    for d in dirs:
        for w in json.load(open(f'{d}/profile.json'))['windows']:
            if w['variant'] == v and f"{d.rstrip('/').rsplit('/',1)[-1]}:{v}" not in exclude and w['categories'].get('V8 compiler/parser/deopt', 0) < 10000:
                ws.append(w)
    for w in ws:
        for r in w['rows']:
            ent[r['entity']] += r['self'] / len(ws); cat[r['entity']] = r['category']
    return ent, cat
ea, ca = load(a); eb, cb = load(b)
cats = defaultdict(list)
for e in set(ea) | set(eb):
    cats[ca.get(e) or cb.get(e)].append((ea.get(e, 0) - eb.get(e, 0), e))
for c, rows in sorted(cats.items(), key=lambda kv: -abs(sum(x for x, _ in kv[1]))):
    tot = sum(x for x, _ in rows)
    if abs(tot) < 300: continue
    print(f"\n### {c}: {tot/1e3:+.2f} k ({a} − {b})\n")
    print(f'| entity | {a} | {b} | diff |\n|---|---:|---:|---:|')
    for x, e in sorted(rows, key=lambda r: -abs(r[0]))[:top]:
        print(f"| {e[:120].replace('|','¦')} | {ea.get(e,0)/1e3:.2f} | {eb.get(e,0)/1e3:.2f} | {x/1e3:+.2f} |")
