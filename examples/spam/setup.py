# Read by abi3lint as data (never executed). The wheel tag says cp310 while the code targets 3.9.
from setuptools import Extension, setup

setup(
    name="spam",
    ext_modules=[
        Extension("spam", ["spammodule.c"], py_limited_api=True),
    ],
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
