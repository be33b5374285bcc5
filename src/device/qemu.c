/* SPDX-License-Identifier: Apache-2.0 */
/*
 * qemu.c: boards emulated by qemu-system-arm, and one inference on a device (see
 * ta_session.h).
 *
 * QEMU is started with `-icount shift=0`: its virtual clock then advances exactly one
 * nanosecond per executed guest instruction, so a timer clocked at F Hz ticks once every
 * 1e9 / F instructions, whatever the host's speed or load. Its UART0 is a TCP client of a
 * socket we listen on (127.0.0.1, a port the kernel picks), so the host talks to the
 * emulator exactly as to a real board behind a network bridge. The child dies with us
 * (PR_SET_PDEATHSIG) and is killed on every exit path of ta_device_run.
 */
#define _GNU_SOURCE
#include "ta_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ta_fw_proto.h"

#define DEFAULT_RUN_TIMEOUT_S 600
#define START_MS 20000
#define REPLY_MS 20000

struct ta_qemu {
  ta_ctx *ctx;
  pid_t pid;
  const char *log_path;
  const ta_board *board;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ta_qemu_stop(ta_qemu *q) {
  if (!q || q->pid <= 0)
    return;
  kill(q->pid, SIGKILL);
  while (waitpid(q->pid, NULL, 0) < 0 && errno == EINTR) {
  }
  q->pid = -1;
}

void ta_qemu_report_log(ta_qemu *q) {
  if (!q || !q->log_path)
    return;
  FILE *f = fopen(q->log_path, "rb");
  if (!f)
    return;
  char buf[2048];
  long size = 0;
  if (fseek(f, 0, SEEK_END) == 0)
    size = ftell(f);
  long from = size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0;
  size_t n = 0;
  if (fseek(f, from, SEEK_SET) == 0)
    n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    n--;
  buf[n] = '\0';
  if (n > 0)
    ta_report(q->ctx, TA_NOTE, "QEMU (%s) output%s:\n%s", q->board->machine,
              from > 0 ? ", last part" : "", buf);
}

ta_status ta_qemu_start(ta_ctx *ctx, const ta_board *b, const char *elf, const char *log_path,
                        int32_t start_ms, ta_qemu **out_q, ta_session **out_s) {
  *out_q = NULL;
  *out_s = NULL;
  ta_qemu *q = ta_new(ctx, sizeof *q);
  if (!q)
    return TA_ERR_LIMIT;
  q->ctx = ctx;
  q->pid = -1;
  q->board = b;
  q->log_path = ta_strdup(ctx, log_path);

  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0)
    return ta_err(ctx, TA_ERR_IO, "socket: %s", strerror(errno));
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof addr;
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 1) != 0 ||
      getsockname(ls, (struct sockaddr *)&addr, &alen) != 0) {
    int e = errno;
    close(ls);
    return ta_err(ctx, TA_ERR_IO, "cannot listen on 127.0.0.1: %s", strerror(e));
  }
  unsigned port = ntohs(addr.sin_port);

  const char *env_q = getenv("TA_QEMU");
  char *qemu = (char *)(uintptr_t)(env_q && *env_q ? env_q : "qemu-system-arm");
  char *serial = ta_fmt(ctx, "tcp:127.0.0.1:%u", port);
  char *argv[] = {qemu,         "-machine", (char *)(uintptr_t)b->machine,
                  "-nographic", "-monitor", "none",
                  "-serial",    serial,     "-icount",
                  "shift=0",    "-kernel",  (char *)(uintptr_t)elf,
                  NULL};
  int logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (!serial || logfd < 0) {
    close(ls);
    if (logfd >= 0)
      close(logfd);
    return serial ? ta_err(ctx, TA_ERR_IO, "cannot create '%s': %s", log_path, strerror(errno))
                  : TA_ERR_LIMIT;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(ls);
    close(logfd);
    return ta_err(ctx, TA_ERR_IO, "fork: %s", strerror(e));
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
      _exit(126);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      dup2(devnull, 0);
    dup2(logfd, 1);
    dup2(logfd, 2);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(logfd);
  q->pid = pid;
  *out_q = q;

  int64_t deadline = now_ms() + start_ms;
  int conn = -1;
  ta_status st = TA_OK;
  while (conn < 0 && st == TA_OK) {
    struct pollfd pf = {ls, POLLIN, 0};
    if (poll(&pf, 1, 50) == 1) {
      conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
      if (conn < 0 && errno != EINTR && errno != EAGAIN)
        st = ta_err(ctx, TA_ERR_IO, "accept: %s", strerror(errno));
      continue;
    }
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      q->pid = -1;
      int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (code == 127)
        st = ta_err(ctx, TA_ERR_IO,
                    "cannot run '%s': install the Debian package "
                    "qemu-system-arm (sh scripts/install-deps.sh)",
                    qemu);
      else
        st = ta_err(ctx, TA_ERR_IO,
                    "QEMU (%s) exited with code %d before the board "
                    "connected",
                    b->machine, code);
      ta_qemu_report_log(q);
    } else if (now_ms() > deadline) {
      st = ta_err(ctx, TA_ERR_IO, "QEMU (%s) did not connect its UART within %d ms", b->machine,
                  start_ms);
      ta_qemu_report_log(q);
    }
  }
  close(ls);
  if (st != TA_OK) {
    if (conn >= 0)
      close(conn);
    ta_qemu_stop(q);
    return st;
  }
  char *peer = ta_fmt(ctx, "QEMU %s (%s)", b->machine, b->target);
  return ta_session_open_fd(ctx, conn, peer ? peer : "QEMU", out_s);
}

ta_status ta_device_read_inputs(ta_graph *g, const char *const *paths, int32_t n_paths,
                                uint8_t **data) {
  ta_ctx *ctx = g->ctx;
  if (n_paths != g->n_inputs)
    return ta_err(ctx, TA_ERR_USAGE, "the model has %d input%s, but %d --input file%s given",
                  g->n_inputs, g->n_inputs == 1 ? "" : "s", n_paths,
                  n_paths == 1 ? " was" : "s were");
  ta_status st = TA_OK;
  for (int32_t k = 0; k < g->n_inputs; k++) {
    const ta_tensor *t = &g->tensors[g->inputs[k]];
    size_t want = 0, len = 0;
    ta_tensor_bytes(t, &want);
    char shape[96];
    const char *file = ctx->file;
    ctx->file = NULL;
    ta_status s = ta_read_file(ctx, paths[k], &data[k], &len);
    ctx->file = file;
    const uint8_t *bytes = NULL;
    /* A .npy array: its data, moved to the front (its header checked against the input). */
    if (s == TA_OK &&
        (s = ta_tensor_file_data(ctx, paths[k], data[k], len, t, &bytes, &len)) == TA_OK)
      memmove(data[k], bytes, len);
    if (s != TA_OK)
      st = s;
    else if (len != want)
      st = ta_err(ctx, TA_ERR_USAGE,
                  "input %d: '%s' has %zu bytes, but model input %d \"%s\" (%s %s) needs %zu", k,
                  paths[k], len, k, t->name, ta_dtype_name(t->dtype),
                  ta_shape_str(t, shape, sizeof shape), want);
  }
  return st;
}

/* The board must run this model: same generated code, same tensor sizes. */
static ta_status check_hello(ta_graph *g, const ta_firmware *fw, const ta_fw_info *info,
                             const char *peer) {
  ta_ctx *ctx = g->ctx;
  if (info->model_id != fw->model_id)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s runs a different model (id 0x%08x, expected 0x%08x): "
                  "flash the firmware built for this model",
                  peer, info->model_id, fw->model_id);
  if (info->n_inputs != g->n_inputs || info->n_outputs != g->n_outputs || info->n_ops != g->n_ops)
    return ta_err(ctx, TA_ERR_INTERNAL,
                  "%s reports %d inputs, %d outputs, %d ops; the model "
                  "has %d, %d, %d",
                  peer, info->n_inputs, info->n_outputs, info->n_ops, g->n_inputs, g->n_outputs,
                  g->n_ops);
  for (int32_t k = 0; k < g->n_inputs + g->n_outputs; k++) {
    bool in = k < g->n_inputs;
    int32_t j = in ? k : k - g->n_inputs;
    size_t want = 0;
    ta_tensor_bytes(&g->tensors[in ? g->inputs[j] : g->outputs[j]], &want);
    uint32_t got = in ? info->input_bytes[j] : info->output_bytes[j];
    if (got != want)
      return ta_err(ctx, TA_ERR_INTERNAL,
                    "%s: %s %d has %u bytes on the board, %zu in the "
                    "model",
                    peer, in ? "input" : "output", j, got, want);
  }
  return TA_OK;
}

ta_status ta_device_open(ta_graph *g, const ta_firmware *fw, const ta_device_options *opt,
                         ta_device_link *d) {
  ta_ctx *ctx = g->ctx;
  memset(d, 0, sizeof *d);
  if (g->n_inputs > TA_SESSION_MAX_IO || g->n_outputs > TA_SESSION_MAX_IO)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "at most %d inputs and outputs on a device",
                  TA_SESSION_MAX_IO);
  ta_status st;
  if (opt->device) {
    st = ta_session_connect(ctx, opt->device, START_MS, &d->s);
  } else {
    const char *log = opt->log_path ? opt->log_path : ta_fmt(ctx, "%s/qemu.log", fw->dir);
    st = log ? ta_qemu_start(ctx, fw->board, fw->elf, log, START_MS, &d->q, &d->s) : TA_ERR_LIMIT;
  }
  if (st != TA_OK)
    return st;
  int32_t run_s = opt->run_timeout_s > 0 ? opt->run_timeout_s : DEFAULT_RUN_TIMEOUT_S;
  ta_session_limits lim = {REPLY_MS, run_s * 1000};
  ta_session_set_limits(d->s, &lim);
  d->peer = opt->device ? opt->device : fw->board->machine;
  st = ta_session_hello(d->s, &d->info);
  if (st == TA_OK)
    st = check_hello(g, fw, &d->info, d->peer);
  if (st != TA_OK)
    ta_device_close(d, true);
  return st;
}

void ta_device_close(ta_device_link *d, bool failed) {
  if (failed && d->q) {
    /* Give QEMU a moment to print why it stopped (a lockup, a bad image). */
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    ta_qemu_stop(d->q);
    ta_qemu_report_log(d->q);
  }
  ta_session_close(d->s);
  ta_qemu_stop(d->q);
  d->s = NULL;
  d->q = NULL;
}

ta_status ta_device_run(ta_graph *g, const ta_firmware *fw, const void *const *inputs,
                        const ta_device_options *opt, ta_device_result *r) {
  ta_ctx *ctx = g->ctx;
  memset(r, 0, sizeof *r);
  if (g->n_inputs > TA_SESSION_MAX_IO || g->n_outputs > TA_SESSION_MAX_IO)
    return ta_err(ctx, TA_ERR_UNSUPPORTED, "at most %d inputs and outputs on a device",
                  TA_SESSION_MAX_IO);
  r->insns_per_tick = opt->device ? 1 : ta_board_insns_per_tick(fw->board);
  ta_device_link d;
  ta_status st = ta_device_open(g, fw, opt, &d);
  if (st != TA_OK)
    return st;
  ta_session *s = d.s;
  const char *peer = d.peer;
  ta_fw_info info = d.info;
  st = ta_session_calibrate(s, TA_DEVICE_CALIB_ITERS, &r->calib_ticks);
  /* On QEMU, a known number of instructions must take exactly the ticks the board table
   * predicts (give or take one tick and the timer reads): otherwise the instruction figures
   * would be wrong. A real board's timer counts cycles, which is reported as is. */
  uint64_t cal_insns = (uint64_t)TA_DEVICE_CALIB_ITERS * TA_FW_CAL_INSNS_PER_ITER;
  uint64_t cal_got = (uint64_t)r->calib_ticks * r->insns_per_tick;
  if (st == TA_OK && !opt->device &&
      (cal_got + r->insns_per_tick < cal_insns || cal_got > cal_insns + 2 * r->insns_per_tick))
    st = ta_err(ctx, TA_ERR_INTERNAL,
                "%s: calibration: %llu instructions took %u timer ticks, "
                "expected %llu: the timer does not follow QEMU's instruction count",
                peer, (unsigned long long)cal_insns, r->calib_ticks,
                (unsigned long long)(cal_insns / r->insns_per_tick));
  for (int32_t k = 0; k < g->n_inputs && st == TA_OK; k++)
    st = ta_session_load_input(s, k, inputs[k], info.input_bytes[k]);
  int32_t repeat = opt->repeat > 0 ? opt->repeat : 1;
  r->repeats_identical = true;
  for (int32_t i = 0; i < repeat && st == TA_OK; i++) {
    int32_t model_status = 0;
    uint32_t ticks = 0;
    st = ta_session_run(s, false, &model_status, &ticks);
    if (st == TA_OK && model_status != 0)
      st = ta_err(ctx, TA_ERR_INTERNAL, "%s: the model's run function returned %d on the board",
                  peer, model_status);
    if (st != TA_OK)
      break;
    if (i == 0)
      r->ticks = ticks;
    if (ticks != r->ticks)
      r->repeats_identical = false;
    for (int32_t k = 0; k < g->n_outputs && st == TA_OK; k++) {
      size_t n = info.output_bytes[k];
      uint8_t *buf = ta_new(ctx, n ? n : 1);
      if (!buf) {
        st = TA_ERR_LIMIT;
        break;
      }
      st = ta_session_read_output(s, k, buf, n);
      if (i == 0) {
        r->outputs[k] = buf;
        r->output_bytes[k] = n;
      } else if (st == TA_OK && memcmp(buf, r->outputs[k], n) != 0) {
        r->repeats_identical = false;
      }
    }
  }
  r->instructions = (uint64_t)r->ticks * r->insns_per_tick;
  if (st == TA_OK && opt->per_layer) {
    int32_t model_status = 0;
    st = ta_session_run(s, true, &model_status, &r->profiled_ticks);
    if (st == TA_OK && model_status != 0)
      st = ta_err(ctx, TA_ERR_INTERNAL, "%s: the model's run function returned %d on the board",
                  peer, model_status);
    r->layer_ticks = ta_new_array(ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof(uint32_t));
    if (st == TA_OK && !r->layer_ticks)
      st = TA_ERR_LIMIT;
    if (st == TA_OK)
      st = ta_session_profile(s, g->n_ops, r->layer_ticks);
    r->layer_accel = ta_new_array(ctx, (size_t)(g->n_ops ? g->n_ops : 1), sizeof(uint32_t));
    if (st == TA_OK && !r->layer_accel)
      st = TA_ERR_LIMIT;
    if (st == TA_OK)
      st = ta_session_accel(s, g->n_ops, r->layer_accel);
  }
  if (st == TA_OK)
    st = ta_session_memstats(s, &r->mem);
  if (st == TA_OK && r->mem.stack_used >= r->mem.stack_size)
    st = ta_err(ctx, TA_ERR_LIMIT, "%s: the stack (%u bytes) overflowed during the run", peer,
                r->mem.stack_size);
  ta_device_close(&d, st != TA_OK);
  return st;
}
