"""`dumpsys` for the simulated phone: window, activity, display, input_method, battery."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from devices.sim.shell import ShellResult

if TYPE_CHECKING:
    from devices.sim.phone import Phone


def _hash(text: str) -> str:
    return f"{zlib.crc32(text.encode()) & 0xFFFFFFF:x}"


def _full(package: str, activity: str) -> str:
    return package + activity if activity.startswith(".") else activity


def window(phone: Phone) -> str:
    package, activity = phone.foreground()
    full = _full(package, activity)
    win = _hash(full)
    focus = f"{package}/{full}" if phone.shade is None else "NotificationShade"
    shown = phone.keyboard_shown()
    ime = "  mInputMethodWindow=Window{3f1a2b u0 InputMethod}\n" if shown else ""
    return (
        "WINDOW MANAGER WINDOWS (dumpsys window windows)\n"
        f"  Window #0 Window{{{win} u0 {package}/{full}}}:\n"
        "    mDisplayId=0 rootTaskId=1 mSession=Session{4e2c1 1234:u0a10123} "
        f"mClient=android.os.BinderProxy@{win}\n"
        f"    mOwnerUid=10123 showForAllUsers=false package={package} appop=NONE\n"
        "    mAttrs={(0,0)(fillxfill) sim={adjust=resize} ty=BASE_APPLICATION fmt=TRANSLUCENT}\n"
        "    Requested w=1080 h=2400 mLayoutSeq=212\n"
        "    mFrame=[0,0][1080,2400] last=[0,0][1080,2400]\n"
        "\n"
        "  mGlobalConfiguration={1.0 ?mcc?mnc [en_US] ldltr sw411dp w411dp h914dp 420dpi "
        "nrml long port finger -keyb/v/h -nav/h winConfig={ mBounds=Rect(0, 0 - 1080, 2400) "
        "mAppBounds=Rect(0, 96 - 1080, 2268) mWindowingMode=fullscreen "
        "mDisplayWindowingMode=fullscreen mActivityType=undefined mAlwaysOnTop=undefined "
        "mRotation=ROTATION_0} s.212}\n"
        f"  mCurrentFocus=Window{{{win} u0 {focus}}}\n"
        f"  mFocusedApp=ActivityRecord{{{_hash(full + 'r')} u0 {package}/{activity} "
        f"t{_task_id(phone, package)}}}\n"
        f"{ime}"
        "  mInTouchMode=true\n"
        "  mDisplayFrozen=false windows=0 client=false apps=0  mRotation=0  mLastOrientation=-1\n"
    )


def _task_id(phone: Phone, package: str) -> int:
    order = phone.order
    return 10 + (order.index(package) if package in order else 0)


def activity(phone: Phone, args: list[str]) -> str:
    package, act = phone.foreground()
    full = _full(package, act)
    task = _task_id(phone, package)
    record = f"ActivityRecord{{{_hash(full + 'r')} u0 {package}/{act} t{task}}}"
    if args[:1] == ["top"]:
        return (f"TASK {task}:{package} id={task}\n"
                f"  ACTIVITY {package}/{act} {_hash(full)} pid={1000 + task}\n")
    lines = ["ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)",
             "Display #0 (activities from top to bottom):"]
    for pkg in reversed(phone.order):
        t = _task_id(phone, pkg)
        lines.append(f"  * Task{{{_hash(pkg)} #{t} type=standard A=10123:{pkg} U=0 "
                     f"visible={str(pkg == package).lower()} mode=fullscreen}}")
        for screen in reversed(phone.stacks.get(pkg, [])):
            lines.append(f"    * ActivityRecord{{{_hash(pkg + screen.activity)} u0 "
                         f"{pkg}/{screen.activity} t{t}}}")
    lines += [f"  ResumedActivity: {record}", f"  mResumedActivity: {record}",
              f"  mFocusedApp={record}"]
    return "\n".join(lines) + "\n"


def display(phone: Phone) -> str:
    return (
        "DISPLAY MANAGER (dumpsys display)\n"
        "  mOnlyCode=false\n  mSafeMode=false\n  mPendingTraversal=false\n"
        "  mViewports=[DisplayViewport{type=INTERNAL, valid=true, isActive=true, displayId=0, "
        "uniqueId='local:4619827259835644672', physicalPort=0, orientation=0, "
        "logicalFrame=Rect(0, 0 - 1080, 2400), physicalFrame=Rect(0, 0 - 1080, 2400), "
        "deviceWidth=1080, deviceHeight=2400}]\n"
        "  mDefaultDisplayDefaultColorMode=0\n"
        "Display Devices: size=1\n"
        "  DisplayDeviceInfo{\"Built-in Screen\": uniqueId=\"local:4619827259835644672\", "
        "1080 x 2400, modeId 1, defaultModeId 1, density 420, 420.0 x 420.0 dpi, "
        "appVsyncOff 0, presDeadline 16666666, touch INTERNAL, rotation 0, type INTERNAL, "
        "state ON, FLAG_DEFAULT_DISPLAY, FLAG_ROTATES_WITH_CONTENT, FLAG_SECURE}\n"
        "    mCurrentOrientation=0\n"
        "  mBaseDisplayInfo=DisplayInfo{\"Built-in Screen\", displayId 0, real 1080 x 2400, "
        "largest app 1080 x 2400, smallest app 1080 x 2400, appVsyncOff 0, rotation 0, "
        "density 420 (420.0 x 420.0) dpi, layerStack 0, state ON}\n"
    )


def input_method(phone: Phone) -> str:
    shown = "true" if phone.keyboard_shown() else "false"
    ime = phone.state.get("secure", "default_input_method") or ""
    package, act = phone.foreground()
    return (
        "Current Input Method Manager state:\n"
        "  Input Methods: mMethodMapUpdateCount=3 mBindInstantServiceAllowed=false\n"
        f"  mCurMethodId={ime}\n"
        f"  mCurFocusedWindowClient=ClientState{{{_hash(package)} mUid=10123 mPid=1234 "
        "mSelfReportedDisplayId=0}\n"
        f"  mCurFocusedWindowName={package}/{_full(package, act)}\n"
        f"  mShowRequested={shown} mShowExplicitlyRequested=false mShowForced=false "
        f"mInputShown={shown}\n"
        f"  mCurrentImeTargetWindow=Window{{{_hash(package)} u0 "
        f"{package}/{_full(package, act)}}}\n"
    )


def power(phone: Phone) -> str:
    on = phone.screen_on
    return ("POWER MANAGER (dumpsys power)\n\nPower Manager State:\n"
            f"  mWakefulness={'Awake' if on else 'Asleep'}\n"
            f"  mWakefulnessChanging=false\n  mIsPowered=true\n  mPlugType=2\n"
            f"  mHoldingDisplaySuspendBlocker={str(on).lower()}\n"
            f"Display Power: state={'ON' if on else 'OFF'}\n")


def wifi_status(phone: Phone) -> str:
    st = phone.state
    if not st.flag("global", "wifi_on"):
        return "Wifi is disabled\n"
    return (f"Wifi is enabled\n==== Primary ClientModeManager instance ====\n"
            f"Wifi is connected to \"{st.wifi_ssid}\"\n"
            f"WifiInfo: SSID: \"{st.wifi_ssid}\", BSSID: 02:15:b2:00:01:00, "
            "Supplicant state: COMPLETED, RSSI: -50, Link speed: 866Mbps\n")


def notification(phone: Phone) -> str:
    """`dumpsys notification`: one NotificationRecord per posted notification."""
    lines = ["Current Notification Manager state:", "  Notification List:"]
    for m in phone.state.notifications():
        key = f"0|com.google.android.apps.messaging|{m.id}|null|10123"
        lines.append(f"    NotificationRecord({_hash(key)}: pkg=com.google.android.apps.messaging "
                     f"user=UserHandle{{0}} id={m.id} tag=null importance=4 key={key}: "
                     "Notification(channel=incoming_messages))")
        lines.append(f"      android.title=String ({phone.state.display_name(m.address)})")
        lines.append(f"      android.text=String ({m.body})")
    return "\n".join(lines) + "\n"


def battery(phone: Phone) -> str:
    return ("Current Battery Service state:\n  AC powered: false\n  USB powered: true\n"
            "  Wireless powered: false\n  Max charging current: 500000\n  status: 2\n"
            "  health: 2\n  present: true\n  level: 87\n  scale: 100\n  voltage: 4180\n"
            "  temperature: 280\n  technology: Li-ion\n")


def dumpsys(phone: Phone, args: list[str]) -> ShellResult:
    service = args[0] if args else ""
    if service == "window":
        text = window(phone)
    elif service == "activity":
        text = activity(phone, args[1:])
    elif service == "display":
        text = display(phone)
    elif service == "input_method":
        text = input_method(phone)
    elif service == "battery":
        text = battery(phone)
    elif service == "power":
        text = power(phone)
    elif service == "notification":
        text = notification(phone)
    elif service == "wifi":
        text = wifi_status(phone) + f"mWifiInfo SSID: \"{phone.state.wifi_ssid}\"\n"
    else:
        return ShellResult(f"Can't find service: {service}\n".encode())
    return ShellResult(text.encode())
