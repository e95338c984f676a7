"""A real X server for smoke tests: Xvfb, the openbox window manager, xdotool for keys.

CI installs all three (.ci/run); locally a missing one skips the test with the reason,
but under ``CI=true`` it fails: the smoke test must never silently not run there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field

import pytest

TOOLS = ("Xvfb", "openbox", "xdotool", "xprop", "xwininfo")


def require_tools() -> None:
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if not missing:
        return
    why = (
        f"real-X smoke test needs {', '.join(missing)} "
        "(Debian/Ubuntu: apt-get install xvfb openbox xdotool x11-utils)"
    )
    if os.environ.get("CI"):  # like the PostgreSQL fixture: CI must run it
        pytest.fail(f"{why}; CI must install them (.ci/run)", pytrace=False)
    pytest.skip(why)


@dataclass
class XSession:
    width: int = 1600
    height: int = 900
    display: str = ""
    procs: list[subprocess.Popen] = field(default_factory=list)

    def start(self) -> XSession:
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                f"{self.width}x{self.height}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        self.procs.append(xvfb)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start (no display number)")
        self.display = f":{number}"
        wm = subprocess.Popen(
            ["openbox", "--sm-disable"],
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(wm)
        self.wait_for(lambda: self._wm_running(), 10, "openbox to manage the screen")
        return self

    def _wm_running(self) -> bool:
        # An EWMH window manager announces itself on the root window.
        return "window id" in self.xprop("-root", "_NET_SUPPORTING_WM_CHECK")

    def xprop(self, *args: str) -> str:
        return subprocess.run(
            ["xprop", *args], env=self.env(), capture_output=True, text=True, timeout=30
        ).stdout

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, DISPLAY=self.display)
        env.pop("WAYLAND_DISPLAY", None)
        env.update(extra)
        return env

    def xdotool(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["xdotool", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=check,
            timeout=30,
        )

    def windows(self, name_regex: str) -> list[str]:
        out = self.xdotool("search", "--onlyvisible", "--name", name_regex, check=False)
        return out.stdout.split()

    def geometry(self, window: str) -> dict[str, int]:
        """The window's frame (title bar and borders included) in root coordinates."""
        # xwininfo, not xdotool getwindowgeometry: that one adds the frame offset twice
        # under a reparenting window manager.
        out = subprocess.run(
            ["xwininfo", "-id", window], env=self.env(), capture_output=True, text=True, timeout=30
        ).stdout
        info = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in out.splitlines())}
        geo = {
            "X": int(info["Absolute upper-left X"]),
            "Y": int(info["Absolute upper-left Y"]),
            "WIDTH": int(info["Width"]),
            "HEIGHT": int(info["Height"]),
        }
        prop = self.xprop("-id", window, "_NET_FRAME_EXTENTS")
        left = right = top = bottom = 0
        if "=" in prop:
            left, right, top, bottom = (int(v) for v in prop.split("=")[1].split(","))
        return {
            "x": geo["X"] - left,
            "y": geo["Y"] - top,
            "width": geo["WIDTH"] + left + right,
            "height": geo["HEIGHT"] + top + bottom,
        }

    def key(self, *keys: str) -> None:
        for k in keys:
            self.xdotool("key", "--clearmodifiers", k)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "40", text)

    @staticmethod
    def wait_for(check, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.1)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
