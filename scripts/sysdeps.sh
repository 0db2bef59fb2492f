#!/bin/sh
# System packages the tests need: poppler-utils (pdftotext, pdffonts, pdftoppm), Xvfb for
# screenshots, and the libraries Qt's offscreen platform loads. Installed only when missing,
# and only where we may (root with apt-get); otherwise say what is missing.
need=""
command -v make >/dev/null 2>&1 || need="$need make"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
command -v Xvfb >/dev/null 2>&1 || need="$need xvfb"
for lib in libEGL.so.1 libGL.so.1 libfontconfig.so.1 libxkbcommon.so.0 libdbus-1.so.3 libglib-2.0.so.0; do
  ldconfig -p 2>/dev/null | grep -q "$lib" || need="$need qtlibs"
done
[ -z "$need" ] && exit 0
pkgs="make poppler-utils xvfb libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0 libxcb-image0"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "安装测试所需的系统软件包：$pkgs"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
else
  echo "缺少系统软件包（请用管理员身份安装）：$pkgs" >&2
fi
