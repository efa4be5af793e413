"""Build the optional C extension refute.engine._fingerprint (metadata is in pyproject.toml).

If it cannot be compiled (no C compiler or no Python headers), installation still succeeds
and refute.engine.fingerprint uses its pure-Python twin, which gives the same fingerprints,
only several times slower.
"""

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """build_ext that warns, instead of failing the install, when compiling fails."""

    def run(self):
        try:
            super().run()
        except Exception as error:  # noqa: BLE001 - any build failure must not stop the install
            self._warn(error)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as error:  # noqa: BLE001
            self._warn(error, ext.name)

    @staticmethod
    def _warn(error, name="C extensions"):
        banner = "*" * 78
        print(f"\n{banner}\nWARNING: could not compile {name}: {error}\n"
              "refute will use its pure-Python fingerprint, which is several times slower.\n"
              "Install a C compiler and the Python headers (e.g. apt-get install gcc "
              "python3-dev), then reinstall.\n"
              f"{banner}\n", file=sys.stderr, flush=True)


setup(
    ext_modules=[
        Extension(
            "refute.engine._fingerprint",
            sources=["src/refute/engine/_fingerprint.c"],
            extra_compile_args=["-O3"] if sys.platform != "win32" else ["/O2"],
        ),
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
