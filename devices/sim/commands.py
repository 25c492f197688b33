"""The programs the simulated phone's shell runs: input, screencap, am, pm, settings, dumpsys...

Their output follows real Android's closely enough for adbutils, uiautomator clients and
state checks to parse it the same way as on a device.
"""

from __future__ import annotations

import base64
import binascii
import random
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING

from devices.sim import providers
from devices.sim.apps.messages import Conversation
from devices.sim.dumpsys import dumpsys, wifi_status
from devices.sim.keys import keycode
from devices.sim.shell import CommandNotFound, ShellResult
from devices.sim.state import BASE_TIME_MS, WIFI_NETWORKS

if TYPE_CHECKING:
    from devices.sim.phone import Phone

DUMP_DEFAULT = "/sdcard/window_dump.xml"
ADB_KEYBOARD = "com.android.adbkeyboard"
ADB_KEYBOARD_IME = "com.android.adbkeyboard/.AdbIME"
GBOARD_IME = "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME"
SYSTEM_PACKAGES = [
    "android", "com.android.systemui", "com.android.providers.contacts",
    "com.android.providers.telephony", "com.android.providers.settings",
    "com.google.android.inputmethod.latin", "com.google.android.permissioncontroller",
    "com.android.shell", ADB_KEYBOARD,
]
PROPS = {
    "ro.product.model": "Pixel 7", "ro.product.brand": "google", "ro.product.name": "panther",
    "ro.product.device": "panther", "ro.product.manufacturer": "Google",
    "ro.build.version.release": "14", "ro.build.version.sdk": "34",
    "ro.build.id": "UQ1A.240205.004", "ro.build.type": "user", "ro.serialno": "SIM0000001",
    "ro.product.cpu.abi": "arm64-v8a", "ro.kernel.qemu": "0", "sys.boot_completed": "1",
    "ro.sf.lcd_density": "420", "persist.sys.locale": "en-US", "ro.debuggable": "0",
}
Program = Callable[["Phone", list[str]], ShellResult]


def ok(text: str = "") -> ShellResult:
    return ShellResult(text.encode())


def fail(text: str, code: int = 1, stdout: str = "") -> ShellResult:
    return ShellResult(stdout.encode(), text.encode(), code)


def run(phone: Phone, argv: list[str]) -> ShellResult:
    """Dispatch one program; CommandNotFound for one the phone does not have."""
    program = PROGRAMS.get(argv[0].rsplit("/", 1)[-1])
    if program is None:
        raise CommandNotFound(argv[0])
    return program(phone, argv[1:])


# --- input -----------------------------------------------------------------------------

INPUT_USAGE = ("Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]\n\n"
               "The commands and default sources are:\n"
               "      text <string> (Default: keyboard)\n"
               "      keyevent [--longpress|--doubletap] <key code number or name> ...\n"
               "      tap <x> <y> (Default: touchscreen)\n"
               "      swipe <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)\n"
               "      draganddrop <x1> <y1> <x2> <y2> [duration(ms)]\n"
               "      press (Default: trackball)\n"
               "      keycombination [-t duration(ms)] <key code 1> <key code 2> ...\n")
SOURCES = {"touchscreen", "keyboard", "mouse", "touchpad", "trackball", "stylus", "dpad",
           "gamepad", "joystick"}


def _input(phone: Phone, args: list[str]) -> ShellResult:
    args = [a for a in args if a not in SOURCES]
    if args[:1] == ["-d"]:
        args = args[2:]
    if not args:
        return fail(INPUT_USAGE)
    cmd, rest = args[0], args[1:]
    try:
        if cmd == "tap" and len(rest) == 2:
            phone.tap(*_ints(rest))
        elif cmd in ("swipe", "draganddrop") and len(rest) in (4, 5):
            nums = _ints(rest)
            phone.swipe(nums[0], nums[1], nums[2], nums[3], nums[4] if len(nums) == 5 else 300)
        elif cmd == "longpress" and len(rest) == 2:
            phone.long_press(*_ints(rest))
        elif cmd == "text" and rest:
            phone.text(" ".join(rest).replace("%s", " "))
        elif cmd == "keyevent" and rest:
            for code in (a for a in rest if not a.startswith("--")):
                phone.keyevent(code)
        elif cmd == "keycombination" and rest:
            codes = {keycode(a) for a in rest if a != "-t" and not a.startswith("--")}
            if {26, 25} <= codes:         # power + volume down: a screenshot, as on a phone
                save_screenshot(phone)
        else:
            return fail(f"Error: Unknown command: {cmd}\n{INPUT_USAGE}")
    except ValueError as exc:
        return fail(f"Exception occurred while executing '{cmd}':\n"
                    f"java.lang.IllegalArgumentException: {exc}\n")
    return ok()


def save_screenshot(phone: Phone) -> str:
    """Save the screen where Android's screenshot shortcut does; returns the path."""
    stamp = time.gmtime(BASE_TIME_MS / 1000 + phone.now())
    folder = "/sdcard/Pictures/Screenshots"
    path = f"{folder}/Screenshot_{time.strftime('%Y%m%d-%H%M%S', stamp)}.png"
    phone.fs.mkdir(folder, parents=True)
    phone.fs.write(path, phone.png())
    phone.toast("Screenshot saved")
    phone.changed()
    return path


def _ints(args: list[str]) -> list[int]:
    try:
        return [round(float(a)) for a in args]
    except ValueError:
        raise ValueError(f"Error: Invalid arguments for command: {' '.join(args)}") from None


# --- screen ------------------------------------------------------------------------------

def _screencap(phone: Phone, args: list[str]) -> ShellResult:
    files = [a for a in args if not a.startswith("-")]
    if "-p" in args or (files and files[0].endswith(".png")):
        data = phone.png()
    else:
        image = phone.render()
        header = image.width.to_bytes(4, "little") + image.height.to_bytes(4, "little")
        data = header + (1).to_bytes(4, "little") + (0).to_bytes(4, "little")
        data += image.convert("RGBA").tobytes()
    if files:
        phone.fs.write(files[0], data)
        return ok()
    return ShellResult(data)


def _wm(phone: Phone, args: list[str]) -> ShellResult:
    if args[:1] == ["size"]:
        return ok(f"Physical size: {phone.width}x{phone.height}\n")
    if args[:1] == ["density"]:
        return ok(f"Physical density: {phone.density}\n")
    return fail("usage: wm [size|density] ...\n", 255)


def _uiautomator(phone: Phone, args: list[str]) -> ShellResult:
    if not args or args[0] != "dump":
        return fail("Usage: uiautomator <subcommand> [options]\n\nAvailable subcommands:\n\n"
                    "help: displays help message\n\ndump: creates an XML dump of current UI "
                    "hierarchy\n", 1)
    if phone.loading():      # a spinner never lets the UI go idle, as on a device
        return ShellResult(b"", b"ERROR: could not get idle state.\n", 0)
    files = [a for a in args[1:] if not a.startswith("--")]
    target = files[0] if files else DUMP_DEFAULT
    xml = phone.dump_hierarchy()
    if target in ("/dev/tty", "/dev/stdout"):
        return ok(f"{xml}UI hierchary dumped to: {target}\n")
    phone.fs.write(target, xml.encode())
    return ok(f"UI hierchary dumped to: {target}\n")


# --- activity manager, package manager ------------------------------------------------------

_S = "com.android.settings"
_NET = ".Settings$NetworkDashboardActivity"
ACTIONS: dict[str, tuple[str, str | None]] = {
    "android.settings.SETTINGS": (_S, None),
    "android.settings.WIRELESS_SETTINGS": (_S, _NET),
    "android.settings.WIFI_SETTINGS": (_S, _NET),
    "android.settings.AIRPLANE_MODE_SETTINGS": (_S, _NET),
    "android.settings.BLUETOOTH_SETTINGS": (_S, ".Settings$ConnectedDeviceDashboardActivity"),
    "android.settings.DISPLAY_SETTINGS": (_S, ".Settings$DisplaySettingsActivity"),
    "android.settings.SOUND_SETTINGS": (_S, ".Settings$SoundSettingsActivity"),
    "android.settings.DEVICE_INFO_SETTINGS": (_S, ".Settings$MyDeviceInfoActivity"),
    "android.intent.action.SET_ALARM": ("com.android.deskclock", None),
    "android.intent.action.SENDTO": ("com.google.android.apps.messaging", None),
}


def _am(phone: Phone, args: list[str]) -> ShellResult:
    if not args:
        return fail("usage: am [start|force-stop|broadcast] ...\n")
    sub, rest = args[0], args[1:]
    if sub in ("start", "start-activity"):
        return _am_start(phone, rest)
    if sub in ("force-stop", "kill") and rest:
        phone.force_stop(rest[-1])
        return ok()
    if sub == "broadcast":
        return _broadcast(phone, rest)
    return fail(f"Error: Unknown command: {sub}\n")


def _options(args: list[str]) -> dict[str, str]:
    """`-n X -a Y --es k v` style options; value-less flags map to ""."""
    opts: dict[str, str] = {}
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("-W", "-S", "-R", "--user") or not a.startswith("-"):
            i += 2 if a == "--user" else 1
            continue
        if a in ("--es", "--ei", "--ez") and i + 2 < len(args):
            opts[f"{a}:{args[i + 1]}"] = args[i + 2]
            i += 3
            continue
        opts[a] = args[i + 1] if i + 1 < len(args) else ""
        i += 2
    return opts


def _am_start(phone: Phone, args: list[str]) -> ShellResult:
    opts = _options(args)
    component = opts.get("-n")
    if component is None and opts.get("-d"):
        return _view(phone, opts)
    if component is None and opts.get("-a") in ACTIONS:
        package, activity = ACTIONS[opts["-a"]]
        app = phone.packages[package]
        component = app.component(activity)
    if component is None:
        if opts.get("-c") == "android.intent.category.HOME":
            phone.go_home()
            return ok("Starting: Intent { cat=[android.intent.category.HOME] }\n")
        return fail("Error: Activity not started, unable to resolve Intent\n")
    return _start_component(phone, component)


def _view(phone: Phone, opts: dict[str, str]) -> ShellResult:
    """Intents with data: sms:/smsto: open a conversation, http(s): Chrome, tel: the dialer."""
    data = opts["-d"]
    scheme, _, rest = data.partition(":")
    action = opts.get("-a", "android.intent.action.VIEW")
    intent = f"Starting: Intent {{ act={action} dat={data} }}\n"
    if scheme in ("sms", "smsto") and rest:
        number = urllib.parse.unquote(rest.split("?")[0])
        body = opts.get("--es:sms_body", "")

        def conversation(host: Phone) -> Conversation:
            screen = Conversation(host, number)
            screen.fields["compose"] = body
            return screen

        phone.start_screen(conversation)
        return ok(intent)
    targets = {"http": "com.android.chrome", "https": "com.android.chrome",
               "tel": "com.google.android.dialer"}
    if scheme in targets:
        phone.start(targets[scheme])
        return ok(intent)
    return fail(f"{intent}Error: Activity not started, unable to resolve Intent\n")


def _start_component(phone: Phone, component: str) -> ShellResult:
    package, _, activity = component.partition("/")
    app = phone.packages.get(package)
    short = "." + activity[len(package) + 1:] if activity.startswith(package + ".") else activity
    if app is None or (short and short not in app.activities and short != app.main):
        full = package + short if short.startswith(".") else short
        return fail(f"Error type 3\nError: Activity class {{{package}/{full}}} does not exist.\n",
                    1, f"Starting: Intent {{ cmp={component} }}\n")
    running = package in phone.stacks and short in ("", app.main)
    phone.start(package, short or None)
    warning = ("Warning: Activity not started, its current task has been brought to the front\n"
               if running else "")
    return ok(f"Starting: Intent {{ cmp={component} }}\n{warning}")


def _broadcast(phone: Phone, args: list[str]) -> ShellResult:
    """ADBKeyboard's text broadcasts, when it is the active keyboard."""
    opts = _options(args)
    action = opts.get("-a", "")
    ime_on = phone.state.get("secure", "default_input_method") == ADB_KEYBOARD_IME
    text = None
    if action == "ADB_INPUT_TEXT":
        text = opts.get("--es:msg", "")
    elif action == "ADB_INPUT_B64":
        try:
            text = base64.b64decode(opts.get("--es:msg", "")).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            text = None
    if text is not None and ime_on:
        phone.text(text)
        return ok(f"Broadcasting: Intent {{ act={action} flg=0x400000 }}\n"
                  "Broadcast completed: result=-1\n")
    return ok(f"Broadcasting: Intent {{ act={action} flg=0x400000 }}\n"
              "Broadcast completed: result=0\n")


def _monkey(phone: Phone, args: list[str]) -> ShellResult:
    opts = _options(args)
    package = opts.get("-p", "")
    app = phone.packages.get(package)
    if app is None or not app.activities:
        return fail("** No activities found to run, monkey aborted.\n", 251,
                    "  bash arg: -p\n  bash arg: " + package + "\n")
    count = int(args[-1]) if args and args[-1].isdigit() else 1
    rng = random.Random(int(opts["-s"]) if opts.get("-s", "").isdigit() else 0)
    phone.start(package)
    for _ in range(count - 1):
        _monkey_event(phone, rng)
        if phone.foreground()[0] != package:     # monkey keeps to the package it was given
            phone.start(package)
    echo = "".join(f"  bash arg: {a}\n" for a in args)
    return ok(f"{echo}args: [{', '.join(args)}]\nEvents injected: {count}\n"
              "## Network stats: elapsed time=12ms (0ms mobile, 0ms wifi, 12ms not connected)\n")


def _monkey_event(phone: Phone, rng: random.Random) -> None:
    """One pseudo-random event of the kinds monkey sends: touch, motion, key."""
    x, y = rng.randrange(phone.width), rng.randrange(96, phone.height - 132)
    kind = rng.random()
    if kind < 0.6:
        phone.tap(x, y)
    elif kind < 0.85:
        phone.swipe(x, y, rng.randrange(phone.width), rng.randrange(96, phone.height - 132))
    elif kind < 0.95:
        phone.keyevent(rng.choice((4, 66, 67, 29 + rng.randrange(26))))
    else:
        phone.long_press(x, y)


def _all_packages(phone: Phone) -> list[str]:
    return sorted(set(phone.packages) | set(SYSTEM_PACKAGES))


def _pm(phone: Phone, args: list[str]) -> ShellResult:
    sub, rest = (args[0], args[1:]) if args else ("", [])
    if sub == "list" and rest[:1] == ["packages"]:
        words = [a for a in rest[1:] if not a.startswith("-")]
        names = [p for p in _all_packages(phone) if not words or words[0] in p]
        return ok("".join(f"package:{p}\n" for p in names))
    if sub == "clear" and rest:
        package = rest[-1]
        if package not in _all_packages(phone):
            return fail("Failed\n")
        phone.state.reset(package)
        phone.force_stop(package)
        phone.changed()
        return ok("Success\n")
    if sub == "path" and rest:
        if rest[-1] not in _all_packages(phone):
            return fail("", 1)
        return ok(f"package:/product/app/{rest[-1].rsplit('.', 1)[-1]}/base.apk\n")
    return fail("usage: pm [list packages|clear PACKAGE|path PACKAGE]\n")


def _ime(phone: Phone, args: list[str]) -> ShellResult:
    sub, rest = (args[0], args[1:]) if args else ("", [])
    if sub == "list":
        return ok(f"{GBOARD_IME}\n{ADB_KEYBOARD_IME}\n")
    if sub == "enable" and rest:
        return ok(f"Input method {rest[-1]}: already enabled\n")
    if sub == "set" and rest:
        if rest[-1] not in (GBOARD_IME, ADB_KEYBOARD_IME):
            return fail(f"Unknown input method {rest[-1]} cannot be selected for user #0\n")
        phone.state.put("secure", "default_input_method", rest[-1])
        phone.changed()
        return ok(f"Input method {rest[-1]} selected for user #0\n")
    return fail("usage: ime [list|enable|set] ...\n")


# --- settings, svc, content, props ---------------------------------------------------------

def _settings(phone: Phone, args: list[str]) -> ShellResult:
    args = [a for a in args if a not in ("--user", "0", "current")] if "--user" in args else args
    if len(args) < 2 or args[1] not in ("global", "system", "secure"):
        return fail("usage:  settings [--user <USER_ID> | current] get namespace key\n"
                    "        settings [--user <USER_ID> | current] put namespace key value\n")
    verb, ns = args[0], args[1]
    if verb == "get" and len(args) == 3:
        value = phone.state.get(ns, args[2])
        return ok(f"{'null' if value is None else value}\n")
    if verb == "put" and len(args) >= 4:
        phone.state.put(ns, args[2], args[3])
        phone.changed()
        return ok()
    if verb == "delete" and len(args) == 3:
        removed = phone.state.settings.get(ns, {}).pop(args[2], None)
        phone.changed()
        return ok(f"Deleted {0 if removed is None else 1} rows\n")
    if verb == "list":
        rows = sorted(phone.state.settings.get(ns, {}).items())
        return ok("".join(f"{k}={v}\n" for k, v in rows))
    return fail(f"Invalid command: {verb}\n")


def _svc(phone: Phone, args: list[str]) -> ShellResult:
    keys = {"wifi": "wifi_on", "bluetooth": "bluetooth_on", "data": "mobile_data"}
    if len(args) == 2 and args[0] in keys and args[1] in ("enable", "disable"):
        phone.state.set_flag("global", keys[args[0]], args[1] == "enable")
        phone.changed()
        return ok()
    return fail("usage: svc [wifi|bluetooth|data] [enable|disable]\n")


def _cmd(phone: Phone, args: list[str]) -> ShellResult:
    """`cmd package ...` (as pm), `cmd wifi status|connect-network|set-wifi-enabled` and
    `cmd connectivity airplane-mode [enable|disable]`."""
    if args[:1] == ["package"]:
        return _pm(phone, args[1:])
    if args[:1] == ["wifi"]:
        return _wifi(phone, args[1:])
    if args[:2] == ["connectivity", "airplane-mode"]:
        return _airplane(phone, args[2:])
    return fail(f"Can't find service: {args[0] if args else ''}\n", 255)


def _airplane(phone: Phone, args: list[str]) -> ShellResult:
    """`cmd connectivity airplane-mode`: prints enabled/disabled, or sets it."""
    if not args:
        on = phone.state.flag("global", "airplane_mode_on")
        return ShellResult(b"enabled\n" if on else b"disabled\n")
    if args[0] not in ("enable", "disable"):
        return fail("usage: cmd connectivity airplane-mode [enable|disable]\n")
    phone.state.set_airplane(args[0] == "enable")
    phone.changed()
    return ok()


def _wifi(phone: Phone, args: list[str]) -> ShellResult:
    st = phone.state
    if args[:1] == ["status"]:
        return ok(wifi_status(phone))
    if args[:1] == ["set-wifi-enabled"] and args[1:2] in (["enabled"], ["disabled"]):
        st.set_flag("global", "wifi_on", args[1] == "enabled")
        phone.changed()
        return ok()
    if args[:1] == ["connect-network"] and len(args) >= 3:
        ssid, password = args[1], args[3] if len(args) > 3 else ""
        if WIFI_NETWORKS.get(ssid) not in (None, password):
            return fail(f"Connection failed: wrong passphrase for {ssid}\n")
        st.wifi_ssid = ssid
        st.wifi_saved.add(ssid)
        phone.changed()
        return ok("Connection initiated\n")
    return fail("usage: cmd wifi status | set-wifi-enabled enabled|disabled | "
                "connect-network SSID open|wpa2 [PASSPHRASE]\n")


def _content(phone: Phone, args: list[str]) -> ShellResult:
    try:
        return ok(providers.content(phone.state, args))
    except providers.ContentError as exc:
        return fail(f"Error while accessing provider: {exc}\n")
    finally:
        if args[:1] != ["query"]:
            phone.changed()


def _getprop(phone: Phone, args: list[str]) -> ShellResult:
    if args:
        return ok(PROPS.get(args[0], "") + "\n")
    return ok("".join(f"[{k}]: [{v}]\n" for k, v in sorted(PROPS.items())))


def _date(phone: Phone, args: list[str]) -> ShellResult:
    stamp = time.gmtime(BASE_TIME_MS / 1000 + phone.now())
    if args and args[0] == "+%s":
        return ok(f"{int(time.mktime(stamp))}\n")
    return ok(time.strftime("%a %b %d %H:%M:%S GMT %Y\n", stamp))


PROGRAMS: dict[str, Program] = {
    "input": _input, "screencap": _screencap, "wm": _wm, "uiautomator": _uiautomator,
    "am": _am, "monkey": _monkey, "pm": _pm, "cmd": lambda p, a: _cmd(p, a),
    "ime": _ime, "settings": _settings, "svc": _svc, "content": _content,
    "getprop": _getprop, "date": _date, "dumpsys": dumpsys,
}
