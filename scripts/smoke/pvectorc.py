# Smoke test of pyrsistent's pvectorc, run on the original (full API) and the migrated (abi3) builds: same output.
import pvectorc

v = pvectorc.pvector(range(5))
print(v, len(v), v[2], v[-1], v[1:4], list(reversed(v)))
w = v.append(5).set(0, "zero").extend([6, 7])
print(w, w.index(3), w.count(7), w.tolist(), v == pvectorc.pvector(range(5)), hash(v) == hash(pvectorc.pvector(range(5))))
e = w.evolver()
e[1] = "one"
e.append(8)
del e[0]
print(e.persistent(), e.is_dirty() if hasattr(e, "is_dirty") else "-")
print(w.delete(0), w.remove(7), v + v, v * 2, sorted([v, w.set(0, 0)], key=len))
for bad in ("x", 1.5):
    try:
        v[bad]
    except TypeError as exc:
        print("TypeError:", exc)
try:
    v[10]
except IndexError as exc:
    print("IndexError:", exc)
print(list(iter(pvectorc.pvector("abc"))), pvectorc.pvector().append(1).index(1, 0, 1))
