#!/usr/bin/env python3
"""Where a Native AOT binary's bytes go, from ILC's map file (-p:IlcGenerateMapFile=true writes
obj/<config>/<tfm>/<rid>/native/<App>.map.xml beside <App>.ilc.rsp).

    python3 benchmarks/aot-size.py src/AlertHealer/obj/Release/net10.0/linux-x64/native/AlertHealer.map.xml [TOP]

Prints the bytes per kind of node (compiled code, type data, metadata, frozen data, ...) and the
compiled code and data per assembly, longest assembly-name prefix of the mangled symbol
(System.Private.* is mangled S_P_*); then the same with a generic instantiation counted for the
first assembly outside the framework (not System.*, Microsoft.*) among its type arguments, which
is who made the compiler build it (List<V1Pod> counts for KubernetesClient.Aot); TOP (25) rows each. The assemblies are the references in the
.ilc.rsp next to the map. Sizes are what ILC emitted, before linking: the binary adds the runtime
(about 3 MB) and the linker's own sections."""
import collections, os, re, sys

path = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
rsp = re.sub(r"\.map\.xml$", ".ilc.rsp", path)
names = set()
if os.path.exists(rsp):
    for line in open(rsp):
        m = re.match(r"^(?:-r:|)(.+\.dll)\s*$", line.strip().strip('"'))
        if m: names.add(os.path.basename(m.group(1))[:-4])
def mangle(name):
    if name.startswith("System.Private."): name = "S_P_" + name[len("System.Private."):]
    return re.sub(r"[^A-Za-z0-9]", "_", name)
# A symbol belongs to the assembly whose mangled name comes first in it (the longest at that
# place): a generic instantiation counts for its definition's assembly, a decorated symbol
# (__GCSTATICS..., _ZTV<n>..., <Boxed>...) for the type it decorates.
owner_of = re.compile("|".join(re.escape(mangle(n) + "_") for n in sorted(names, key=lambda n: -len(mangle(n)))))
back = {mangle(n) + "_": n for n in names}

node = re.compile(r'<(\w+) Name="([^"]*)" Length="(\d+)"')
by_kind = collections.Counter(); by_assembly = collections.Counter(); by_cause = collections.Counter(); total = 0
framework = lambda n: n.startswith(("System.", "Microsoft.")) or n in ("System", "netstandard", "mscorlib")
for line in open(path, encoding="utf-8", errors="replace"):
    m = node.search(line)
    if not m: continue
    kind, name, length = m.group(1), m.group(2).replace("&lt;", "<").replace("&gt;", ">"), int(m.group(3))
    total += length; by_kind[kind] += length
    o = owner_of.search(name) if names else None
    owner = back[o.group(0)] if o else "(runtime, no assembly)"
    by_assembly[owner] += length
    cause = owner
    if names and "<" in name:
        for a in owner_of.finditer(name, name.index("<")):
            if not framework(back[a.group(0)]): cause = back[a.group(0)]; break
    by_cause[cause] += length
mb = lambda b: f"{b / 1e6:8.2f} MB"
print(f"total {mb(total)} in {path}")
print("\nby kind of node:")
for k, v in by_kind.most_common(top): print(f"  {mb(v)}  {k}")
print("\nby assembly (mangled-name prefix):")
for k, v in by_assembly.most_common(top): print(f"  {mb(v)}  {k}")
print("\nby assembly, a generic instantiation counted for the first non-framework assembly among its type arguments:")
for k, v in by_cause.most_common(top): print(f"  {mb(v)}  {k}")
