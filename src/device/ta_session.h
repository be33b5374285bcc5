/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_session.h: talking to a board that runs the tinyaot firmware (the "micro session").
 *
 * One code path serves an emulated and a real board: a session is a file descriptor to a
 * byte stream (a TCP socket: QEMU's UART, or a board behind a network bridge; or a serial
 * device), and the framed, checksummed protocol of firmware/ta_fw_proto.h on top. Every wait
 * has a deadline: a silent board, a corrupted or truncated frame, a wrong checksum or an
 * answer out of sequence ends the call with a message naming the peer and what was expected,
 * and the session is then unusable (later calls fail at once).
 *
 * qemu.c starts qemu-system-arm with the board's UART connected to a socket this process
 * listens on (QEMU connects as a client), and runs a whole inference on a device.
 */
#ifndef TA_SESSION_H
#define TA_SESSION_H

#include "ta_board.h"
#include "ta_fw_proto.h" /* TA_FW_F_TUNER and the protocol constants */

#define TA_SESSION_MAX_IO 16

typedef struct ta_session ta_session;

/* Deadlines in milliseconds for one answer: RUN's, and every other. */
typedef struct ta_session_limits {
  int32_t reply_ms;
  int32_t run_ms;
} ta_session_limits;

/* Take ownership of fd (any byte stream; made non-blocking). peer names it in messages. */
ta_status ta_session_open_fd(ta_ctx *ctx, int fd, const char *peer, ta_session **s);
/* Connect to "tcp:HOST:PORT", or open a serial device "PATH" or "PATH@BAUD" (raw 8N1,
 * 115200 baud unless told). */
ta_status ta_session_connect(ta_ctx *ctx, const char *where, int32_t connect_ms, ta_session **s);
void ta_session_set_limits(ta_session *s, const ta_session_limits *lim);
/* Close the descriptor (idempotent; s may be NULL). */
void ta_session_close(ta_session *s);

typedef struct ta_fw_info {
  uint32_t version, max_payload, model_id, arena_bytes, timer_hz;
  int32_t n_inputs, n_outputs, n_ops;
  uint32_t input_bytes[TA_SESSION_MAX_IO];
  uint32_t output_bytes[TA_SESSION_MAX_IO];
  /* Protocol version 2 appends these to HELLO; all 0 for a model firmware (and for a
   * version 1 firmware). A tuning firmware (TA_FW_F_TUNER) has no model: it loads code into
   * its code area and tensors into its tensor area (WRITE), calls code there (CALL) and reads
   * memory back (READMEM). */
  uint32_t flags;
  uint32_t code_base, code_bytes;
  uint32_t tensor_base, tensor_bytes;
} ta_fw_info;

typedef struct ta_fw_memstats {
  uint32_t arena_bytes;
  uint32_t stack_size;     /* reserved */
  uint32_t stack_used;     /* deepest use from the stack top, since the last RUN began */
  uint32_t run_stack_used; /* deepest use below the SP at the NAME_run call, last RUN */
  uint32_t data_bytes, bss_bytes;
} ta_fw_memstats;

ta_status ta_session_hello(ta_session *s, ta_fw_info *info);
/* Send input k (n bytes) in chunks. */
ta_status ta_session_load_input(ta_session *s, int32_t k, const void *data, size_t n);
/* Run once; per_layer turns the per-layer timer on. *ticks: timer ticks of NAME_run. */
ta_status ta_session_run(ta_session *s, bool per_layer, int32_t *model_status, uint32_t *ticks);
/* Read output k of the last run (n bytes: all of it). */
ta_status ta_session_read_output(ta_session *s, int32_t k, void *buf, size_t n);
/* Ticks of each of the n_ops layers of the last per-layer run. */
ta_status ta_session_profile(ta_session *s, int32_t n_ops, uint32_t *ticks);
ta_status ta_session_memstats(ta_session *s, ta_fw_memstats *m);
/* Ticks taken by TA_FW_CAL_INSNS_PER_ITER * iterations instructions. */
ta_status ta_session_calibrate(ta_session *s, uint32_t iterations, uint32_t *ticks);

/* The tuning session (a firmware with TA_FW_F_TUNER in its HELLO flags; see ta_fw_proto.h).
 * Addresses are the board's; each range must lie inside the code area or the tensor area
 * announced by HELLO, else the board answers TA_FW_E_RANGE. Data moves in chunks of at most
 * max_payload bytes. */
ta_status ta_session_write_mem(ta_session *s, uint32_t addr, const void *data, size_t n);
ta_status ta_session_read_mem(ta_session *s, uint32_t addr, void *buf, size_t n);

/* One CALL: the board runs int32_t entry(uint32_t arg) `repeat` times back to back and times
 * each call with its timer (and the DWT cycle counter where one counts: has_cycles). */
typedef struct ta_call_result {
  int32_t ret;          /* of the last call */
  uint32_t batch_ticks; /* all repeat calls */
  uint32_t min_ticks;   /* the fastest call */
  bool has_cycles;      /* the cycle counts below are valid */
  uint32_t batch_cycles, min_cycles;
} ta_call_result;
/* entry: a Thumb address (bit 0 set) inside the code area; repeat >= 1. The deadline is the
 * session's run limit. A fault during the calls ends with an error naming the exception and
 * pc (the board then resets itself; the session is unusable: open a new one). */
ta_status ta_session_call(ta_session *s, uint32_t entry, uint32_t arg, uint32_t repeat,
                          ta_call_result *r);

/* The session failed on the board's fault report (TA_FW_T_FAULT). */
bool ta_session_faulted(const ta_session *s);
/* Make a failed session usable again: drop whatever arrives until the line has been quiet for
 * quiet_ms. For a board that restarted (the tuning firmware resets itself after a fault); the
 * next call should be HELLO. */
ta_status ta_session_resync(ta_session *s, int32_t quiet_ms);

/* CRC-32 of the protocol (zlib's), continuing from crc (start with 0). */
uint32_t ta_session_crc32(uint32_t crc, const void *data, size_t n);

typedef struct ta_qemu ta_qemu;

/* Start qemu-system-arm ($TA_QEMU, default qemu-system-arm) for board b on elf, with
 * `-icount shift=0` and UART0 connected to 127.0.0.1:<free port>, and wait up to start_ms
 * for it to connect. QEMU's own output goes to log_path. The child is killed if this process
 * dies (PR_SET_PDEATHSIG) and by ta_qemu_stop. */
ta_status ta_qemu_start(ta_ctx *ctx, const ta_board *b, const char *elf, const char *log_path,
                        int32_t start_ms, ta_qemu **q, ta_session **s);
/* Kill QEMU and reap it (idempotent; q may be NULL). */
void ta_qemu_stop(ta_qemu *q);
/* After a failure: report QEMU's output (if any) as a note. */
void ta_qemu_report_log(ta_qemu *q);

typedef struct ta_device_options {
  const char *device;    /* NULL: start QEMU; else a ta_session_connect endpoint */
  bool per_layer;        /* one more run with per-layer timing, read back per layer */
  int32_t repeat;        /* runs without per-layer timing (>= 1); all must agree */
  int32_t run_timeout_s; /* limit for one RUN (0: 600 s) */
  const char *log_path;  /* QEMU's output (NULL: in fw->dir) */
} ta_device_options;

typedef struct ta_device_result {
  /* QEMU: instructions per timer tick (1e9 / clock). A real board's timer counts clock
   * cycles: then 1, and the "instructions" below are cycles. */
  uint32_t insns_per_tick;
  uint32_t ticks;          /* first run without per-layer timing */
  uint64_t instructions;   /* ticks * insns_per_tick */
  uint32_t calib_ticks;    /* CALIBRATE of TA_DEVICE_CALIB_ITERS iterations */
  bool repeats_identical;  /* every unprofiled run gave the same ticks and outputs */
  uint32_t *layer_ticks;   /* n_ops entries (per_layer), else NULL */
  uint32_t profiled_ticks; /* whole run with per-layer timing on */
  uint8_t *outputs[TA_SESSION_MAX_IO];
  size_t output_bytes[TA_SESSION_MAX_IO];
  ta_fw_memstats mem;
} ta_device_result;

#define TA_DEVICE_CALIB_ITERS 100000u

/* Read one raw file per graph input, checking the count and each size against the model
 * (messages name the file and the tensor). data[k] is allocated in g's context. */
ta_status ta_device_read_inputs(ta_graph *g, const char *const *paths, int32_t n_paths,
                                uint8_t **data);

/* An open link to a board running fw's model, for many inferences in one session. */
typedef struct ta_device_link {
  ta_qemu *q; /* NULL for a device reached by ta_session_connect */
  ta_session *s;
  const char *peer; /* for messages */
  ta_fw_info info;
} ta_device_link;
/* Start QEMU (or connect to opt->device), say HELLO and check that the board runs this very
 * model with the model's input and output sizes. */
ta_status ta_device_open(ta_graph *g, const ta_firmware *fw, const ta_device_options *opt,
                         ta_device_link *d);
/* Close the session and stop QEMU; after a failure (failed), QEMU's log is reported first. */
void ta_device_close(ta_device_link *d, bool failed);

/* Run one inference of fw's model on a device: start QEMU (or connect), check the firmware
 * is this model's, load the inputs, run, read outputs and counts. Everything lives in g's
 * context. A non-zero NAME_run status is an error. */
ta_status ta_device_run(ta_graph *g, const ta_firmware *fw, const void *const *inputs,
                        const ta_device_options *opt, ta_device_result *r);

/* Stream n records through an open link to a one-input, one-output model: record k is
 * inputs[k * in_bytes ...]; each run's output (out_bytes, into out) and its instructions
 * (timer ticks x the board's instructions per tick) go to each(user, k, out, instructions),
 * which may stop the loop with a status. A non-zero NAME_run status is an error naming the
 * record. */
typedef ta_status (*ta_device_record_fn)(void *user, int64_t k, const uint8_t *out,
                                         uint64_t instructions);
ta_status ta_device_run_records(ta_ctx *ctx, ta_device_link *d, const ta_board *b,
                                const uint8_t *inputs, size_t in_bytes, int64_t n, uint8_t *out,
                                size_t out_bytes, ta_device_record_fn each, void *user);

/* Flash of a firmware: text + rodata + data; of the model alone (its code, weights and the
 * runtime kernels it uses, as linked). */
uint64_t ta_fw_flash_bytes(const ta_fw_sizes *s);
uint64_t ta_fw_model_flash_bytes(const ta_fw_sizes *s);
/* RAM of a run: arena + stack high-water + data + bss. */
uint64_t ta_fw_ram_bytes(const ta_fw_sizes *s, const ta_fw_memstats *m);

#endif
