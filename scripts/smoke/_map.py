# Smoke test of immutables' _map, run on the original (full API) and the migrated (abi3) builds: same output.
import gc
import _map

M = _map.Map
m = M(a=1, b=2)
m2 = m.set("c", 3).delete("a")
print(len(m), m["a"], m.get("z", "-"), sorted(m2.items()), "a" in m2, m == M(b=2, a=1), hash(m) == hash(M(a=1, b=2)))
print(sorted(m.keys()), sorted(m.values()), len(m.items()), "b" in m.keys(), repr(M({"k": "v"})))
with m.mutate() as mm:
    mm["x"] = 10
    del mm["a"]
    mm.update({"y": 20})
    m3 = mm.finish()
print(sorted(m3.items()), type(m).__name__, type(m.keys()).__name__, type(iter(m)).__name__)
big = M({i: str(i) for i in range(1000)})
print(len(big), big[999], sum(1 for _ in big), len(big.update({i: i for i in range(500)})))
try:
    m["zz"]
except KeyError as e:
    print("KeyError:", e)
try:
    type(m.keys())()
except TypeError as e:
    print("TypeError:", e)
del big
gc.collect()
print("ok")
