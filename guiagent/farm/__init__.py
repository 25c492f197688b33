"""The device farm: regression flows scheduled by Ray over the devices of many machines.

Every machine runs a Ray node (``guiagent farm start`` on the head, ``guiagent farm join``
on the others) that advertises its devices as Ray custom resources: one resource per
device (``guiagent:<node>:<n>:<spec>``) plus one per kind (``sim``, ``android``,
``desktop``). ``guiagent test --farm ADDRESS`` runs each flow as a Ray task that holds
its device's resource, so one device runs one flow at a time, on the node that has it.

Ray is an optional extra (``pip install 'guiagent[ray]'``), imported only in this package.
"""

from __future__ import annotations

import os
from types import ModuleType

from guiagent.errors import UsageError

INSTALL_HINT = "the farm needs Ray: pip install 'guiagent[ray]'"

# Never phone home; every node and driver of a farm authenticates with Ray's token
# (~/.ray/auth_token, or RAY_AUTH_TOKEN): the same mode on all of them. Ray reads these
# when it is imported.
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token"}


def import_ray() -> ModuleType:
    """The ``ray`` module, or one line that says how to install it."""
    for key, value in RAY_ENV.items():
        os.environ.setdefault(key, value)
    try:
        import ray
    except ImportError as exc:
        raise UsageError(INSTALL_HINT) from exc
    return ray
