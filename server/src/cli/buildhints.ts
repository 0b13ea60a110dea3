/**
 * `--min-version`: besides each file's minimum, what to write in the build files for the whole set, for
 * setuptools (setup.py, setup.cfg, pyproject.toml), scikit-build-core and meson-python, and the wheel tag. The
 * spellings are those abi3lint's own build-file reader understands (core/buildconfig.ts), so a project that
 * follows them is checked against the same target in the editor.
 */
import { minorToHex, minorToString } from '../core/version';

export function buildHints(minor: number): string {
  const hex = minorToHex(minor);
  const v = minorToString(minor);
  const tag = `cp3${minor}`;
  return `To build one abi3 wheel for Python ${v} and later (wheel tag ${tag}-abi3):

  setuptools, setup.py:
    Extension(..., define_macros=[("Py_LIMITED_API", "${hex}")], py_limited_api=True)
    setup(..., options={"bdist_wheel": {"py_limited_api": "${tag}"}})
  setuptools, setup.cfg:
    [bdist_wheel]
    py_limited_api = ${tag}
  setuptools, pyproject.toml:
    [[tool.setuptools.ext-modules]]
    py-limited-api = true
    define-macros = [["Py_LIMITED_API", "${hex}"]]
  scikit-build-core, pyproject.toml and CMakeLists.txt:
    [tool.scikit-build]
    wheel.py-api = "${tag}"
    python_add_library(<name> MODULE USE_SABI ${v} WITH_SOABI <sources>)
  meson-python, pyproject.toml and meson.build:
    [tool.meson-python]
    limited-api = true
    py.extension_module(<name>, <sources>, limited_api: '${v}')
`;
}
