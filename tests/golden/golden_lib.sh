# SPDX-License-Identifier: Apache-2.0
# golden_lib.sh: the output check the golden scripts share (golden.sh, device/golden_target.sh,
# valgrind/valgrind_golden.sh), sourced with `. golden_lib.sh`. The reference vectors' meta.txt
# says how many inputs and outputs a model has ("inputs=N outputs=M") and each output's dtype
# and size ("output_K name=... dtype=... bytes=..."); a case passes only when every output it
# lists is there, in the reference folder and in what tinyaot wrote, each of the listed size,
# no other output_K.bin is in either, and every output matches the reference. A case folder with
# its outputs deleted, or a model that writes one output too many or too few, is a failure.

# golden_count META inputs|outputs: the count meta.txt gives (empty when it gives none).
golden_count() {
  case $2 in
  inputs) sed -n 's/^inputs=\([0-9]*\) outputs=[0-9]*.*/\1/p' "$1" ;;
  *) sed -n 's/^inputs=[0-9]* outputs=\([0-9]*\).*/\1/p' "$1" ;;
  esac
}

# golden_check_case CMP META CASE OUT WHAT: compare the outputs OUT holds with those of the
# reference case folder CASE; prints one line per output ("ok   WHAT output K: ..." or
# "FAIL WHAT ..."). Returns 0 when every listed output is present, of its size and matches.
golden_check_case() {
  _cmp=$1 _meta=$2 _case=$3 _out=$4 _what=$5
  _n=$(golden_count "$_meta" outputs)
  if [ -z "$_n" ] || [ "$_n" -lt 1 ]; then
    echo "FAIL $_what: $_meta gives no 'inputs=N outputs=M' line"
    return 1
  fi
  _ok=0 _k=0
  while [ "$_k" -lt "$_n" ]; do
    _dtype=$(sed -n "s/^output_$_k .*dtype=\([a-z0-9]*\).*/\1/p" "$_meta")
    _bytes=$(sed -n "s/^output_$_k .*bytes=\([0-9]*\).*/\1/p" "$_meta")
    if [ -z "$_dtype" ] || [ -z "$_bytes" ]; then
      echo "FAIL $_what output $_k: $_meta does not describe output_$_k (dtype, bytes)"; _ok=1
    elif [ ! -f "$_case/output_$_k.bin" ]; then
      echo "FAIL $_what output $_k: the reference $_case/output_$_k.bin is missing"; _ok=1
    elif [ ! -f "$_out/output_$_k.bin" ]; then
      echo "FAIL $_what output $_k: tinyaot wrote no output_$_k.bin"; _ok=1
    elif [ "$(wc -c <"$_case/output_$_k.bin")" -ne "$_bytes" ]; then
      echo "FAIL $_what output $_k: the reference has $(wc -c <"$_case/output_$_k.bin") bytes," \
        "meta.txt says $_bytes"; _ok=1
    elif ! _res=$("$_cmp" "$_dtype" "$_case/output_$_k.bin" "$_out/output_$_k.bin"); then
      echo "FAIL $_what output $_k: $_res"; _ok=1
    else
      echo "ok   $_what output $_k: $_res"
    fi
    _k=$((_k + 1))
  done
  # Outputs beyond the listed ones, on either side.
  for _f in "$_case"/output_*.bin "$_out"/output_*.bin; do
    [ -f "$_f" ] || continue
    _k=${_f##*/output_}
    _k=${_k%.bin}
    case $_k in
    *[!0-9]* | '') ;;
    *) [ "$_k" -lt "$_n" ] && continue ;;
    esac
    echo "FAIL $_what: $_f is not one of the $_n outputs $_meta lists"; _ok=1
  done
  return $_ok
}

# golden_check_inputs META CASE WHAT: the case folder holds exactly the inputs meta.txt lists.
golden_check_inputs() {
  _n=$(golden_count "$1" inputs)
  _have=0
  while [ -f "$2/input_$_have.bin" ]; do _have=$((_have + 1)); done
  if [ -z "$_n" ] || [ "$_have" != "$_n" ]; then
    echo "FAIL $3: $_have input_K.bin files, $1 lists ${_n:-none}"
    return 1
  fi
  return 0
}
