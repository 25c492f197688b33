"""The one place that opens ONNX models: provider choice and thread settings.

CUDA is used when onnxruntime-gpu is installed and a GPU answers, else the CPU.
On the CPU each session uses at most ``cpu_threads()`` intra-op threads (the
physical cores, capped at 4) and no inter-op pool: the models are small and
several sessions share a 2-core machine with the rest of the agent.

Each CPU session's optimized graph is saved once under the user cache dir
(``<cache>/guiagent/ort``, keyed by model, onnxruntime version and CPU) and
later processes open that copy without optimizing again: a one-shot
``guiagent ground`` pays less for loading than for looking. ``preopen`` opens
models on a background thread while the process does other work (imports, decoding
the screenshot); ``session`` then hands over the opened one.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from typing import Any

from grounding.errors import GroundingError, ModelMissing

CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
# CPU features under which int8 matrix products beat float ones (VNNI/AMX on x86, the
# dot-product extension on ARM); on plain AVX2 an int8 recognizer measured no faster.
INT8_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8", "asimddp"})


@cache
def cpu_flags() -> frozenset[str]:
    """The CPU's feature flags from /proc/cpuinfo (empty where there is none)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in ("flags", "Features"):
                    return frozenset(value.split())
    except OSError:
        pass
    return frozenset()


def fast_int8() -> bool:
    """Whether this CPU runs int8 inference faster than float (VNNI, AMX or ARM dot product)."""
    return bool(cpu_flags() & INT8_FLAGS)


def cpu_threads() -> int:
    """Intra-op threads for CPU inference: the usable cores, at most 4."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 1
    return max(1, min(4, usable))


def cuda_installed() -> bool:
    """Whether onnxruntime's CUDA provider is installed (onnxruntime-gpu), told from its
    files without importing onnxruntime; ``providers`` says whether it also answers."""
    import importlib.util

    spec = importlib.util.find_spec("onnxruntime")
    folders = spec.submodule_search_locations if spec is not None else None
    return any((Path(f) / "capi" / "libonnxruntime_providers_cuda.so").is_file()
               for f in folders or [])


@cache
def providers() -> tuple[str, ...]:
    """Execution providers in order of preference: CUDA when present, then CPU."""
    import onnxruntime

    available = onnxruntime.get_available_providers()
    return (CUDA, CPU) if CUDA in available else (CPU,)


def session_options(threads: int | None = None) -> Any:
    """Session options tuned for small models on a few cores shared with other work:
    idle intra-op threads sleep instead of spinning (a quarter less CPU for the same wall
    time, more on a busy machine), and no memory pattern (planned per input shape, it
    reallocates for every new screen or batch width)."""
    import onnxruntime

    opts = onnxruntime.SessionOptions()
    if shared_arena():
        opts.add_session_config_entry("session.use_env_allocators", "1")
    opts.intra_op_num_threads = threads or cpu_threads()
    opts.inter_op_num_threads = 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.enable_mem_pattern = False
    opts.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return opts


_ARENA: list[bool] = []   # whether the shared arena is registered, once known
_ARENA_LOCK = threading.Lock()


def shared_arena() -> bool:
    """Register one CPU memory arena that every session of this process allocates from
    (once; False if onnxruntime refuses it): memory the text detector frees is reused by the
    recognizers and classifiers, where one arena per session each touched its own fresh pages
    on a first screen (a quarter of a cold process's page faults, ~80 MB of its memory)."""
    with _ARENA_LOCK:
        if not _ARENA:
            _ARENA.append(_register_arena())
    return _ARENA[0]


def _register_arena() -> bool:
    import onnxruntime as ort

    try:
        info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0,
                                 ort.OrtMemType.DEFAULT)
        ort.create_and_register_allocator(info, ort.OrtArenaCfg({}))
    except Exception:  # noqa: BLE001 - an onnxruntime without it: one arena per session
        return False
    return True


def import_native() -> None:
    """Import numpy and onnxruntime in this thread. Call it before starting threads that
    use them: two threads importing numpy at once can leave one with "cannot load module
    more than once per process"."""
    import numpy  # noqa: F401 - imported for the side effect: loaded once, here
    import onnxruntime  # noqa: F401


_OPENING: dict[tuple[Path, int | None], Future[Any]] = {}
_EARLY: dict[tuple[Path, int | None], _FirstRun] = {}
_OPENING_LOCK = threading.Lock()
_TODO: list[tuple[Path, int | None, Future[Any]]] = []   # what the opening thread opens next
_OPENER: list[threading.Thread] = []                      # that thread, while it runs


def preopen(paths: Iterable[str | Path], threads: int | None = None) -> None:
    """Start opening ``paths`` on the one background opening thread, after what earlier
    calls asked for (the first model a command needs is never slowed by the later ones); a
    later ``session`` call for the same file and threads takes that session instead of
    opening another."""
    with _OPENING_LOCK:
        for p in paths:
            key = (Path(p).resolve(), threads)
            if key not in _OPENING:
                _TODO.append((key[0], threads, _OPENING.setdefault(key, Future())))
        if _TODO and not _OPENER:
            # not a daemon: a process that ends early (bad input) waits for onnxruntime to
            # finish rather than tear it down mid-load (an abort)
            _OPENER.append(threading.Thread(target=_open_all, name="guiagent-preopen"))
            _OPENER[0].start()


def _open_all() -> None:
    """Open what ``preopen`` queued, in order, until nothing is left."""
    while True:
        with _OPENING_LOCK:
            if not _TODO:
                _OPENER.clear()
                return
            path, threads, future = _TODO.pop(0)
        try:
            future.set_result(_open(path, threads))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the session
            future.set_exception(exc)


def session(model_path: str | Path, threads: int | None = None) -> Any:
    """Open ``model_path`` as an ``onnxruntime.InferenceSession``; ModelMissing if absent.
    A session ``preopen`` started for it is taken (waiting for it to finish), with the run
    ``prerun`` started on it, if any."""
    key = (Path(model_path).resolve(), threads)
    with _OPENING_LOCK:
        opening, early = _OPENING.pop(key, None), _EARLY.pop(key, None)
    sess = opening.result() if opening is not None else _open(Path(model_path), threads)
    return _RanEarly(sess, early) if early is not None else sess


Feed = dict[str, Any]   # input name -> numpy array, as InferenceSession.run takes it


def prerun(model_path: str | Path, feed: Callable[[], list[Any] | None],
           threads: int | None = None) -> None:
    """Run a model ``preopen`` is opening once, on a background thread, with the inputs
    ``feed()`` returns (arrays in the model's input order, made while the model opens;
    None: none to run), while the process does other work: a one-shot command's text
    detection starts as soon as the detector is in, not after the rest of perception's code
    has loaded. The session ``session`` then hands over answers a first run with equal
    inputs with that result."""
    key = (Path(model_path).resolve(), threads)
    with _OPENING_LOCK:
        opening = _OPENING.get(key)
        if opening is None or key in _EARLY:
            return
        early = _EARLY[key] = _FirstRun()
    # not a daemon, as preopen's thread: a process ending early waits for onnxruntime
    threading.Thread(target=early.start, args=(opening, feed), name="guiagent-prerun").start()


def started(model_path: str | Path, threads: int | None = None) -> None:
    """Wait until the run ``prerun`` started for ``model_path`` has its inputs and model
    (or found it has nothing to run); at once when there is none."""
    with _OPENING_LOCK:
        early = _EARLY.get((Path(model_path).resolve(), threads))
    if early is not None:
        early.feed.exception()   # it always gets a result (None when nothing is run)


class _FirstRun:
    """The inputs a background run was given and its outputs, each as they come."""

    def __init__(self) -> None:
        self.feed: Future[Feed | None] = Future()
        self.outputs: Future[list[Any]] = Future()

    def start(self, opening: Future[Any], feed: Callable[[], list[Any] | None]) -> None:
        inputs: Feed | None = None
        try:
            arrays = feed()
            if arrays is not None:
                sess = opening.result()
                inputs = dict(zip((i.name for i in sess.get_inputs()), arrays, strict=True))
        except BaseException:  # noqa: BLE001 - no early run; the caller's own run reports it
            inputs = None
        self.feed.set_result(inputs)
        if inputs is None:
            return
        try:
            self.outputs.set_result(sess.run(None, inputs))
        except BaseException as exc:  # noqa: BLE001 - the caller runs it again and sees it
            self.outputs.set_exception(exc)


class _RanEarly:
    """An InferenceSession whose first run may be done already (``prerun``): a first
    ``run`` with inputs equal to that run's takes its outputs; anything else runs."""

    def __init__(self, sess: Any, early: _FirstRun) -> None:
        self._sess = sess
        self._early: _FirstRun | None = early

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sess, name)

    def run(self, output_names: list[str] | None, feed: Feed, *args: Any, **kw: Any) -> Any:
        early, self._early = self._early, None
        if early is not None and output_names is None and not args and not kw \
                and _same(early.feed.result(), feed) and early.outputs.exception() is None:
            return early.outputs.result()
        return self._sess.run(output_names, feed, *args, **kw)


def _same(a: Feed | None, b: Feed) -> bool:
    """Whether two feeds hold the same names, shapes, types and values."""
    import numpy as np

    return a is not None and a.keys() == b.keys() and all(
        a[k].shape == b[k].shape and a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k])
        for k in a)


def _open(path: Path, threads: int | None) -> Any:
    import onnxruntime

    if not path.is_file():
        raise ModelMissing(f"model file {path} is missing; reinstall guiagent "
                           "(pip install --force-reinstall guiagent)")
    saved = optimized_path(path) if providers() == (CPU,) else None
    if saved is not None and saved.is_file():
        opts = session_options(threads)
        opts.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return onnxruntime.InferenceSession(str(saved), sess_options=opts,
                                                providers=list(providers()))
        except Exception:  # noqa: BLE001 - a damaged cache entry: optimize the model again
            saved.unlink(missing_ok=True)
    return _optimize(path, threads, saved)


def _optimize(path: Path, threads: int | None, saved: Path | None) -> Any:
    """Open ``path`` with full graph optimization; save the optimized graph to ``saved``
    (written beside it, then renamed into place: a reader never sees half a file)."""
    import onnxruntime

    opts = session_options(threads)
    tmp = saved.with_name(f"{saved.name}.{os.getpid()}.tmp") if saved else None
    if tmp is not None:
        opts.optimized_model_filepath = str(tmp)
    try:
        sess = onnxruntime.InferenceSession(str(path), sess_options=opts,
                                            providers=list(providers()))
    except Exception as exc:  # onnxruntime raises its own untyped Fail/InvalidGraph errors
        if tmp is not None:   # the graph could not be saved (a full disk): open it unsaved
            tmp.unlink(missing_ok=True)
            return _optimize(path, threads, None)
        raise GroundingError(f"cannot load model {path.name}: {exc}") from exc
    if tmp is not None and saved is not None:
        try:
            os.replace(tmp, saved)
        except OSError:
            tmp.unlink(missing_ok=True)
        else:
            prune(saved)
    return sess


_KEY = re.compile(r"[0-9a-f]{16}")


def prune(saved: Path) -> None:
    """Remove the cached graphs of the same model file that ``saved`` replaces: those of an
    earlier copy, onnxruntime or CPU (another key) and those named before the model's
    location was part of the name; never another model's, nor another installation's."""
    stem, place, _ = saved.stem.rsplit("-", 2)
    for old in saved.parent.glob(f"{glob.escape(stem)}-*.onnx"):
        parts = old.stem[len(stem) + 1:].split("-")
        same = parts[0] == place if len(parts) == 2 else len(parts) == 1 and _KEY.match(parts[0])
        if same and old != saved:
            old.unlink(missing_ok=True)   # a process reading it keeps its open file


def optimized_path(model: Path) -> Path | None:
    """Where the optimized graph of ``model`` is kept for this onnxruntime and CPU
    (``<stem>-<location>-<key>.onnx``); None when the cache dir cannot be made (read-only
    home): then nothing is saved."""
    import onnxruntime
    import platformdirs

    st = model.stat()
    key = "|".join((str(model.resolve()), str(st.st_size), str(st.st_mtime_ns),
                    onnxruntime.__version__, " ".join(sorted(cpu_flags()))))
    folder = Path(platformdirs.user_cache_dir("guiagent")) / "ort"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None      # a read-only cache: nothing saved, nothing read
    place = hashlib.sha256(str(model.resolve()).encode()).hexdigest()[:8]
    return folder / f"{model.stem}-{place}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.onnx"


def device_name() -> str:
    """``"cuda"`` or ``"cpu"``: where sessions run."""
    return "cuda" if providers()[0] == CUDA else "cpu"
