#!/bin/sh
# Headless browser for tests/test_report_html.py (the HTML report must render with its images).
# Installs Debian's chromium when it is missing and we are root with apt-get. Where that is not
# possible the step does not fail the build: the browser test is then skipped and pytest -ra
# prints the reason ("no headless browser: install Debian's chromium ...").
set -u
for b in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$b" >/dev/null 2>&1; then
        echo "browser: $(command -v "$b") ($("$b" --version 2>/dev/null || echo 'version unknown'))"
        exit 0
    fi
done
if [ "$(id -u)" != "0" ]; then
    echo "browser: chromium not installed and not root: the report browser test will be skipped"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "browser: chromium not installed and no apt-get: the report browser test will be skipped"
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if apt-get install -y --no-install-recommends chromium >/tmp/ci-browser-apt.log 2>&1 || \
   { apt-get update >>/tmp/ci-browser-apt.log 2>&1 && \
     apt-get install -y --no-install-recommends chromium >>/tmp/ci-browser-apt.log 2>&1; }; then
    echo "browser: installed $(chromium --version 2>/dev/null || echo chromium)"
else
    echo "browser: apt-get could not install chromium (see /tmp/ci-browser-apt.log); the report browser test will be skipped"
    tail -5 /tmp/ci-browser-apt.log 2>/dev/null || true
fi
exit 0
