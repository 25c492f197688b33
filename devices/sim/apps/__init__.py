"""The simulated phone's apps, one module each; ``installed()`` lists them all."""

from __future__ import annotations

from devices.sim.apps import calculator, clock, contacts, launcher, messages, notes, settings
from devices.sim.apps.base import AppInfo


def installed() -> list[AppInfo]:
    """Every app the phone has: launcher label, package, activities."""
    home = AppInfo("Launcher", launcher.PKG, "home", launcher.ACTIVITY, {}, in_launcher=False)
    return [home, settings.app(), contacts.app(), messages.app(), clock.app(),
            calculator.app(), notes.app(), *launcher.stub_apps()]
