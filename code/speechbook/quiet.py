"""Import TensorFlow without the lines its C++ libraries write to stderr as they load.

TensorFlow 2.21 writes "oneDNN custom operations are on ..." and absl's "All log messages before
absl::InitializeLog() ..." straight to the process's stderr, twice, whatever ``TF_CPP_MIN_LOG_LEVEL`` says
(tensorflow/tensorflow#100442): in Jupyter they fill a red box under a chapter's first cell, in a terminal they
bury the command line's answer. :func:`install` (run when :mod:`speechbook` is imported) drops those lines from the
first import of TensorFlow, wherever it happens, and passes on anything else written meanwhile.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

CHATTER = re.compile(r"absl::InitializeLog\(\) is called|oneDNN custom operations are on")
"""The start-up lines TensorFlow writes whatever its log level."""


@contextmanager
def dropping_stderr_lines(pattern: re.Pattern[str]) -> Iterator[None]:
    """Catch what the block writes to file descriptor 2 (C libraries included), then write every caught line that
    does not match ``pattern`` to ``sys.stderr``; a process without a stderr runs the block as it is."""
    try:
        saved = os.dup(2)
    except OSError:  # nothing open as stderr: nothing to catch
        yield
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            lines = caught.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not pattern.search(line)))


class _QuietTensorFlow(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``tensorflow`` as the other finders do, then loads it inside :func:`dropping_stderr_lines`."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once is enough, and find_spec below must not find this finder again
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        self.loader = spec.loader
        spec.loader = self
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__.loader = module.__loader__ = self.loader  # the package sees its real loader
        with dropping_stderr_lines(CHATTER):
            self.loader.exec_module(module)


def install() -> None:
    """Make the process's first ``import tensorflow`` (or ``import keras``) quiet, unless it has happened already."""
    if "tensorflow" not in sys.modules and not any(isinstance(f, _QuietTensorFlow) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlow())
