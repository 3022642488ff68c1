#!/usr/bin/env python3
"""Attributes callgrind dumps (--dump-instr=yes, --compress-strings=no, --compress-pos=no) of a
workerd run by bench/profile-functions/run.mjs to JS functions / builtins / C++ with V8's perf map.

  python3 bench/profile-functions/analyze.py <run dir> [--json out.json]

Per window: self instructions per entity (per request), categories, attribution coverage, and
inclusive costs from callgrind's call arcs (self + arcs leaving the entity). Writes <run dir>/profile.json."""
import bisect, json, os, re, sys
from collections import defaultdict

run = sys.argv[1] if __name__ == '__main__' else None

# --- perf map -------------------------------------------------------------------------------
def read_map(path, end):
    with open(path, 'rb') as f:
        data = f.read(end)
    entries = []
    for seq, line in enumerate(data.decode('utf8', 'replace').splitlines()):
        parts = line.split(' ', 2)
        if len(parts) < 3:
            continue
        entries.append((int(parts[0], 16), int(parts[1], 16), parts[2], seq))
    return entries

def lookup(entries, addrs):
    """addr -> name of the latest entry (by order in the map) covering it."""
    qs = sorted(addrs)
    out = {}
    for start, size, name, seq in entries:  # in map order: later entries overwrite
        i = bisect.bisect_left(qs, start)
        j = bisect.bisect_left(qs, start + size)
        for k in range(i, j):
            out[qs[k]] = name
    return out

# --- bundle line -> source file ---------------------------------------------------------------
def source_index(path):
    marks = []
    if not os.path.exists(path):
        return marks
    for n, line in enumerate(open(path, encoding='utf8'), 1):
        if line.startswith('// ') and ('/' in line) and (line.rstrip().endswith(('.ts', '.mjs', '.js', '.cjs'))):
            f = line[3:].strip()
            f = re.sub(r'^(\.\./)+(main/)?', '', f)
            marks.append((n, f))
    return marks

def source_of(marks, line):
    i = bisect.bisect_right([m[0] for m in marks], line) - 1
    return marks[i][1] if i >= 0 else '?'

# --- jitdump debug info and the bundle's functions ---------------------------------------------
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from jitdump import read_jitdump
import subprocess as _sp

class Functions:
    """The bundle's function ranges (bench/profile-functions/funcs.mjs): innermost function at line:col."""
    def __init__(self, bundle):
        cache = bundle + '.funcs.json'
        if not os.path.exists(cache):
            out = _sp.run(['node', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'funcs.mjs'), bundle], capture_output=True, text=True, check=True).stdout
            open(cache, 'w').write(out)
        d = json.load(open(cache))
        self.fns = sorted(d['functions'], key=lambda f: f['startPos'])
        self.starts = [f['startPos'] for f in self.fns]
        self.lines = d['lineStarts']
        self.memo = {}
    def at(self, line, col):
        key = (line, col)
        if key in self.memo:
            return self.memo[key]
        if line < 1 or line > len(self.lines):
            return None
        off = self.lines[line - 1] + col - 1
        i = bisect.bisect_right(self.starts, off) - 1
        found = None
        while i >= 0:
            f = self.fns[i]
            if f['endPos'] > off:
                found = f
                break
            i -= 1
        self.memo[key] = found
        return found

# --- callgrind dump ---------------------------------------------------------------------------
HEX = re.compile(r'^0x[0-9a-f]+$')
REC = re.compile(r"'\d+$")
def parse_dump(path):
    """self[(ob, fn, addr)] = Ir (addr only for anonymous/hex-named code, else None); arcs list; total."""
    self_cost = defaultdict(int)
    arcs = defaultdict(int)  # (ob, fn, addr|None, cob, cfn, caddr|None) -> inclusive Ir
    total = None
    ob = fn = None
    cob = cfn = None
    pending_call = None
    with open(path, encoding='utf8', errors='replace') as f:
        for line in f:
            c = line[0]
            if c == '0' or c.isdigit():
                parts = line.split()
                if pending_call is not None:
                    caddr = pending_call
                    addr = int(parts[0], 16)
                    src_anon = ob == '???' and HEX.match(fn) is not None
                    dst_anon = (cob or ob) == '???' and HEX.match(cfn) is not None
                    arcs[(ob, fn, addr if src_anon else None, cob or ob, cfn, caddr if dst_anon else None)] += int(parts[2])
                    pending_call = None
                    cob = None
                    continue
                addr = int(parts[0], 16)
                anon = ob == '???' and fn.startswith('0x')
                self_cost[(ob, fn, addr if anon else None)] += int(parts[2])
            elif line.startswith('fn='):
                fn = REC.sub('', line[3:].rstrip('\n'))
            elif line.startswith('ob='):
                ob = line[3:].rstrip('\n')
            elif line.startswith('cob='):
                cob = line[4:].rstrip('\n')
            elif line.startswith('cfn='):
                cfn = REC.sub('', line[4:].rstrip('\n'))
            elif line.startswith('calls='):
                pending_call = int(line.split()[1], 16)
            elif line.startswith('totals:') or line.startswith('summary:'):
                total = int(line.split()[1])
    return self_cost, arcs, total

# --- classification ---------------------------------------------------------------------------
import subprocess
_demangled = {}
def demangle_all(names):
    todo = [n for n in names if n.startswith('_Z') and n not in _demangled]
    if not todo:
        return
    out = subprocess.run(['c++filt'], input='\n'.join(todo), capture_output=True, text=True).stdout.split('\n')
    for a, b in zip(todo, out):
        _demangled[a] = b

def strip_templates(s):
    out, depth = [], 0
    for ch in s:
        if ch == '<':
            depth += 1
        elif ch == '>':
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return ''.join(out)

def qualname(fn):
    """The function's qualified name without return type, arguments, template arguments."""
    fn = _demangled.get(fn, fn)
    if fn.startswith('_Z'):  # c++filt could not: the leading length-prefixed names
        i = fn.find('N') + 1 if fn.startswith(('_ZN', '_ZZN')) else 2
        if fn.startswith('_ZNSt3__1', 0) or fn.startswith('_ZSt'):
            return 'std::' + fn
        parts = []
        while i < len(fn) and fn[i].isdigit() and len(parts) < 3:
            m = re.match(r'\d+', fn[i:])
            l = int(m.group(0)); i += len(m.group(0))
            parts.append(fn[i:i + l]); i += l
        return '::'.join(parts) + '::' + fn if parts else fn
    head = strip_templates(fn.split('(')[0] if not fn.startswith('(') else fn)
    toks = head.replace('operator ', 'operator_').split()
    return toks[-1] if toks else fn

GC = re.compile(r'(Scaveng|MarkCompact|MarkingVisitor|Marking|Sweeper|::Heap::|HeapObject.*Visit|Evacuat|RememberedSet|SlotSet|^cppgc::|Young|MinorMS|GCTracer|ConcurrentMarking|IncrementalMarking|EphemeronTable|MemoryAllocator|PagedSpace|NewSpace|SemiSpace|LocalHeap|Collector|Compactor|WeakObjects|GlobalHandles::(Iterate|Process|Post|Compute|Clear)|WeakHandles|IsUnmodifiedApiObject|TracedHandles|UnifiedHeap|ArrayBufferSweeper|Iterate(Roots|Pointers)|HeapVisitor|BodyDescriptor|ObjectStats|HeapLayout|MemoryChunk|PageMetadata|MainAllocator|LinearAllocationArea|Evacuation|RecordWrite|Safepoint|GCCallbacks|EmbedderRoots|CppHeap)')
COMPILER = re.compile(r'^v8::internal::(compiler|maglev|baseline|interpreter|Parser|ParserBase|Scanner|OptimizingCompile|TurbofanCompilationJob|BytecodeGenerator|Deoptimizer|AstNodeFactory|DeclarationScope|CodeGenerator|wasm|RegExpCompiler|RegExpBytecode|RegExpMacro|Assembler|MacroAssembler|Compiler::Compile|PipelineImpl|Pipeline)|^v8::internal::[A-Za-z]*(Assembler|CompilationJob)')
CRYPTO = re.compile(r'^(bn_|BN_|RSA|rsa_|sha256|SHA256|EVP_|evp_|ecp_|EC_|CRYPTO_|OPENSSL_|boringssl|bssl::|ASN1|asn1|x509|X509|CBS_|CBB_|pkey_|RSA_|mont_|ERR_|aes_|gcm_|BIO_|HMAC|hmac|md_|sha|SHA|ec_|ECDSA|OBJ_|d2i|i2d|PEM|digest|ossl|bio_|rsa|RAND|CRYPTO|crypto_|fips|BORINGSSL|value_barrier|constant_time)')
import functools
@functools.lru_cache(maxsize=None)
def native_category(ob, fn):
    if fn.startswith('Builtins_'):
        n = fn[len('Builtins_'):]
        if re.search(r'Handler(_?Wide|_?ExtraWide)?$', n) or n.startswith('Interpreter'):
            return 'interpreter (bytecode handlers)'
        return 'V8 builtins'
    if 'libc.so' in ob or 'libm.so' in ob or 'ld-linux' in ob:
        return 'libc'
    q = qualname(fn)
    if q.startswith(('tcmalloc::', 'absl::')) or 'tcmalloc' in fn or q in ('operator_new', 'operator_delete', 'operator_new[]', 'operator_delete[]', 'malloc', 'free', 'calloc', 'realloc', 'posix_memalign', 'aligned_alloc') or q.startswith(('operator_new', 'operator_delete')):
        return 'malloc (tcmalloc)'
    if q.startswith('v8::') or q.startswith('cppgc::') or q.startswith('unibrow::'):
        if GC.search(q) or q.startswith('cppgc::'):
            return 'GC (V8 heap, cppgc)'
        if q.startswith('v8::internal::Runtime_'):
            return 'V8 runtime (Runtime_*)'
        if q.startswith('v8::internal::Builtin_'):
            return 'V8 C++ builtins (Builtin_*)'
        if COMPILER.search(q):
            return 'V8 compiler/parser/deopt'
        if q.startswith(('v8::internal::', 'v8::base::', 'unibrow::', 'v8::platform::')):
            return 'V8 C++ (other)'
        return 'V8 API (v8::)'
    if CRYPTO.search(q):
        return 'BoringSSL'
    if q.startswith('workerd::jsg::') or q.startswith('workerd::jsg'):
        return 'workerd jsg (bindings glue)'
    if q.startswith('workerd::'):
        return 'workerd C++'
    if q.startswith(('kj::', 'capnp::')):
        return 'kj/capnp (I/O, promises, HTTP)'
    if q.startswith('std::'):
        return 'libc++ (std::)'
    if q.startswith(('simdutf::', 'ada::', 'fast_float::', 'ada_')):
        return 'simdutf/ada/fast_float'
    if fn.startswith('0x'):
        return 'unattributed JIT / unknown code' if ob == '???' else 'libc' if 'libc' in ob else 'other C++'
    if q.startswith('__'):
        return 'libc'
    return 'other C++'

def jit_category(name):
    if name.startswith('JS:'):
        return 'JS (bundle)' if 'worker.js:' in name else ('JS (wrapper)' if 'wrapper.js:' in name else 'JS (runtime internal)')
    if name.startswith('Builtin:'):
        return 'V8 builtins'
    if name.startswith('BytecodeHandler:'):
        return 'interpreter (bytecode handlers)'
    if name.startswith('RegExp'):
        return 'regexp code'
    return 'other JIT (' + name.split(':', 1)[0] + ')'

def js_key(name):
    """'JS:*foo worker.js:1:2' -> ('foo worker.js:1:2', '*')"""
    body = name[3:]
    tier = body[0] if body and body[0] in '*+^~' else '?'
    if tier != '?':
        body = body[1:]
    body = body.lstrip("'")
    return body if body.split(' ')[0] else '(anonymous)' + body, tier

TIER = {'*': 'turbofan', '+': 'maglev', '^': 'sparkplug', '~': 'interp', '?': '?'}

def analyze_window(w):
    self_cost, arcs, total = parse_dump(os.path.join(run, w['file']))
    demangle_all({fn for (ob, fn, a) in self_cost} | {k[4] for k in arcs} | {k[1] for k in arcs})
    n = w['requests']
    entries = read_map(os.path.join(run, w['map']), w['mapEnd'])
    anon_addrs = {a for (ob, fn, a) in self_cost if a is not None}
    anon_addrs |= {k[2] for k in arcs if k[2] is not None} | {k[5] for k in arcs if k[5] is not None}
    names = lookup(entries, anon_addrs)
    marks = source_index(os.path.join(run, w['worker'], 'worker.js'))
    try:
        bundle_lines = open(os.path.join(run, w['worker'], 'worker.js'), encoding='utf8').read().split('\n')
    except OSError:
        bundle_lines = []

    def entity(ob, fn, addr):
        """(entity name, category, tier)"""
        if addr is not None:
            name = names.get(addr)
            if name is None:
                return ('unattributed JIT ' + fn, 'unattributed JIT / unknown code', None)
            cat = jit_category(name)
            if name.startswith('JS:'):
                key, tier = js_key(name)
                return (key, cat, TIER[tier])
            if name.startswith('Builtin:'):
                return ('Builtins_' + name[8:], cat, None)
            if name.startswith('BytecodeHandler:'):
                return ('Builtins_' + name[16:] + 'Handler', cat, None)
            return (name, cat, None)
        return (_demangled.get(fn, fn), native_category(ob, fn), None)

    jit_path = os.path.join(run, w['worker'] + '.jit.dump')
    debug = {}
    if os.path.exists(jit_path):
        if jit_path not in JIT_CACHE:
            JIT_CACHE[jit_path] = read_jitdump(jit_path)
        for code_addr, size, name, dbg, idx in JIT_CACHE[jit_path]:
            if dbg:
                debug[(code_addr, size)] = ([d[0] for d in dbg], dbg)
    entry_of = {}
    for start, size, name, seq in entries:
        pass
    # the perf-map entry (start, size) covering each JS address, to find its debug info
    qs = sorted(a for a in anon_addrs if names.get(a, '').startswith('JS:'))
    for start, size, name, seq in entries:
        if not name.startswith('JS:'):
            continue
        i = bisect.bisect_left(qs, start)
        j = bisect.bisect_left(qs, start + size)
        for k in range(i, j):
            entry_of[qs[k]] = (start, size)
    bundle = os.path.join(run, w['worker'], 'worker.js')
    fns = Functions(bundle) if os.path.exists(bundle) else None
    src_self = defaultdict(int)      # source function (de-inlined) -> Ir
    src_into = defaultdict(lambda: defaultdict(int))  # source function -> code object it ran in -> Ir
    src_nodebug = 0
    def source_function(addr, code_entity):
        nonlocal src_nodebug
        key = entry_of.get(addr)
        d = debug.get(key) if key else None
        if not d or not fns:
            return None
        addrs, dbg = d
        i = bisect.bisect_right(addrs, addr) - 1
        if i < 0:
            return None
        _, fname, line, col = dbg[i]
        if fname != 'worker.js':
            return f'({fname})'
        f = fns.at(line, col)
        if not f:
            return '(top level)'
        return f"{f['name']} @{f['start'][0]}:{f['start'][1]}"

    ent_self = defaultdict(int)
    ent_cat = {}
    ent_tiers = defaultdict(lambda: defaultdict(int))
    cats = defaultdict(int)
    unattributed = 0
    for (ob, fn, addr), ir in self_cost.items():
        e, cat, tier = entity(ob, fn, addr)
        ent_self[e] += ir
        ent_cat[e] = cat
        if tier:
            ent_tiers[e][tier] += ir
        cats[cat] += ir
        if cat == 'JS (bundle)':
            sf = source_function(addr, e)
            if sf is None:
                src_nodebug += ir
                sf = '(no debug info) ' + e
            src_self[sf] += ir
            src_into[sf][e] += ir
        if cat.startswith('unattributed'):
            unattributed += ir
    summed = sum(self_cost.values())
    # inclusive: self + arcs leaving the entity
    incl = defaultdict(int)
    for (ob, fn, a, cob, cfn, ca), ir in arcs.items():
        src = entity(ob, fn, a)[0]
        dst = entity(cob, cfn, ca)[0]
        if src != dst:
            incl[src] += ir
    rows = []
    for e, ir in ent_self.items():
        src = None
        m = re.search(r' worker\.js:(\d+):(\d+)$', e)
        if m and marks:
            src = source_of(marks, int(m.group(1)))
        snippet = None
        if m and bundle_lines:
            ln, col = int(m.group(1)), int(m.group(2))
            snippet = bundle_lines[ln - 1][max(0, col - 1 - 30):col - 1 + 50].strip() if ln <= len(bundle_lines) else None
        rows.append({'snippet': snippet, 'entity': e, 'category': ent_cat[e], 'self': ir / n, 'inclusive': (ir + incl.get(e, 0)) / n, 'source': src, 'tiers': {k: v / n for k, v in ent_tiers[e].items()} if e in ent_tiers else None})
    rows.sort(key=lambda r: -r['self'])
    new_entries = read_map(os.path.join(run, w['map']), w['mapEnd'])[len(read_map(os.path.join(run, w['map']), w['mapStart'])):]
    return {
        'variant': w['variant'], 'round': w['round'], 'requests': n,
        'total': total / n, 'summed_self': summed / n, 'unattributed': unattributed / n,
        'map_entries_in_window': [e[2] for e in new_entries],
        'categories': {k: v / n for k, v in sorted(cats.items(), key=lambda kv: -kv[1])},
        'source_functions': sorted(({'function': f, 'source': source_of(marks, int(f.rsplit('@', 1)[1].split(':')[0])) if '@' in f and marks else None, 'self': ir / n, 'in': {c: x / n for c, x in sorted(src_into[f].items(), key=lambda kv: -kv[1])}} for f, ir in src_self.items()), key=lambda r: -r['self']),
        'js_without_debug_info': src_nodebug / n,
        'rows': rows,
    }

JIT_CACHE = {}
if __name__ == '__main__':
    meta = json.load(open(os.path.join(run, 'windows.json')))
    results = [analyze_window(w) for w in meta['windows']]
    json.dump({'meta': meta, 'windows': results}, open(os.path.join(run, 'profile.json'), 'w'), indent=1)
    for r in results:
        print(f"{r['variant']} r{r['round']}: total {r['total']/1e3:.1f} k/request, self summed {r['summed_self']/1e3:.1f} k, unattributed JIT {r['unattributed']/1e3:.2f} k, new map entries in window: {len(r['map_entries_in_window'])}")
