# Smoke test of audioop-lts's _audioop, run on the original (full API) and the migrated (abi3) builds: same output.
import array
import _audioop as a

frag = bytes(range(0, 256, 3)) * 4
for w in (1, 2, 3, 4):
    f = frag[: len(frag) // w * w]
    print(w, a.max(f, w), a.minmax(f, w), a.avg(f, w), a.rms(f, w), a.avgpp(f, w), a.maxpp(f, w), a.cross(f, w))
    print(a.getsample(f, w, 1), a.mul(f, w, 0.5).hex()[:40], a.bias(f, w, 7).hex()[:40], a.reverse(f, w).hex()[:40])
    print(a.byteswap(f, w).hex()[:40], a.lin2lin(f, w, 4).hex()[:40], a.tomono(f, w, 0.5, 0.5).hex()[:40], a.tostereo(f, w, 1, 0.25).hex()[:40])
    print(a.add(f, f, w).hex()[:40], a.lin2ulaw(f, w).hex()[:40], a.lin2alaw(f, w).hex()[:40])
    print(a.ratecv(f, w, 1, 8000, 16000, None), a.ratecv(f, w, 2, 8000, 11025, None, 2, 1)[1])
    print(a.lin2adpcm(f, w, None), a.adpcm2lin(b"\x12\x34\x56", w, None))
print(a.ulaw2lin(bytes(range(256)), 2).hex()[:64], a.alaw2lin(bytes(range(256)), 4).hex()[:64])
s = array.array("h", [0, 1000, -1000, 32767, -32768, 5, 6, 7])
print(a.findfit(s.tobytes(), array.array("h", [1000, -1000]).tobytes()), a.findmax(s.tobytes(), 2), a.findfactor(s.tobytes(), s.tobytes()))
print(a.rms(memoryview(s), 2), a.max(bytearray(b"\x01\x80"), 1))
for bad in ((a.max, (b"abc", 2)), (a.max, (b"ab", 5)), (a.getsample, (b"ab", 1, 9)), (a.add, (b"ab", b"abc", 1)), (a.max, ("str", 1)), (a.ratecv, (b"ab", 1, 1, 0, 1, None))):
    try:
        bad[0](*bad[1])
    except (a.error, TypeError, ValueError) as e:
        print(type(e).__name__, e)
print(a.error.__name__, a.error.__module__, issubclass(a.error, Exception))
