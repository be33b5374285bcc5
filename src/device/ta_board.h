/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_board.h: the Cortex-M boards tinyaot runs on, and building a firmware for one.
 *
 * A board description is a row of one table (boards.c): the QEMU machine, the compiler's CPU
 * flags, the memory map, the UART and timer the runner uses, and the reference clock. A
 * firmware is the generated model library plus firmware/ (startup, linker script, the session
 * runner), cross-compiled with arm-none-eabi-gcc into one ELF; its section sizes are read
 * back from the ELF, and the model's own share from the linker map.
 */
#ifndef TA_BOARD_H
#define TA_BOARD_H

#include "ta_codegen.h"

typedef struct ta_board {
  const char *target;    /* --target name: "cortex-m4" */
  const char *machine;   /* qemu-system-arm -machine */
  const char *core;      /* for people: "Cortex-M4F" */
  const char *cflags[4]; /* CPU and float ABI for arm-none-eabi-gcc (NULL-terminated) */
  uint32_t flash_origin; /* code, constants, .data initial values */
  uint32_t flash_bytes;
  uint32_t ram_origin; /* stack, .data, .bss, arena */
  uint32_t ram_bytes;
  uint32_t uart_base;  /* CMSDK APB UART0 (as the core sees it: secure alias on AN505) */
  int32_t uart_rx_irq; /* its RX interrupt, NVIC numbering */
  uint32_t timer_base; /* CMSDK APB timer 0 */
  uint32_t clock_hz;   /* peripheral clock: the timer's rate and the reference clock */
} ta_board;

/* The board for a --target name; NULL if unknown. */
const ta_board *ta_board_find(const char *target);
/* Every target name, comma separated ("cortex-m3, cortex-m4, ..."). */
const char *ta_board_names(void);
/* A microcontroller a model is sized for (--part): its core's --target, its clock for turning
 * instructions into milliseconds, its flash and RAM for the budgets. Figures from the vendors'
 * datasheets (maximum clock, on-chip flash and SRAM). */
typedef struct ta_part {
  const char *name;   /* "stm32l4r5" */
  const char *target; /* the board with its core: "cortex-m4" */
  uint32_t clock_hz;
  uint64_t flash_bytes, ram_bytes;
} ta_part;

/* The part called name (case-insensitive); NULL if unknown. */
const ta_part *ta_part_find(const char *name);
/* Every part name, comma separated. */
const char *ta_part_names(void);

/* Instructions per timer tick under QEMU -icount shift=0 (one virtual ns per instruction):
 * 1e9 / clock_hz, e.g. 40 at 25 MHz. */
uint32_t ta_board_insns_per_tick(const ta_board *b);

/* Section sizes in bytes. Flash = text + rodata + data (+ exidx, counted in text); RAM =
 * data + bss (+ arena + stack, reported apart). model_* count only the generated code and
 * the runtime kernels (NAME.c, NAME_weights.c, tart/), as linked (after section GC). */
typedef struct ta_fw_sizes {
  uint64_t text, rodata, data, bss, arena, stack;
  uint64_t model_text, model_rodata, model_data, model_bss;
} ta_fw_sizes;

typedef struct ta_firmware {
  const ta_board *board;
  const char *dir;   /* build directory */
  const char *elf;   /* the firmware image */
  uint32_t model_id; /* what HELLO must report (ta_fw_model_id) */
  ta_fw_sizes sizes;
} ta_firmware;

/* FNV-1a over the generated NAME.h, NAME.c and NAME_weights.c: the firmware reports it, so
 * a session can check that the board runs this very model. */
uint32_t ta_fw_model_id(const ta_fileset *fs, const char *name);

/* Build the firmware for g (already emitted into fs under model name `name`) in dir (an
 * existing, empty, private directory): the model library with -O2, firmware/ with -Os, each
 * source to an object, linked with firmware/link.ld and the board's memory map. The compiler
 * is $TA_ARM_CC (default arm-none-eabi-gcc); extra flags come from $TA_ARM_CFLAGS. A missing
 * toolchain or a compile error is reported with the fix or the compiler's output. */
ta_status ta_fw_build(ta_graph *g, const ta_fileset *fs, const char *name, const ta_board *b,
                      const char *dir, ta_firmware *fw);

/* The tuning firmware (firmware/tuner.c, no model) keeps the first TA_TUNER_RAM_BYTES of the
 * board's RAM for its stack, data and bss; the rest is split into a code area (blobs are
 * linked there and run from RAM) and a tensor area, announced by its HELLO. */
#define TA_TUNER_RAM_BYTES (128u * 1024u)
typedef struct ta_tune_areas {
  uint32_t code_base, code_bytes, tensor_base, tensor_bytes;
} ta_tune_areas;
void ta_board_tune_areas(const ta_board *b, ta_tune_areas *a);

/* Build the tuning firmware for b, or find it built: cache_dir/tuner-TARGET-HASH/firmware.elf,
 * HASH over the firmware sources, the board and $TA_ARM_CC/$TA_ARM_CFLAGS (a new tinyaot with
 * other firmware sources builds anew). cache_dir is created if missing. fw gets board, dir and
 * elf (no sizes). */
ta_status ta_fw_build_tuner(ta_ctx *ctx, const ta_board *b, const char *cache_dir, ta_firmware *fw);

/* The cross compiler and the flags ta_fw_build compiles every object with (board CPU, C99,
 * warnings as errors, a section per function, $TA_ARM_CFLAGS) into argv (room for 96);
 * returns the count. argv[0] is the compiler ($TA_ARM_CC, default arm-none-eabi-gcc). */
int32_t ta_arm_cflags(ta_ctx *ctx, const ta_board *b, char **argv);
/* Run a toolchain command (what: for the message); a missing compiler names the packages to
 * install, a failure quotes its output. */
ta_status ta_arm_run(ta_ctx *ctx, char **argv, const char *what);
/* Compile for board b every .c file of fs (written under gen) and every library source fs's
 * build names by absolute path, with ta_arm_cflags, opt ("-O2"), gen and gen/tart/include and
 * fs's include folders and cflags, and "-include pre" for the file named pre_for (NULL: none).
 * Objects go to objdir, named after their path (tart/src/conv_s8.c -> tart_src_conv_s8.o, a
 * library's file -> lib_NAME.o), appended to objs (*n_objs of cap used). what: for messages. */
ta_status ta_arm_compile_fileset(ta_ctx *ctx, const ta_board *b, const ta_fileset *fs,
                                 const char *gen, const char *opt, const char *pre_for,
                                 const char *pre, const char *objdir, char **objs, int32_t *n_objs,
                                 int32_t cap, const char *what);

/* 64-bit FNV-1a of n bytes, continuing from h (start with 0xCBF29CE484222325). */
uint64_t ta_fnv1a64(uint64_t h, const void *data, size_t n);

/* The firmware/ sources embedded in tinyaot (path relative to firmware/), NULL-terminated. */
extern const ta_embedded_file ta_firmware_files[];

#endif
