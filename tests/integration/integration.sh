#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# integration.sh BUILD_DIR [arm]: a firmware project as a user writes one, integrating three
# generated models into one image: the example int8 model twice (as kws and kws2: the same
# kernels, which used to be defined twice) and the float gesture model (gest: needs libm).
# Host (default): with the Make fragments and cc, with the CMake fragments and a C++ main
# (g++), both run, the int8 outputs compared with example_model's independent reference; the
# profile hook declared by the header (-DKWS_PROFILE, -Werror, C99: no implicit declaration);
# the header's DIM and DTYPE macros in an array size and #if, and no absolute path in it.
# arm: the CMake fragments under an arm-none-eabi toolchain file (find_library finds no libm
# there), a Cortex-M4F firmware run on QEMU (mps2-an386, semihosting exit), and the Make
# fragments linked with arm-none-eabi-gcc.
set -u
build=$1
mode=${2:-host}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ta="$build/tinyaot"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/integ-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # check DESCRIPTION CMD...: CMD must succeed; its output is shown when it does not.
  desc=$1; shift
  if "$@" >"$tmp/log" 2>&1; then echo "ok   $desc"; pass=$((pass + 1))
  else echo "FAIL $desc"; sed 's/^/     /' "$tmp/log" | tail -30; fail=$((fail + 1)); fi
}
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

"$build/example_model" "$tmp" >/dev/null || { echo "FAIL example_model"; exit 1; }
# Absolute model paths, as a build system passes them: none may reach the generated files.
for n in kws kws2; do
  check "compile $n" "$ta" compile "$tmp/example.tflite" -o "$tmp/$n" --name $n
done
check "compile gest" "$ta" compile "$root/examples/gesture/gesture.onnx" -o "$tmp/gest" --name gest
check "the headers carry no absolute path" sh -c "! grep -l -e '$tmp' -e '$root' '$tmp'/*/*.h '$tmp'/*/*.c"

# Test data as C arrays: the example input, its reference output, one gesture recording.
carray() { # carray NAME TYPE FILE BYTES
  printf 'const %s %s[%s] = {' "$2" "$1" "$4"
  head -c "$4" "$3" | od -An -v -td1 | tr -s ' \n' ',,' | sed 's/^,//; s/,$//'
  printf '};\n'
}
mkdir -p "$tmp/app"
{
  echo '#include <stdint.h>'
  carray example_in int8_t "$tmp/input_0.bin" 256
  carray example_expected int8_t "$tmp/expected_0.bin" 4
  carray gesture_in int8_t "$root/examples/gesture/test_inputs.bin" 1536
} >"$tmp/app/data.c"

# The application: what a user writes. check_models() returns 0 when all is well.
cat >"$tmp/app/models.c" <<'CEOF'
#include <math.h>
#include <string.h>

#include "gest.h"
#include "kws.h"
#include "kws2.h"
#include "models.h"

/* The shape macros are integer constants: array sizes, #if. */
#if KWS_INPUT_0_DTYPE != KWS_DTYPE_INT8 || GEST_OUTPUT_0_DTYPE != GEST_DTYPE_FLOAT32
#error "unexpected dtypes"
#endif
typedef int8_t kws_frame[KWS_INPUT_0_DIM_1][KWS_INPUT_0_DIM_2][KWS_INPUT_0_DIM_3];
typedef char frame_is_the_input[sizeof(kws_frame) == KWS_INPUT_0_BYTES ? 1 : -1];
static const int32_t kws_shape[KWS_INPUT_0_RANK] = KWS_INPUT_0_SHAPE;

extern const int8_t example_in[256], example_expected[4], gesture_in[1536];

static uint8_t kws_arena[KWS_ARENA_SIZE] __attribute__((aligned(KWS_ARENA_ALIGN)));
static uint8_t kws2_arena[KWS2_ARENA_SIZE] __attribute__((aligned(KWS2_ARENA_ALIGN)));
static uint8_t gest_arena[GEST_ARENA_SIZE] __attribute__((aligned(GEST_ARENA_ALIGN)));
static int32_t hook_calls[2], hook_bad;

/* Declared by kws.h; called by kws_run because kws.c is compiled with -DKWS_PROFILE. */
void kws_profile_hook(int32_t op_index, const char *op_name, int32_t phase) {
  if (op_index < 0 || op_index >= KWS_NUM_OPS || op_name == NULL || phase < 0 || phase > 1)
    hook_bad++;
  else
    hook_calls[phase]++;
}

int check_models(void) {
  static kws_frame frame;
  int8_t out1[KWS_OUTPUT_0_BYTES], out2[KWS2_OUTPUT_0_BYTES];
  float g[GEST_OUTPUT_0_ELEMS], gin[GEST_INPUT_0_ELEMS];
  memcpy(frame, example_in, sizeof frame);
  memcpy(gin, gesture_in, sizeof gin);
  if (kws_shape[1] != KWS_INPUT_0_DIM_1)
    return 1;
  {
    const void *in[1] = {frame};
    void *out[1] = {out1};
    if (kws_run(in, out, kws_arena) != KWS_OK || memcmp(out1, example_expected, 4) != 0)
      return 2;
  }
  {
    const void *in[1] = {example_in};
    void *out[1] = {out2};
    if (kws2_run(in, out, kws2_arena) != KWS2_OK || memcmp(out2, example_expected, 4) != 0)
      return 3;
  }
  {
    const void *in[1] = {gin};
    void *out[1] = {g};
    float sum = 0.0f;
    if (gest_run(in, out, gest_arena) != GEST_OK)
      return 4;
    for (int i = 0; i < GEST_OUTPUT_0_ELEMS; i++) {
      if (!(g[i] >= 0.0f && g[i] <= 1.0f))
        return 5;
      sum += g[i];
    }
    if (fabsf(sum - 1.0f) > 1e-3f) /* softmax scores */
      return 6;
  }
  if (hook_bad || hook_calls[0] == 0 || hook_calls[0] != hook_calls[1])
    return 7;
  return 0;
}
CEOF
printf 'int check_models(void);\n' >"$tmp/app/models.h"
cat >"$tmp/app/main.c" <<'CEOF'
#include <stdio.h>
#include "models.h"
int main(void) {
  int r = check_models();
  printf("check_models: %d\n", r);
  return r;
}
CEOF
# One float model alone (the toolchain-file test of its libm, apart from sharing).
cat >"$tmp/app/gest_only.c" <<'CEOF'
#include <string.h>
#include "gest.h"
#include "models.h"
extern const int8_t gesture_in[1536];
static uint8_t arena[GEST_ARENA_SIZE] __attribute__((aligned(GEST_ARENA_ALIGN)));
int check_models(void) {
  float in[GEST_INPUT_0_ELEMS], out[GEST_OUTPUT_0_ELEMS];
  const void *ins[1] = {in};
  void *outs[1] = {out};
  memcpy(in, gesture_in, sizeof in);
  return gest_run(ins, outs, arena) != GEST_OK;
}
CEOF
# A C++ main calling the generated C API directly (needs the header's extern "C").
cat >"$tmp/app/main.cpp" <<'CEOF'
#include <cstdio>
#include <cstring>
#include "kws.h"
#include "models.h"
extern "C" const int8_t example_in[256], example_expected[4];
alignas(KWS_ARENA_ALIGN) static uint8_t arena[KWS_ARENA_SIZE];
int main() {
  int8_t out[KWS_OUTPUT_0_BYTES];
  const void *in[1] = {example_in};
  void *outs[1] = {out};
  if (kws_run(in, outs, arena) != KWS_OK || std::memcmp(out, example_expected, sizeof out) != 0)
    return 10;
  int r = check_models();
  std::printf("C++ caller: %d\n", r);
  return r;
}
CEOF
sed -i 's/^int check_models(void);$/#ifdef __cplusplus\nextern "C"\n#endif\nint check_models(void);/' "$tmp/app/models.h"

# The Make fragments, one include per model, as each fragment's comment says.
strict="-std=c99 -Wall -Wextra -Werror -pedantic -Wstrict-prototypes -Wmissing-prototypes -Werror=implicit-function-declaration"
cat >"$tmp/app/Makefile" <<MK
include ../kws/kws.mk
include ../kws2/kws2.mk
include ../gest/gest.mk
MAIN ?= main.c
SRCS += \$(MAIN) models.c data.c \$(KWS_SRCS) \$(KWS2_SRCS) \$(GEST_SRCS)
CFLAGS += \$(ARCHFLAGS) $strict -DKWS_PROFILE \$(KWS_CFLAGS) \$(KWS2_CFLAGS) \$(GEST_CFLAGS)
LDLIBS += \$(KWS_LDLIBS) \$(KWS2_LDLIBS) \$(GEST_LDLIBS)
prog: \$(SRCS) ; \$(CC) \$(CFLAGS) \$(SRCS) -o \$@ \$(LDFLAGS) \$(LDLIBS)
# A separate runtime library: TART_SRCS holds every runtime source once.
tart-count: ; @echo \$(words \$(TART_SRCS)) \$(words \$(sort \$(notdir \$(TART_SRCS))))
MK

# The CMake fragments: one include per model, the runtime is the one target tart.
cat >"$tmp/app/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.13)
project(two_models C CXX)
set(CMAKE_C_FLAGS "${CMAKE_C_FLAGS} -Wall -Wextra -Werror -Werror=implicit-function-declaration")
include(${CMAKE_SOURCE_DIR}/../gest/gest.cmake)
if(GEST_ONLY) # one float model
  add_library(app STATIC gest_only.c data.c)
  target_link_libraries(app PUBLIC gest)
else()
  include(${CMAKE_SOURCE_DIR}/../kws/kws.cmake)
  include(${CMAKE_SOURCE_DIR}/../kws2/kws2.cmake)
  target_compile_definitions(kws PRIVATE KWS_PROFILE)
  add_library(app STATIC models.c data.c)
  target_link_libraries(app PUBLIC kws kws2 gest)
endif()
if(CMAKE_SYSTEM_NAME STREQUAL "Generic")
  add_executable(fw.elf startup.c)
  target_link_libraries(fw.elf PRIVATE app)
  target_link_options(fw.elf PRIVATE -nostartfiles --specs=nosys.specs
    -T ${CMAKE_SOURCE_DIR}/fw.ld)
else()
  add_executable(prog_c main.c)
  target_link_libraries(prog_c PRIVATE app)
  add_executable(prog_cpp main.cpp)
  target_link_libraries(prog_cpp PRIVATE app)
endif()
CM

if [ "$mode" = host ]; then
  check "Make: three models (two with the same kernels) build into one program ($strict)" \
    make -s -C "$tmp/app" prog
  check "Make: the program runs, both int8 copies match the reference, the hook is called" \
    "$tmp/app/prog"
  set -- $(make -s -C "$tmp/app" tart-count)
  check "Make: TART_SRCS lists each runtime source once ($1 files)" test "$1" = "$2" -a "$1" -gt 0
  check "CMake: configure (C and C++)" cmake -S "$tmp/app" -B "$tmp/cb" -DCMAKE_BUILD_TYPE=Release
  check "CMake: build (one tart library, three model libraries, a C and a C++ main)" \
    cmake --build "$tmp/cb" -j2
  check "CMake: C main runs" "$tmp/cb/prog_c"
  check "CMake: C++ main calls kws_run and runs" "$tmp/cb/prog_cpp"
  # A C++ caller of one model, the library compiled as C (as the fragments do).
  printf '#include "kws.h"\nint main() {\n  return kws_run(0, 0, 0) == KWS_ERR_ARGS ? 0 : 1; /* refuses NULL inputs */\n}\n' >"$tmp/one.cpp"
  check "C++ caller: g++ main links kws_run from the C library and calls it" sh -c \
    "mkdir '$tmp/one_o' && cd '$tmp/one_o' &&
     cc -c -I'$tmp/kws' -I'$tmp/kws/tart/include' '$tmp/kws'/*.c '$tmp/kws'/tart/src/*.c &&
     g++ -Wall -Werror -I'$tmp/kws' '$tmp/one.cpp' *.o -o '$tmp/one' && '$tmp/one'"
  # The profile hook as declared by the header: a user's hook compiles clean with GCC 14's
  # default (implicit declarations are errors) and -Werror, for the host and for the target.
  for cc in cc arm-none-eabi-gcc; do
    command -v $cc >/dev/null || continue
    check "$cc: kws.c with -DKWS_PROFILE compiles clean ($strict)" \
      $cc $strict -DKWS_PROFILE -I"$tmp/kws" -I"$tmp/kws/tart/include" -c "$tmp/kws/kws.c" \
      -o "$tmp/kws_prof_$cc.o"
    check "$cc: -DKWS_PROFILE makes kws_run call kws_profile_hook" \
      sh -c "nm '$tmp/kws_prof_$cc.o' | grep -q ' U kws_profile_hook\$'"
  done
  finish; exit
fi

# arm: a bare-metal Cortex-M4F firmware: vector table, .data/.bss set up, FPU on, the checks,
# and a semihosting exit whose status QEMU returns.
for t in arm-none-eabi-gcc qemu-system-arm; do
  command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
cat >"$tmp/app/startup.c" <<'CEOF'
#include <stdint.h>
#include "models.h"
extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
void reset(void);
__attribute__((section(".vectors"), used)) static const void *const vectors[2] = {
    __stack_top, (const void *)(uintptr_t)reset};
static void semihosting_exit(int ok) {
  register uint32_t r0 __asm__("r0") = 0x18;                  /* SYS_EXIT */
  register uint32_t r1 __asm__("r1") = ok ? 0x20026 : 0x20023; /* ApplicationExit or error */
  __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
  for (;;) {
  }
}
void reset(void) {
  for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;)
    *d++ = *s++;
  for (uint32_t *d = __bss_start; d < __bss_end;)
    *d++ = 0;
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CPACR: the FPU */
  __asm__ volatile("dsb\n isb");
  semihosting_exit(check_models() == 0);
}
CEOF
cat >"$tmp/app/fw.ld" <<'LD'
MEMORY { FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 4M
         RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 4M }
ENTRY(reset)
SECTIONS {
  .text : { KEEP(*(.vectors)) *(.text .text.*) *(.rodata .rodata.*) . = ALIGN(4); } > FLASH
  .ARM.exidx : { *(.ARM.exidx*) } > FLASH
  .data : { . = ALIGN(4); __data_start = .; *(.data .data.*) . = ALIGN(4); __data_end = .; } > RAM AT > FLASH
  __data_load = LOADADDR(.data);
  .bss (NOLOAD) : { . = ALIGN(4); __bss_start = .; *(.bss .bss.* COMMON) . = ALIGN(4); __bss_end = .; } > RAM
  . = ALIGN(8); . = . + 0x4000; __stack_top = .;
}
LD
armflags="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
# An ordinary toolchain file: the find_* commands search only the (unset) sysroot for
# libraries, so find_library(m) finds nothing here.
cat >"$tmp/arm.cmake" <<CM
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "$armflags -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_INIT "$armflags")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
CM
check "CMake + arm-none-eabi toolchain file: configure" \
  cmake -S "$tmp/app" -B "$tmp/ab" -DCMAKE_TOOLCHAIN_FILE="$tmp/arm.cmake" -DCMAKE_BUILD_TYPE=Release
check "CMake + arm-none-eabi toolchain file: the firmware links (float model: libm)" \
  cmake --build "$tmp/ab" -j2
check "CMake + arm-none-eabi toolchain file: a float model alone links (libm)" sh -c \
  "cmake -S '$tmp/app' -B '$tmp/ab1' -DGEST_ONLY=ON -DCMAKE_TOOLCHAIN_FILE='$tmp/arm.cmake' &&
   cmake --build '$tmp/ab1'"
check "the Cortex-M4F firmware runs on QEMU: both int8 copies match, the float model answers" \
  timeout 120 qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none -semihosting \
  -kernel "$tmp/ab/fw.elf"
check "Make + arm-none-eabi-gcc: the same firmware links from the Make fragments" \
  make -s -C "$tmp/app" prog CC=arm-none-eabi-gcc MAIN=startup.c ARCHFLAGS="$armflags" \
  LDFLAGS="-nostartfiles --specs=nosys.specs -T fw.ld"
finish
