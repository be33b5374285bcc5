/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tuneboard.c: a board running the tuning firmware (see ta_tune_device.h).
 *
 * One candidate after another runs on the same board, and a bad candidate must not end the
 * tuning: after any failure the board is brought back to a known state before the error is
 * returned. A fault is the common case: the firmware reports it and resets itself, so the host
 * drops what is left on the line and says HELLO again on the same connection. Anything else
 * (a candidate that never returns, a garbled answer, HELLO failing after a fault) restarts
 * QEMU, or, on a real board, reconnects and says HELLO (a board stuck in a loop needs its reset
 * button: the error says so). The loaded blob is forgotten at every recovery: the next run
 * writes it again.
 */
#define _DEFAULT_SOURCE
#include "ta_tune_device.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#define START_MS 20000
#define REPLY_MS 5000
#define RUN_MS 60000
#define QUIET_MS 200
#define HELLO_TRIES 3

struct ta_tune_board {
  ta_ctx *ctx;
  const ta_board *board;
  const char *device; /* NULL: QEMU */
  const char *peer;
  ta_firmware fw;
  const char *log_path;
  ta_qemu *q;
  ta_session *s;
  ta_fw_info info;
  char loaded[17]; /* hash of the blob in the code area ("" : none) */
  int32_t run_ms;  /* limit of one CALL */
};

static ta_status hello(ta_tune_board *tb) {
  ta_status st = ta_session_hello(tb->s, &tb->info);
  if (st != TA_OK)
    return st;
  if (!(tb->info.flags & TA_FW_F_TUNER))
    return ta_err(tb->ctx, TA_ERR_USAGE,
                  "%s does not run the tuning firmware (HELLO: protocol version %u, flags 0x%x): "
                  "flash the firmware/tuner.c build for %s",
                  tb->peer, tb->info.version, tb->info.flags, tb->board->target);
  if (tb->info.code_bytes == 0 || tb->info.tensor_bytes == 0)
    return ta_err(tb->ctx, TA_ERR_MALFORMED, "%s announces an empty code or tensor area", tb->peer);
  return TA_OK;
}

/* Start QEMU or connect, say HELLO; on QEMU check the timer against the instruction count. */
static ta_status connect_board(ta_tune_board *tb) {
  ta_status st = tb->device ? ta_session_connect(tb->ctx, tb->device, START_MS, &tb->s)
                            : ta_qemu_start(tb->ctx, tb->board, tb->fw.elf, tb->log_path, START_MS,
                                            &tb->q, &tb->s);
  if (st != TA_OK)
    return st;
  ta_session_limits lim = {REPLY_MS, tb->run_ms};
  ta_session_set_limits(tb->s, &lim);
  st = hello(tb);
  if (st != TA_OK || tb->device)
    return st;
  uint32_t ticks = 0, ipt = ta_board_insns_per_tick(tb->board);
  st = ta_session_calibrate(tb->s, TA_DEVICE_CALIB_ITERS, &ticks);
  uint64_t want = (uint64_t)TA_DEVICE_CALIB_ITERS * TA_FW_CAL_INSNS_PER_ITER;
  uint64_t got = (uint64_t)ticks * ipt;
  if (st == TA_OK && (got + ipt < want || got > want + 2 * ipt))
    st = ta_err(tb->ctx, TA_ERR_INTERNAL,
                "%s: calibration: %llu instructions took %u timer ticks, expected %llu", tb->peer,
                (unsigned long long)want, ticks, (unsigned long long)(want / ipt));
  return st;
}

static void disconnect(ta_tune_board *tb) {
  ta_session_close(tb->s);
  ta_qemu_stop(tb->q);
  tb->s = NULL;
  tb->q = NULL;
}

/* After a failed run: a board that faulted restarts by itself; else start over. */
static ta_status recover(ta_tune_board *tb) {
  tb->loaded[0] = '\0';
  if (tb->s && ta_session_faulted(tb->s)) {
    for (int i = 0; i < HELLO_TRIES; i++)
      if (ta_session_resync(tb->s, QUIET_MS) == TA_OK && hello(tb) == TA_OK)
        return TA_OK;
  }
  disconnect(tb);
  ta_status st = connect_board(tb);
  if (st != TA_OK && tb->device)
    ta_report(tb->ctx, TA_NOTE,
              "%s does not answer after a failed candidate: reset the board (its firmware "
              "resets itself only after a fault)",
              tb->device);
  return st;
}

ta_status ta_tune_board_open(ta_ctx *ctx, const ta_board *b, const char *device,
                             const char *work_dir, ta_tune_board **out, ta_fw_info *info) {
  *out = NULL;
  ta_tune_board *tb = ta_new(ctx, sizeof *tb);
  if (!tb)
    return TA_ERR_LIMIT;
  tb->ctx = ctx;
  tb->board = b;
  tb->run_ms = RUN_MS;
  tb->device = device ? ta_strdup(ctx, device) : NULL;
  tb->peer = device ? tb->device : ta_fmt(ctx, "QEMU %s (%s)", b->machine, b->target);
  if (!tb->peer)
    return TA_ERR_LIMIT;
  ta_status st = TA_OK;
  if (!device) {
    st = ta_fw_build_tuner(ctx, b, work_dir, &tb->fw);
    tb->log_path = ta_fmt(ctx, "%s/qemu-tuner-%s-%d.log", work_dir, b->target, (int)getpid());
    if (st == TA_OK && !tb->log_path)
      st = TA_ERR_LIMIT;
  }
  if (st == TA_OK)
    st = connect_board(tb);
  if (st != TA_OK) {
    ta_qemu_report_log(tb->q);
    disconnect(tb);
    return st;
  }
  if (info)
    *info = tb->info;
  *out = tb;
  return TA_OK;
}

static bool inside(uint32_t addr, size_t n, uint32_t base, uint32_t bytes) {
  return addr >= base && addr - base <= bytes && n <= (size_t)(bytes - (addr - base));
}

ta_status ta_tune_board_run(ta_tune_board *tb, const ta_blob *blob, uint32_t arg, const void *in,
                            size_t in_bytes, uint32_t in_addr, void *out, size_t out_bytes,
                            uint32_t out_addr, uint32_t repeat, ta_call_result *r) {
  ta_ctx *ctx = tb->ctx;
  const ta_fw_info *fi = &tb->info;
  memset(r, 0, sizeof *r);
  /* Requests the board would refuse are refused here, with the numbers, and cost nothing. */
  if (!inside(blob->load_addr, blob->bytes, fi->code_base, fi->code_bytes))
    return ta_err(ctx, TA_ERR_USAGE,
                  "blob %s: %zu bytes at 0x%08x do not fit the code area (0x%08x, %u bytes)",
                  blob->hash, blob->bytes, blob->load_addr, fi->code_base, fi->code_bytes);
  if (!inside(blob->entry & ~1u, 2, blob->load_addr, (uint32_t)blob->bytes))
    return ta_err(ctx, TA_ERR_USAGE, "blob %s: entry 0x%08x outside its image", blob->hash,
                  blob->entry);
  if (!inside(in_addr, in_bytes, fi->tensor_base, fi->tensor_bytes) ||
      !inside(out_addr, out_bytes, fi->tensor_base, fi->tensor_bytes))
    return ta_err(ctx, TA_ERR_USAGE,
                  "input (%zu bytes at 0x%08x) or output (%zu bytes at 0x%08x) outside the tensor "
                  "area (0x%08x, %u bytes)",
                  in_bytes, in_addr, out_bytes, out_addr, fi->tensor_base, fi->tensor_bytes);
  if (repeat == 0)
    return ta_err(ctx, TA_ERR_USAGE, "a run needs at least one call (repeat 0)");
  ta_status st = tb->s ? TA_OK : recover(tb);
  if (st == TA_OK && strcmp(tb->loaded, blob->hash) != 0) {
    tb->loaded[0] = '\0';
    st = ta_session_write_mem(tb->s, blob->load_addr, blob->image, blob->bytes);
    if (st == TA_OK)
      memcpy(tb->loaded, blob->hash, sizeof tb->loaded);
  }
  if (st == TA_OK && in_bytes)
    st = ta_session_write_mem(tb->s, in_addr, in, in_bytes);
  if (st == TA_OK)
    st = ta_session_call(tb->s, blob->entry, arg, repeat, r);
  if (st == TA_OK && out_bytes)
    st = ta_session_read_mem(tb->s, out_addr, out, out_bytes);
  if (st != TA_OK && tb->s) {
    /* The error is reported already; bring the board back for the next candidate. */
    if (recover(tb) != TA_OK)
      ta_report(ctx, TA_NOTE, "%s: could not restore the board after the failure", tb->peer);
  }
  return st;
}

void ta_tune_board_close(ta_tune_board *tb) {
  if (tb)
    disconnect(tb);
}

void ta_tune_board_set_run_limit(ta_tune_board *tb, int32_t run_ms) {
  tb->run_ms = run_ms > 0 ? run_ms : RUN_MS;
  if (tb->s) {
    ta_session_limits lim = {REPLY_MS, tb->run_ms};
    ta_session_set_limits(tb->s, &lim);
  }
}

uint32_t ta_tune_board_insns_per_tick(const ta_tune_board *tb) {
  return tb->device ? 1u : ta_board_insns_per_tick(tb->board);
}
