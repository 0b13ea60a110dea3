# Smoke test of ujson, run on the original (full API) and the migrated (abi3) builds: same output.
import decimal
import ujson

value = {"name": "caf\u00e9", "emoji": "\U0001F600", "n": [0, -1, 2**63 - 1, -(2**63), 1.5, 1e300, -0.0], "ok": True, "none": None, "nested": {"b": [1, {"c": ()}], "a": ""}}
print(ujson.dumps(value, sort_keys=True))
print(ujson.dumps(value, sort_keys=True, ensure_ascii=False, indent=2))
print(ujson.dumps("</script>&", escape_forward_slashes=False, encode_html_chars=True), ujson.dumps(decimal.Decimal("1.25")))
print(ujson.dumps([float("nan"), float("inf")], allow_nan=True), ujson.dumps(2**64))
text = '{"s": "a\\u00e9\\ud83d\\ude00\\ud800x", "t": "\\ufeffbom", "l": [1, 2.5, -3e-7, true, false, null], "big": 123456789012345678901234567890}'
decoded = ujson.loads(text)
print(sorted(decoded.items()), [hex(ord(c)) for c in decoded["s"]], repr(decoded["t"]))
print(ujson.loads(b'["bytes", "\xc3\xa9"]'), ujson.loads(bytearray(b"[1]")), ujson.loads(memoryview(b'{"m": 0}')), ujson.loads('"\u00e9\U0001F600"'))
for bad in ('{"a": }', "[1, 2", '"\\ud83d', "nul", 12):
    try:
        print(ujson.loads(bad))
    except (ujson.JSONDecodeError, TypeError) as e:
        print(type(e).__name__, e)
for bad in (object(), {1j: 1}, [1j]):
    try:
        print(ujson.dumps(bad))
    except (TypeError, OverflowError) as e:
        print(type(e).__name__, str(e).split(" at 0x")[0])
class Custom:
    def __json__(self):
        return '{"custom": 1}'
print(ujson.dumps(Custom()), ujson.dumps({"d": Custom()}), ujson.dumps([1, 2], default=str), ujson.dumps(object, default=lambda o: "cls"))
print(ujson.__version__, ujson.encode is not None, ujson.decode("[7]"))
