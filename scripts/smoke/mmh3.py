# Smoke test of mmh3, run on the original (full API) and the migrated (abi3) builds: same output.
import mmh3

print(mmh3.hash("foo"), mmh3.hash("foo", 42), mmh3.hash(b"foo", signed=False), mmh3.hash64("foo"), mmh3.hash128("foo", 42, signed=True))
print(mmh3.hash_bytes("foo").hex(), mmh3.mmh3_32_digest(b"foo", 1).hex(), mmh3.mmh3_x64_128_uintdigest(b"foo"))
h = mmh3.mmh3_32(seed=3)
h.update(b"foo")
h.update(bytearray(b"bar"))
g = h.copy()
print(h.digest().hex(), h.sintdigest(), h.uintdigest(), g.digest() == h.digest(), h.name, h.digest_size, h.block_size)
h128 = mmh3.mmh3_x64_128(b"hello")
print(h128.digest().hex(), h128.sintdigest(), mmh3.mmh3_x86_128(b"hello", 7).uintdigest())
for bad in ((mmh3.hash, 1.5), (mmh3.mmh3_32_digest, "str")):
    try:
        bad[0](bad[1])
    except TypeError as e:
        print("TypeError:", e)
try:
    mmh3.hash("foo", "seed")
except TypeError as e:
    print("TypeError:", e)
