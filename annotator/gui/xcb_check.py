"""Before Qt loads its X11 (xcb) platform plugin: name the missing system libraries.

Without them Qt prints only "Could not load the Qt platform plugin "xcb"", often
blaming ``libxcb-cursor0`` even when that one is installed. ``ldd`` on the plugin lists
every library that is really missing; we print those and the command that installs them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ENV_PLUGIN = "ANNOTATOR_XCB_PLUGIN"
"""Check this plugin file instead of Qt's own (diagnosis and tests)."""

# Debian/Ubuntu package -> Fedora package, for the libraries the xcb plugin needs beyond
# libxcb itself (packaging/README.md lists the same for the bundle).
FEDORA = {
    "libxcb-icccm4": "xcb-util-wm",
    "libxcb-keysyms1": "xcb-util-keysyms",
    "libxcb-image0": "xcb-util-image",
    "libxcb-render-util0": "xcb-util-renderutil",
    "libxcb-util1": "xcb-util",
    "libxcb-cursor0": "xcb-util-cursor",
    "libxkbcommon-x11-0": "libxkbcommon-x11",
    "libxkbcommon0": "libxkbcommon",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s*=>\s*not found", re.MULTILINE)
_SONAME = re.compile(r"^(lib[\w.+-]+?)\.so\.(\d+)")


def debian_package(soname: str) -> str:
    """``libxcb-icccm.so.4`` -> ``libxcb-icccm4``; ``libxkbcommon-x11.so.0`` -> ``…-x11-0``."""
    m = _SONAME.match(soname)
    if m is None:
        return soname
    name, version = m.groups()
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


def fedora_package(debian: str) -> str:
    if debian in FEDORA:
        return FEDORA[debian]
    return "libxcb" if debian.startswith("libxcb") else debian


def wants_xcb(env: Mapping[str, str]) -> bool:
    """Will Qt try the xcb plugin? On Linux with an X display and no other platform asked."""
    if not sys.platform.startswith("linux") or not env.get("DISPLAY"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":", 1)[0] == "xcb"
    return env.get("XDG_SESSION_TYPE") != "wayland" or not env.get("WAYLAND_DISPLAY")


def xcb_plugin(env: Mapping[str, str]) -> Path | None:
    if env.get(ENV_PLUGIN):
        return Path(env[ENV_PLUGIN])
    from PySide6.QtCore import QLibraryInfo  # QtCore only: no platform plugin loads here

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    path = plugins / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def missing_libraries(plugin: Path) -> list[str]:
    """Sonames ``ldd`` cannot resolve for the plugin (its own dependencies' included)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    try:
        out = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(set(_NOT_FOUND.findall(out)))


def report(missing: list[str]) -> str:
    debian = sorted({debian_package(m) for m in missing})
    fedora = sorted({fedora_package(p) for p in debian})
    return (
        "Annotator cannot open its window: Qt's X11 platform plugin (xcb) needs system\n"
        f"libraries that are not installed: {', '.join(missing)}.\n"
        "Install them, then start Annotator again:\n"
        f"  Debian/Ubuntu:  sudo apt-get install {' '.join(debian)}\n"
        f"  Fedora:         sudo dnf install {' '.join(fedora)}\n"
    )


def xcb_problem(env: Mapping[str, str] | None = None) -> str | None:
    """The message to print instead of starting Qt, or None when xcb can load (or is unused)."""
    env = os.environ if env is None else env
    if not wants_xcb(env):
        return None
    plugin = xcb_plugin(env)
    if plugin is None:
        return None
    missing = missing_libraries(plugin)
    return report(missing) if missing else None
