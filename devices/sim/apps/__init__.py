"""The simulated phone's apps, one module each; ``installed()`` lists them all."""

from __future__ import annotations

from devices.sim.apps.base import AppInfo
from devices.sim.apps.launcher import stub_apps


def installed() -> list[AppInfo]:
    """Every app the phone has: launcher label, package, activities."""
    from devices.sim.apps import launcher, settings

    home = AppInfo("Launcher", launcher.PKG, "home", launcher.ACTIVITY, {}, in_launcher=False)
    return [home, settings.app(), *stub_apps()]
