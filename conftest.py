"""Loads the platform modules before any test module imports them: the stand-ins in Tests/demistomock, or
demisto/content's real ones from the folder named by XSIAM_PLATFORM_DIR (see devkit/platform_modules.py)."""

from devkit.platform_modules import activate

LOADED = activate()


def pytest_report_header() -> str:
    kind = "real (XSIAM_PLATFORM_DIR)" if LOADED.real else "stand-ins"
    return f"platform modules: {kind} from {LOADED.directory}"
