# Smoke test of python-xxhash's _xxhash, run on the original (full API) and the migrated (abi3) builds: same output.
import _xxhash as x

for name in ("xxh32", "xxh64", "xxh3_64", "xxh3_128"):
    cls = getattr(x, name)
    h = cls(b"hello", seed=7)
    h.update(b" world")
    h.update(memoryview(b"!"))
    c = h.copy()
    print(name, h.hexdigest(), h.intdigest(), h.digest().hex(), c.hexdigest() == h.hexdigest(), h.digest_size, h.block_size, h.seed)
    h.reset()
    print(name, h.hexdigest(), cls().hexdigest(), cls(b"text").hexdigest(), cls(b"kw", 3).intdigest())
    try:
        cls(1.5)
    except TypeError as e:
        print("TypeError:", e)
print(x.xxh32_hexdigest(b"abc"), x.xxh64_intdigest(b"abc", seed=1), x.xxh3_128_digest(b"abc").hex(), x.xxh3_64_hexdigest(b"abc"))
try:
    x.xxh32("text")
except TypeError as e:
    print("TypeError:", e)
