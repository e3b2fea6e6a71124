#!/usr/bin/env bash
# Installs Erlang/OTP from Debian's packages, for the side-by-side benchmarks (npm run bench).
# erlang-nox: the runtime and compiler; erlang-src: erts/bin/erl.src, which OTP's target-system
# tooling (used by the reference upgrade benchmark) needs and erlang-nox lacks.
set -euo pipefail
if command -v erl >/dev/null && [ -n "$(ls /usr/lib/erlang/erts-*/bin/erl.src 2>/dev/null)" ]; then
  echo "Erlang/OTP already installed: $(erl -noshell -eval 'io:format("~s", [erlang:system_info(otp_release)]), halt().')"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq erlang-nox erlang-src
