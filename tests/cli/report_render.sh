#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# report_render.sh BUILD_DIR: the reports people read (issue 17, item 9), rendered by a real
# browser, headless Chromium (Debian package chromium; skipped, exit 77, when absent): the eval
# HTML report of the gesture model on the emulated Cortex-M4F and the memory plan SVG. Each is
# rendered once to a PNG, which must not be blank (decoded here: many colours, a good share of
# non-white pixels), and dumped as the DOM the browser built, which must hold the expected
# elements (version, date, command, budget verdict, per-layer chart with every op, memory plan
# with its title, legend and peak, record plots with axes, x/y/z legend and class scores); the
# browser must log no console message and no script error, and the SVG must be well-formed XML.
set -u
build=$1
ta="$build/tinyaot"
g="$(dirname "$0")/../../examples/gesture"
chromium=${CHROMIUM:-chromium}
if ! command -v "$chromium" >/dev/null 2>&1; then
  echo "skip: $chromium not found (Debian package chromium, installed by scripts/install-deps.sh test)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/render-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# browse FILE OUT ARGS...: Chromium on FILE; stderr (its log, console included) to OUT.log.
browse() {
  f=$1 out=$2
  shift 2
  timeout 120 "$chromium" --headless --disable-gpu --no-sandbox --no-first-run \
    --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 "$@" "file://$f" \
    >"$out" 2>"$out.log"
}
# quiet LOG WHAT: no console message, no uncaught error in a Chromium log.
quiet() {
  if grep -E "CONSOLE|Uncaught" "$1" >"$tmp/console"; then
    bad "$2: the browser logged console messages:"; sed 's/^/     /' "$tmp/console"
  else
    ok "$2: no console message or script error"
  fi
}
# not_blank PNG WHAT
not_blank() {
  python3 - "$1" <<'PY' && ok "$2: rendered, not blank" || bad "$2: the render is blank or unreadable"
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
assert d[:8] == b"\x89PNG\r\n\x1a\n"
pos, idat, w = 8, b"", 0
while pos < len(d):
    n, typ = struct.unpack(">I4s", d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + n]
    if typ == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
        assert depth == 8 and ctype in (2, 6)
        bpp = 3 if ctype == 2 else 4
    elif typ == b"IDAT":
        idat += body
    pos += 12 + n
raw, stride = zlib.decompress(idat), w * bpp
prev, colours, ink = bytearray(stride), set(), 0
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if y % 4 == 0:
        for x in range(0, w, 2):
            px = bytes(line[x * bpp:x * bpp + 3])
            colours.add(px)
            ink += px != b"\xff\xff\xff"
    prev = line
share = ink / ((h // 4 + 1) * (w // 2 + 1))
print("     %dx%d, %d colours, %.1f%% not white" % (w, h, len(colours), 100 * share))
sys.exit(0 if len(colours) >= 20 and share >= 0.03 else 1)
PY
}
# has DOM WHAT TEXT...: every TEXT in the dumped DOM.
has() {
  dom=$1 what=$2
  shift 2
  for t in "$@"; do
    grep -qF -- "$t" "$dom" || { bad "$what: the DOM lacks '$t'"; return; }
  done
  ok "$what"
}

# The memory plan SVG.
"$ta" inspect "$g/gesture.onnx" --plan-svg "$tmp/plan.svg" >/dev/null || { bad "inspect --plan-svg"; exit 1; }
python3 -c "import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])" "$tmp/plan.svg" &&
  ok "plan SVG: well-formed XML" || bad "plan SVG: not well-formed XML"
browse "$tmp/plan.svg" "$tmp/plan.dom" --dump-dom
quiet "$tmp/plan.dom.log" "plan SVG"
grep -q parsererror "$tmp/plan.dom" && bad "plan SVG: the browser reports a parse error"
has "$tmp/plan.dom" "plan SVG: title, subtitle, round ticks, labels by op, live bytes, peak, legend" \
  "Memory plan: arena 12,288 bytes, 14 ops" "lower bound 12,288 bytes" ">0 KiB<" ">12 KiB<" \
  ">op 1 CONV_2D<" ">op 2<" ">MAX_POOL_2D<" ">live bytes<" "peak 12,288 bytes at op 2" \
  "kernel scratch of op N" "op index (execution order)"
browse "$tmp/plan.svg" "$tmp/plan.out" --screenshot="$tmp/plan.png" --window-size=800,760
not_blank "$tmp/plan.png" "plan SVG"

# The eval report, on the emulated Cortex-M4F (the per-layer chart needs a board).
SOURCE_DATE_EPOCH=1796608800 "$ta" eval "$g/gesture.onnx" --data "$g/test_inputs.bin" \
  --labels "$g/test_labels.bin" --classes "$g/classes.txt" --limit 8 --part stm32l4r5 \
  --report "$tmp/eval.html" >"$tmp/eval.txt" 2>&1 || { bad "eval --report"; cat "$tmp/eval.txt"; exit 1; }
browse "$tmp/eval.html" "$tmp/eval.dom" --dump-dom
quiet "$tmp/eval.dom.log" "eval HTML"
version=$("$ta" --version | cut -d' ' -f2)
has "$tmp/eval.dom" "eval HTML: version, date, command" "tinyaot $version" "2026-12-07 02:00 UTC" \
  "tinyaot eval $g/gesture.onnx --data" "--limit 8 --part stm32l4r5 --report $tmp/eval.html"
has "$tmp/eval.dom" "eval HTML: budget verdict" 'id="verdict" class="yes"' "Fits" \
  "stm32l4r5 (budget: 2 MiB flash, 640 KiB RAM)" "of 640 KiB ("
has "$tmp/eval.dom" "eval HTML: confusion matrix and cost at the part's clock" 'id="confusion"' \
  "at 120 MHz"
# One bar per op with code: the ops of the profile hook in the generated code.
"$ta" compile "$g/gesture.onnx" -o "$tmp/gen" --name gest >/dev/null
sed -n 's/^ *GEST_PROF(\([0-9]*\), "\([A-Z_0-9]*\)", 0);$/>\1 \2</p' "$tmp/gen/gest.c" >"$tmp/hook"
bars=$(sed -n '/id="layers"/,/<\/svg>/p' "$tmp/eval.dom" | grep -c '<title>op ')
# shellcheck disable=SC2046
has "$tmp/eval.dom" "eval HTML: per-layer instruction chart, every op of the hook" 'id="layers"' \
  "instructions per inference" $(cat "$tmp/hook")
[ "$bars" = "$(wc -l <"$tmp/hook")" ] && ok "eval HTML: $bars layer bars" ||
  bad "eval HTML: $bars layer bars, the hook has $(wc -l <"$tmp/hook") ops"
has "$tmp/eval.dom" "eval HTML: memory plan inline" 'id="plan"' "Memory plan: arena 12,288 bytes" \
  "peak 12,288 bytes at op 2"
has "$tmp/eval.dom" "eval HTML: record plots with axes, x/y/z, units and class scores" \
  "time step (sample index)" "value (float input)" ">x<" ">y<" ">z<" "class scores" ">wing<" \
  ">negative<" "record 0: true wing"
grep -qE '<(script|link|img|iframe)|(src|href)=|url\(' "$tmp/eval.html" &&
  bad "eval HTML: fetches or runs something (offline page expected)" || ok "eval HTML: self-contained"
browse "$tmp/eval.html" "$tmp/eval.out" --screenshot="$tmp/eval.png" --window-size=1150,2400
not_blank "$tmp/eval.png" "eval HTML"

echo "report_render: $pass passed, $fail failed"
[ "$fail" = 0 ]
