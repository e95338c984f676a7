"""When Qt's xcb plugin cannot load, the app names the missing libraries and the command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from annotator.gui.xcb_check import (
    ENV_PLUGIN,
    debian_package,
    fedora_package,
    missing_libraries,
    wants_xcb,
    xcb_plugin,
)

GHOST = "libxcb-ghostwm.so.4"


@pytest.fixture
def plugin_missing_a_library(tmp_path):
    """A real ELF plugin linked against a library that is then deleted, as on a bare system."""
    if shutil.which("gcc") is None:
        pytest.skip("needs gcc to build a plugin with a missing dependency")
    ghost_src = tmp_path / "ghost.c"
    ghost_src.write_text("int ghost(void) { return 1; }\n")
    plugin_src = tmp_path / "plugin.c"
    plugin_src.write_text("int ghost(void);\nint plugin(void) { return ghost(); }\n")
    lib = tmp_path / GHOST
    gcc = ["gcc", "-shared", "-fPIC", "-o"]
    subprocess.run([*gcc, str(lib), f"-Wl,-soname,{GHOST}", str(ghost_src)], check=True)
    plugin = tmp_path / "libqxcb.so"
    subprocess.run([*gcc, str(plugin), str(plugin_src), "-Wl,--no-as-needed", str(lib)], check=True)
    lib.unlink()
    return plugin


def test_ldd_names_the_missing_library(plugin_missing_a_library):
    assert missing_libraries(plugin_missing_a_library) == [GHOST]


def test_the_app_prints_missing_libraries_and_install_commands_instead_of_qts_line(
    plugin_missing_a_library, tmp_path
):
    env = dict(os.environ, DISPLAY=":97", ANNOTATOR_DATA_DIR=str(tmp_path / "data"))
    env[ENV_PLUGIN] = str(plugin_missing_a_library)
    for var in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "ANNOTATOR_DB"):
        env.pop(var, None)
    run = subprocess.run(
        [sys.executable, "-m", "annotator"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 1
    assert GHOST in run.stderr
    assert "sudo apt-get install libxcb-ghostwm4" in run.stderr
    assert "sudo dnf install libxcb" in run.stderr
    assert "Could not load the Qt platform plugin" not in run.stderr
    assert not (tmp_path / "data" / "annotator.sqlite3").exists()  # stopped before anything


def test_package_names_for_the_libraries_qt_needs():
    pairs = {
        "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
        "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
        "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
        "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
        "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
        "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
        "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
        "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
        "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
        "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    }
    for soname, (deb, fedora) in pairs.items():
        assert debian_package(soname) == deb
        assert fedora_package(deb) == fedora


def test_only_an_x11_start_is_checked():
    assert wants_xcb({"DISPLAY": ":0"}) is sys.platform.startswith("linux")
    assert not wants_xcb({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"})
    assert not wants_xcb({"QT_QPA_PLATFORM": "xcb"})  # no display: Qt's own error stands
    assert not wants_xcb(
        {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}
    )


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI installs the xcb libraries (.ci/run)")
def test_under_ci_the_real_plugin_has_everything():
    plugin = xcb_plugin({})
    assert plugin is not None and missing_libraries(plugin) == []
