"""The app model on the simulated phone: its clock runs, its screens stay the same states."""

from __future__ import annotations

import pytest

from appmodel.screens import kind_of
from devices.base import Observation
from devices.sim.device import SimDevice
from devices.sim.perturb import Perturbations
from devices.sim.phone import Phone
from grounding.a11y import parse_uiautomator, useful
from grounding.types import Element, Screen
from planners.actions import Back, LaunchApp, Tap
from planners.appmodel import AppModel, action_key
from planners.fingerprint import fingerprint

LAUNCHER = "com.android.launcher3"


class Clock:
    """The phone's time source, moved by the test."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def device(clock: Clock) -> SimDevice:
    return SimDevice(Phone(clock=clock))


def a11y_screen(obs: Observation) -> Screen:
    """A Screen from the accessibility tree alone (no OCR): quick, and enough for identity."""
    g = obs.geometry
    nodes = [n for n in parse_uiautomator(obs.ui_tree or "") if useful(n, g.width, g.height)]
    elements = [Element(id=i, box=n.box, kind="toggle" if n.checkable else kind_of(n.cls),
                        text=n.text, label=n.desc, source="a11y",
                        checked=n.checked if n.checkable else None)
                for i, n in enumerate(nodes)]
    return Screen(elements=elements, geometry=g, image=obs.image, app=obs.app,
                  activity=obs.activity)


def test_home_screen_an_hour_later_is_the_same_state(device: SimDevice, clock: Clock) -> None:
    early = device.observe()
    clock.now += 3725
    late = device.observe()
    assert early.image.tobytes() != late.image.tobytes()        # the status-bar clock moved
    a, b = a11y_screen(early), a11y_screen(late)
    assert fingerprint(a).digest == fingerprint(b).digest
    model = AppModel(LAUNCHER)
    assert model.locate(a) is model.locate(b)


def test_a_scrolled_list_stays_one_state_and_subpages_differ(device: SimDevice) -> None:
    device.launch_app("Settings")
    model = AppModel("com.android.settings")
    main = model.locate(a11y_screen(device.observe()))
    for _ in range(4):
        device.scroll("down", amount=0.3)
        assert model.locate(a11y_screen(device.observe())) is main
    assert main.name == "Settings" and len(main.fingerprints) > 1
    device.scroll("up", amount=1.0)
    device.scroll("up", amount=1.0)
    top = a11y_screen(device.observe())
    assert model.locate(top) is main
    pages = []
    for name in ("Network & internet", "Notifications", "Battery"):
        device.tap(next(e for e in top.elements if e.text == name).center)
        pages.append(model.locate(a11y_screen(device.observe())))
        device.press_key("back")
        assert model.locate(a11y_screen(device.observe())) is main
    assert len({p.id for p in pages}) == 3 and main not in pages
    assert [p.name for p in pages] == ["Network & internet", "Notifications", "Battery"]


@pytest.mark.slow
def test_perceived_sim_screens_make_a_model(device: SimDevice, clock: Clock) -> None:
    """Full perception (a11y + OCR + icons): launch an app, come back, learn and predict."""
    from grounding.perceive import perceive

    home_screen = perceive(device.observe())
    model = AppModel(LAUNCHER)
    home = model.locate(home_screen)
    device.launch_app("Chrome")
    chrome_screen = perceive(device.observe())
    chrome = model.locate(chrome_screen)
    assert chrome is not home and chrome.name == "Chrome"
    launch = model.record(home, LaunchApp(app="Chrome"), chrome, before_screen=home_screen,
                          after_screen=chrome_screen)
    device.press_key("back")
    clock.now += 600
    back_screen = perceive(device.observe())
    assert model.locate(back_screen) is home
    model.record(chrome, Back(), home, before_screen=chrome_screen, after_screen=back_screen)
    assert model.predict(home, action_key(LaunchApp(app="Chrome"))) is chrome
    assert model.check(launch, chrome_screen) and not model.check(launch, back_screen)
    assert model.rollback_plan(chrome, home) == [Back()]
    assert home.visits == 2 and model.is_stable(home)


def test_a_switch_is_named_by_its_row_and_its_flip_is_the_post_condition(
        device: SimDevice) -> None:
    device.launch_app("Settings")
    top = a11y_screen(device.observe())
    device.tap(next(e for e in top.elements if e.text == "Network & internet").center)
    off = a11y_screen(device.observe())
    switch = next(e for e in off.elements if e.text == "OFF")
    tap = Tap(x=switch.center.x, y=switch.center.y)
    assert action_key(tap, off) == "tap:'Airplane mode'"
    model = AppModel("com.android.settings")
    page = model.locate(off)
    device.tap(switch.center)
    on = a11y_screen(device.observe())
    assert model.locate(on) is page
    t = model.record(page, tap, page, before_screen=off, after_screen=on)
    assert t.action == {"type": "tap", "target": "Airplane mode"}
    assert t.expect_checked == {"Airplane mode": True, "Wi-Fi": False}   # airplane mode cuts Wi-Fi
    assert model.check(t, on) and not model.check(t, off)


def test_popups_are_dialogs_in_the_accessibility_tree() -> None:
    for popup in ("permission_dialog", "rate_popup"):
        device = SimDevice(Phone(perturbations=Perturbations(**{popup: 1.0})))
        device.launch_app("Contacts")
        model = AppModel("com.android.contacts")
        dialog = model.locate(a11y_screen(device.observe()))
        assert dialog.dialog and not model.is_stable(dialog), popup


@pytest.mark.slow
def test_perceived_dialog_and_keyboard_are_not_stable() -> None:
    """A dialog over a list (its text still read through the scrim) or a keyboard is no
    place to roll back to, however often it is seen."""
    from grounding.perceive import perceive

    device = SimDevice(Phone(perturbations=Perturbations(permission_dialog=1.0)))
    device.launch_app("Contacts")
    model = AppModel("com.android.contacts")
    dialog_screen = perceive(device.observe())
    dialog = model.locate(dialog_screen)
    dialog.visits = 5
    assert dialog.dialog and not model.is_stable(dialog)
    device.tap(next(e for e in dialog_screen.elements if e.text == "Allow").center)
    contacts_screen = perceive(device.observe())
    contacts = model.locate(contacts_screen)
    assert contacts is not dialog and not contacts.dialog and not contacts.keyboard
    device.tap(next(e for e in contacts_screen.elements if "Search" in e.text).center)
    typing = model.locate(perceive(device.observe()))
    assert typing.keyboard and not model.is_stable(typing)
