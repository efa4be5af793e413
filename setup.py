"""Build the optional C extensions (metadata is in pyproject.toml).

refute.engine._fingerprint (state fingerprints), refute.engine._fpset (the fingerprint sets and
maps of one process, and the sequential search's per-successor loop),
refute.engine._shared_seen (the fingerprint set that --workers processes share),
refute._values (Record(...), Record.update and FrozenMap.set), refute.spec._dispatch (a
Python spec's actions called on a state) and refute.history._listappend (the proof that a
list-append history is clean). If one cannot be compiled (no C compiler or no
Python headers), installation still succeeds and refute uses the pure-Python versions, which
behave the same, only slower (and refute says so: refute.engine.native).
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
              "refute will use its pure-Python versions, which are several times slower.\n"
              "Install a C compiler and the Python headers (e.g. apt-get install gcc "
              "python3-dev), then reinstall.\n"
              f"{banner}\n", file=sys.stderr, flush=True)


setup(
    ext_modules=[
        Extension(
            name,
            sources=[source],
            depends=["src/refute/engine/_fingerprint_api.h"],  # included by _fpset, _shared_seen
            extra_compile_args=["-O3"] if sys.platform != "win32" else ["/O2"],
        )
        for name, source in [
            ("refute.engine._fingerprint", "src/refute/engine/_fingerprint.c"),
            ("refute.engine._shared_seen", "src/refute/engine/_shared_seen.c"),
            ("refute.engine._fpset", "src/refute/engine/_fpset.c"),
            ("refute._values", "src/refute/_values.c"),
            ("refute.spec._dispatch", "src/refute/spec/_dispatch.c"),
            ("refute.history._listappend", "src/refute/history/_listappend.c"),
        ]
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
