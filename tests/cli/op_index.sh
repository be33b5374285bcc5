#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# op_index.sh BUILD_DIR [qemu]: one op numbering everywhere (issue 17, item 6). The gesture ONNX
# model (examples/gesture) loses and splits nodes in the passes, so numbering ops by source node
# gave duplicate and missing indices. Checked: inspect --json numbers its ops 0..n-1 with the ONNX
# node name next to each, the text report shows the same indices, the generated code's profile
# hook calls and op comments use them, and the plan names scratch by them; with `qemu`, bench
# --json's per-layer rows carry the same index, type and name as inspect's.
set -u
build=$1 mode=${2:-}
ta="$build/tinyaot"
g="$(dirname "$0")/../../examples/gesture/gesture.onnx"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/opidx-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0

"$ta" inspect "$g" --json >"$tmp/inspect.json" || { echo "FAIL inspect --json"; exit 1; }
"$ta" inspect "$g" >"$tmp/inspect.txt" || { echo "FAIL inspect"; exit 1; }
"$ta" compile "$g" -o "$tmp/gen" --name gest >/dev/null || { echo "FAIL compile"; exit 1; }

# Indices of inspect --json: "index", "type", "name" of every op, one line each.
python3 - "$tmp/inspect.json" >"$tmp/ops" <<'PY' || fail=1
import json, sys
ops = json.load(open(sys.argv[1]))["ops"]
idx = [o["index"] for o in ops]
if idx != list(range(len(ops))):
    sys.exit("inspect --json indices are not 0..n-1: %r" % idx)
for o in ops:
    if not o["name"]:
        sys.exit("op %d has no name" % o["index"])
    print(o["index"], o["type"], o["name"])
PY
[ "$fail" = 0 ] && echo "ok   inspect --json: indices 0..$(($(wc -l <"$tmp/ops") - 1)), each with its node name"
grep -q '^0 RESHAPE /net/net.0/Conv$' "$tmp/ops" && grep -q '^1 CONV_2D /net/net.0/Conv$' "$tmp/ops" ||
  { echo "FAIL the layout RESHAPE and the Conv split from node /net/net.0/Conv are ops 0 and 1"; fail=1; }

# The text report: the same index and type in the first two columns, the name at the end.
awk 'NR > 3 && NF { print $1, $2, $NF }' "$tmp/inspect.txt" | tr -d '"' >"$tmp/text_ops"
cmp -s "$tmp/ops" "$tmp/text_ops" && echo "ok   inspect text: the same index, type and name" ||
  { echo "FAIL inspect text differs:"; diff "$tmp/ops" "$tmp/text_ops"; fail=1; }

# The profile hook: GEST_PROF(i, "TYPE", 0) before every op with code, in execution order; the
# op comments above them carry the same index, type and name.
sed -n 's/^ *GEST_PROF(\([0-9]*\), "\([A-Z_0-9]*\)", 0);$/\1 \2/p' "$tmp/gen/gest.c" >"$tmp/hook"
sed -n 's|^  /\* op \([0-9]*\) \([A-Z_0-9]*\) "\([^"]*\)".*\*/$|\1 \2 \3|p' "$tmp/gen/gest.c" >"$tmp/comments"
cut -d' ' -f1,2 "$tmp/ops" >"$tmp/ops12"
if [ -s "$tmp/hook" ] && grep -qxFf "$tmp/ops12" "$tmp/hook" && [ "$(grep -cvxFf "$tmp/ops12" "$tmp/hook")" = 0 ] &&
  [ "$(sort -n -u "$tmp/hook" | wc -l)" = "$(wc -l <"$tmp/hook")" ]; then
  echo "ok   profile hook: $(wc -l <"$tmp/hook") calls, each (index, type) one of inspect's"
else
  echo "FAIL profile hook ids differ from inspect's:"; cat "$tmp/hook"; fail=1
fi
cmp -s "$tmp/ops" "$tmp/comments" && echo "ok   generated op comments: inspect's index, type and name" ||
  { echo "FAIL generated op comments differ:"; diff "$tmp/ops" "$tmp/comments"; fail=1; }

# The plan: scratch buffers named by the dense index (op 1 is the first conv's im2col).
"$ta" inspect "$g" --plan >"$tmp/plan.txt" || fail=1
if grep -q 'scratch of op' "$tmp/plan.txt"; then
  sed -n 's/.*(scratch of op \([0-9]*\) \([A-Z_0-9]*\)).*/\1 \2/p' "$tmp/plan.txt" >"$tmp/scr"
  [ "$(grep -cvxFf "$tmp/ops12" "$tmp/scr")" = 0 ] && echo "ok   plan: scratch named by op index and type" ||
    { echo "FAIL plan scratch names:"; cat "$tmp/scr"; fail=1; }
fi

if [ "$mode" = qemu ]; then
  "$ta" bench "$g" --json >"$tmp/bench.json" || { echo "FAIL bench --json"; exit 1; }
  python3 - "$tmp/bench.json" "$tmp/ops" "$tmp/hook" <<'PY' && echo "ok   bench --json layers: inspect's index, type and name, the hook's ids" || fail=1
import json, sys
layers = json.load(open(sys.argv[1]))["layers"]
ops = {int(l.split(" ", 2)[0]): l.rstrip("\n").split(" ", 2)[1:] for l in open(sys.argv[2])}
hook = [int(l.split()[0]) for l in open(sys.argv[3])]
# the per-layer op index key: "index" in the shared JSON vocabulary ("op" before it)
got = [l["index"] if "index" in l else l["op"] for l in layers]
if got != hook:
    sys.exit("FAIL bench layer indices %r, hook ids %r" % (got, hook))
for i, l in zip(got, layers):
    if [l["type"], l["name"]] != ops[i]:
        sys.exit("FAIL bench layer %d is %s %s, inspect says %r" % (i, l["type"], l["name"], ops[i]))
PY
fi
exit $fail
