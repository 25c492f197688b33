"""wait_for_settle with the real function, a fake clock and frames that stop changing (or not)."""

from __future__ import annotations

from collections.abc import Callable

from PIL import Image, ImageDraw

from devices import SettleConfig, wait_for_settle
from devices.settle import frame_difference


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def frame(step: int) -> Image.Image:
    """A screen with a box that has moved ``step`` times (an animation)."""
    image = Image.new("RGB", (320, 240), "white")
    ImageDraw.Draw(image).rectangle((10 + 20 * step, 50, 60 + 20 * step, 120), fill="black")
    return image


def recorder(frames: Callable[[int], Image.Image]) -> tuple[Callable[[], Image.Image], list[int]]:
    calls: list[int] = []

    def capture() -> Image.Image:
        calls.append(len(calls))
        return frames(len(calls) - 1)
    return capture, calls


def test_animation_that_stops_settles_on_the_last_frame() -> None:
    clock = FakeClock()
    capture, calls = recorder(lambda i: frame(min(i, 4)))   # moves for 4 frames, then rests
    image, settled = wait_for_settle(capture, SettleConfig(), clock=clock, sleep=clock.sleep)
    assert settled is True
    assert frame_difference(image, frame(4)) == 0.0
    assert len(calls) == 6                 # 5 distinct frames, then one equal frame
    assert clock.now < SettleConfig().timeout_s


def test_more_stable_frames_need_more_equal_captures() -> None:
    clock = FakeClock()
    capture, calls = recorder(lambda i: frame(min(i, 4)))
    _, settled = wait_for_settle(capture, SettleConfig(stable_frames=4), clock=clock,
                                 sleep=clock.sleep)
    assert settled is True and len(calls) == 8


def test_screen_that_never_stops_is_not_settled_after_the_timeout() -> None:
    clock = FakeClock()
    config = SettleConfig(timeout_s=1.0, interval_s=0.1)
    capture, calls = recorder(lambda i: frame(i % 2))       # blinks forever
    image, settled = wait_for_settle(capture, config, clock=clock, sleep=clock.sleep)
    assert settled is False
    assert clock.now >= config.timeout_s
    assert 10 <= len(calls) <= 12
    assert image.size == (320, 240)


def test_disabled_settle_captures_once() -> None:
    clock = FakeClock()
    capture, calls = recorder(frame)
    _, settled = wait_for_settle(capture, SettleConfig(enabled=False), clock=clock,
                                 sleep=clock.sleep)
    assert (settled, len(calls), clock.now) == (True, 1, 0.0)


def test_frame_difference() -> None:
    a = frame(0)
    assert frame_difference(a, a.copy()) == 0.0
    assert frame_difference(a, frame(3)) > SettleConfig().threshold
    assert frame_difference(a, a.resize((160, 120))) == 255.0
    speck = a.copy()
    speck.putpixel((300, 200), (0, 0, 0))                    # one pixel of noise
    assert frame_difference(a, speck) <= SettleConfig().threshold
