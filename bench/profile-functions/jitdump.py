"""Reads a jitdump file (V8 --perf-prof): code loads with their debug info (source positions)."""
import struct

ELF_HEADER = 0x40  # V8 adds this to debug-info addresses (perf inject puts code after an ELF header)

def read_jitdump(path):
    """[(code_addr, size, name, [(addr, file, line, col), ...], index)] in file order."""
    data = open(path, 'rb').read()
    magic, version, hsize = struct.unpack_from('<III', data, 0)
    assert magic == 0x4A695444, hex(magic)
    off = hsize
    loads = []
    pending_debug = None
    while off + 16 <= len(data):
        rid, size, ts = struct.unpack_from('<IIQ', data, off)
        if size < 16 or off + size > len(data):
            break
        body = off + 16
        if rid == 0:  # JIT_CODE_LOAD
            pid, tid, vma, code_addr, code_size, idx = struct.unpack_from('<IIQQQQ', data, body)
            name_start = body + 40
            name_end = data.index(b'\0', name_start)
            name = data[name_start:name_end].decode('utf8', 'replace')
            dbg = []
            if pending_debug and pending_debug[0] == code_addr:
                dbg = pending_debug[1]
            loads.append((code_addr, code_size, name, dbg, len(loads)))
            pending_debug = None
        elif rid == 2:  # JIT_CODE_DEBUG_INFO
            code_addr, n = struct.unpack_from('<QQ', data, body)
            p = body + 16
            entries = []
            for _ in range(n):
                addr, line, col = struct.unpack_from('<QII', data, p)
                p += 16
                e = data.index(b'\0', p)
                fname = data[p:e].decode('utf8', 'replace')
                p = e + 1
                entries.append((addr - ELF_HEADER, fname, line, col))
            pending_debug = (code_addr, entries)
        off += size
    return loads

if __name__ == '__main__':
    import sys
    loads = read_jitdump(sys.argv[1])
    print(len(loads), 'loads')
    for l in loads:
        if l[3] and ('+' in l[2][:5] or '*' in l[2][:5]):
            print(hex(l[0]), l[1], l[2], len(l[3]), l[3][:6])
            break
    import collections
    print(collections.Counter(l[2][:4] for l in loads).most_common(10))
    print(sum(1 for l in loads if l[3]), 'with debug info')
