"""Run ``flask`` and ``gunicorn`` as the operator does, for the hardening tests."""

from __future__ import annotations

import os
import subprocess
import sys

from devtools.server import ROOT, free_port


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any CAMPAIGN_* setting of the test run, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAMPAIGN_")}
    return {**env, **extra}


def flask(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_gunicorn(env: dict[str, str], seconds: float = 20) -> tuple[int | None, str]:
    """Start gunicorn; (exit status, stderr) if it stops within ``seconds``, else (None, ...)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py")],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{free_port()}", "GUNICORN_WORKERS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.terminate()
        _out, err = process.communicate(timeout=10)
        return None, err
    return process.returncode, err
