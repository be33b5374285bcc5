/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_tune_device.h: the device side of tuning (issue 13): code blobs built for a board's RAM
 * and a tuning board that loads and calls them.
 *
 * A blob is a set of C sources (a generated model library with its tart/ runtime, or a single
 * kernel, plus a wrapper defining `int32_t ENTRY(uint32_t arg)`) compiled with
 * arm-none-eabi-gcc into one contiguous image linked at the board's code area: text, rodata,
 * data and bss (as zeros) all in it, no startup code, so writing the image is the whole load.
 * A tuning board is a board running the tuning firmware (firmware/tuner.c): QEMU started by
 * tinyaot, or a real board reached with `--device`. It keeps one blob loaded; running a
 * candidate writes its input into the tensor area, calls the entry `repeat` times and reads
 * the output back. A fault or a silent board is an error, after which the board is reset (QEMU
 * restarted, a real board resets itself) so the next candidate runs.
 */
#ifndef TA_TUNE_DEVICE_H
#define TA_TUNE_DEVICE_H

#include "ta_session.h"

typedef struct ta_blob {
  uint8_t *image; /* bytes to write at load_addr (in the ctx arena) */
  size_t bytes;
  uint32_t load_addr;
  uint32_t entry; /* the entry symbol's address, Thumb bit set */
  char hash[17];  /* 16 hex digits: sources, flags, board, address */
} ta_blob;

/* Build every .c of fs (include folders: fs's root and tart/include, plus fs->build's) with
 * $TA_ARM_CC (default arm-none-eabi-gcc), -O2 and the board's CPU flags, linked at code_base
 * into one image; entry_symbol names the entry function. cache_dir (created if missing; NULL:
 * no cache) keeps each image under its hash, so the same sources are built once. A compile
 * error is reported with the compiler's output; an image above code_bytes is an error naming
 * both sizes. */
ta_status ta_blob_build(ta_ctx *ctx, const ta_board *b, const ta_fileset *fs,
                        const char *entry_symbol, uint32_t code_base, uint32_t code_bytes,
                        const char *cache_dir, ta_blob *out);

typedef struct ta_tune_board ta_tune_board;

/* device NULL: build the tuning firmware for b once (cached under work_dir) and start QEMU on
 * it; else connect to the endpoint (ta_session_connect) of a board flashed with it. work_dir:
 * an existing folder for the firmware and QEMU's log. Says HELLO and checks TA_FW_F_TUNER;
 * info (may be NULL) gets the HELLO answer (code and tensor areas). */
ta_status ta_tune_board_open(ta_ctx *ctx, const ta_board *b, const char *device,
                             const char *work_dir, ta_tune_board **tb, ta_fw_info *info);
/* Load blob unless the same hash is loaded, write in (in_bytes) at in_addr, call the entry
 * with arg `repeat` times, read out_bytes at out_addr into out. A fault or a silent board is
 * an error naming pc/reason; the board is then reset so tb stays usable. */
ta_status ta_tune_board_run(ta_tune_board *tb, const ta_blob *blob, uint32_t arg, const void *in,
                            size_t in_bytes, uint32_t in_addr, void *out, size_t out_bytes,
                            uint32_t out_addr, uint32_t repeat, ta_call_result *r);
void ta_tune_board_close(ta_tune_board *tb);
/* The longest one CALL (all its repeats) may take before the board counts as hung (default
 * 60 s; run_ms <= 0 restores it). */
void ta_tune_board_set_run_limit(ta_tune_board *tb, int32_t run_ms);
/* Instructions per timer tick: QEMU's 1e9 / clock (ta_board_insns_per_tick); 1 for a real
 * board, whose timer counts clock cycles. */
uint32_t ta_tune_board_insns_per_tick(const ta_tune_board *tb);

#endif
