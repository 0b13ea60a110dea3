# Smoke test of lazy-object-proxy's C proxy (lazy_object_proxy.cext), run on the original (full API) and the
# migrated (abi3) builds: same output. Object addresses are left out of what it prints.
import asyncio
import gc
import operator
import pickle
import sys
import weakref

import cext
from cext import Proxy

# the module is built alone here, not inside its package: pickle finds its functions under its own name
sys.modules["lazy_object_proxy.cext"] = cext

calls = []


def factory(value):
    def make():
        calls.append(value)
        return value
    return make


p = Proxy(factory([3, 1, 2]))
print(p.__resolved__, len(p), p[0], p[1:], 2 in p, list(reversed(p)), sorted(p), calls)
print(p.__resolved__, type(p).__name__, p.__class__ is list, isinstance(p, list), repr(p).split(" at ")[0])
p.append(9)
p[0] = 7
del p[1]
print(p.__wrapped__, bool(p), str(p), format(Proxy(factory(3.14159)), ".2f"))

n = Proxy(factory(10))
ops = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod, operator.pow,
       operator.lshift, operator.rshift, operator.and_, operator.or_, operator.xor, divmod]
print([op(n, 3) for op in ops], [op(7, n) for op in ops[:7]])
print(-n, +n, abs(Proxy(factory(-4))), ~n, int(Proxy(factory(2.5))), float(n), operator.index(n), round(Proxy(factory(2.567)), 2))
print(n == 10, n != 10, n < 11, n <= 10, n > 9, n >= 11, hash(n) == hash(10))
m = Proxy(factory(5))
m += 1
m *= 3
print(m, type(m).__name__)

d = Proxy(factory({"a": 1}))
d["b"] = 2
print(sorted(d.items()), d["a"], "b" in d, len(d))
try:
    d["zz"]
except KeyError as e:
    print("KeyError", e)


class Obj:
    """An object with attributes."""

    x = 1

    def __call__(self, *a, **k):
        return ("called", a, sorted(k.items()))

    def __enter__(self):
        return "entered"

    def __exit__(self, *exc):
        return False

    def __fspath__(self):
        return "/some/path"

    def __bytes__(self):
        return b"bytes!"


o = Proxy(factory(Obj()))
o.y = 5
print(o.x, o.y, o(1, k=2), o.__doc__, o.__name__ if hasattr(o, "__name__") else "-", o.__module__, bytes(o))
with o as e:
    print(e)
import os
print(os.fspath(o), "y" in dir(o))
del o.y
print(hasattr(o, "y"))
try:
    o.missing
except AttributeError as e:
    print("AttributeError", e)


class AIter:
    def __init__(self):
        self.n = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        self.n += 1
        if self.n > 3:
            raise StopAsyncIteration
        return self.n


async def main():
    out = []
    async for v in Proxy(factory(AIter())):
        out.append(v)
    return out


print(asyncio.run(main()))
try:
    Proxy(factory(1)).__aiter__()
except AttributeError as e:
    print("AttributeError", e)

print(pickle.loads(pickle.dumps(Proxy(factory([1, 2])))))
w = Proxy(factory(Obj()))
try:
    weakref.ref(w)
except TypeError as e:
    print("TypeError", e)
del w
print(gc.collect() >= 0)


class Sub(Proxy):
    pass


s = Sub(factory("text"))
print(s.upper(), len(s), type(s).__name__)
err = Proxy(lambda: 1 / 0)
try:
    err + 1
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
try:
    Proxy()
except TypeError as e:
    print("TypeError")
print(sorted(calls, key=repr)[:3])
