/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c: the host side of the device session (protocol: firmware/ta_fw_proto.h).
 *
 * The central rule: nothing blocks without a deadline. The descriptor is non-blocking and
 * every read and write goes through poll() with the time left until the call's deadline, so
 * a board that stops answering, a half-sent frame or a peer that accepts and stays silent
 * ends the call with an error after at most the configured limit. Frames from the board are
 * checked field by field (sync, type, sequence, length, CRC) before their payload is used.
 */
#define _DEFAULT_SOURCE
#include "ta_session.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ta_fw_proto.h"

#define DEFAULT_REPLY_MS 10000
#define DEFAULT_RUN_MS 600000

struct ta_session {
  ta_ctx *ctx;
  int fd;
  bool is_socket; /* send with MSG_NOSIGNAL: a peer that hangs up must not kill us (SIGPIPE) */
  const char *peer;
  uint8_t seq;
  bool broken;  /* an earlier call failed: the stream may be out of step */
  bool faulted; /* that failure was the board's fault report */
  ta_session_limits lim;
  uint8_t frame[TA_FW_HEADER_BYTES + TA_FW_MAX_PAYLOAD + TA_FW_CRC_BYTES];
  size_t payload_len;   /* of the last answer */
  uint32_t max_payload; /* the board's, from HELLO (0: not said yet) */
};

uint32_t ta_session_crc32(uint32_t crc, const void *data, size_t n) {
  const uint8_t *p = data;
  crc = ~crc;
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *cmd_name(uint32_t c) {
  switch (c) {
  case TA_FW_C_HELLO: return "HELLO";
  case TA_FW_C_LOAD: return "LOAD";
  case TA_FW_C_RUN: return "RUN";
  case TA_FW_C_READ: return "READ";
  case TA_FW_C_PROFILE: return "PROFILE";
  case TA_FW_C_MEMSTATS: return "MEMSTATS";
  case TA_FW_C_CALIBRATE: return "CALIBRATE";
  case TA_FW_C_WRITE: return "WRITE";
  case TA_FW_C_READMEM: return "READMEM";
  case TA_FW_C_CALL: return "CALL";
  default: return "?";
  }
}

ta_status ta_session_open_fd(ta_ctx *ctx, int fd, const char *peer, ta_session **out) {
  ta_session *s = ta_new(ctx, sizeof *s);
  if (!s) {
    close(fd);
    return TA_ERR_LIMIT;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
    int e = errno;
    close(fd);
    return ta_err(ctx, TA_ERR_IO, "%s: cannot make the connection non-blocking: %s", peer,
                  strerror(e));
  }
  int type;
  socklen_t tlen = sizeof type;
  s->ctx = ctx;
  s->fd = fd;
  s->is_socket = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0;
  s->peer = ta_strdup(ctx, peer);
  s->lim = (ta_session_limits){DEFAULT_REPLY_MS, DEFAULT_RUN_MS};
  *out = s;
  return s->peer ? TA_OK : TA_ERR_LIMIT;
}

void ta_session_set_limits(ta_session *s, const ta_session_limits *lim) {
  if (lim->reply_ms > 0)
    s->lim.reply_ms = lim->reply_ms;
  if (lim->run_ms > 0)
    s->lim.run_ms = lim->run_ms;
}

void ta_session_close(ta_session *s) {
  if (!s || s->fd < 0)
    return;
  close(s->fd);
  s->fd = -1;
}

static ta_status open_tcp(ta_ctx *ctx, const char *hostport, int32_t connect_ms, int *fd_out) {
  char host[256];
  const char *colon = strrchr(hostport, ':');
  if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host || !colon[1])
    return ta_err(ctx, TA_ERR_USAGE, "'tcp:%s': expected tcp:HOST:PORT", hostport);
  memcpy(host, hostport, (size_t)(colon - hostport));
  host[colon - hostport] = '\0';
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host, colon + 1, &hints, &res);
  if (rc != 0)
    return ta_err(ctx, TA_ERR_IO, "tcp:%s: cannot resolve: %s", hostport, gai_strerror(rc));
  ta_status st = TA_ERR_IO;
  int err = 0;
  for (struct addrinfo *ai = res; ai && st != TA_OK; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      err = errno;
      close(fd);
      continue;
    }
    struct pollfd p = {fd, POLLOUT, 0};
    int n = poll(&p, 1, connect_ms);
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) {
      *fd_out = fd;
      st = TA_OK;
    } else {
      err = n == 0 ? ETIMEDOUT : soerr ? soerr : errno;
      close(fd);
    }
  }
  freeaddrinfo(res);
  if (st != TA_OK)
    return ta_err(ctx, TA_ERR_IO, "tcp:%s: cannot connect: %s", hostport, strerror(err));
  return TA_OK;
}

static speed_t baud_constant(long baud) {
  switch (baud) {
  case 9600: return B9600;
  case 19200: return B19200;
  case 38400: return B38400;
  case 57600: return B57600;
  case 115200: return B115200;
  case 230400: return B230400;
  case 460800: return B460800;
  case 921600: return B921600;
  default: return 0;
  }
}

static ta_status open_serial(ta_ctx *ctx, const char *where, int *fd_out) {
  char path[4096];
  long baud = 115200;
  const char *at = strrchr(where, '@');
  size_t n = at ? (size_t)(at - where) : strlen(where);
  if (n >= sizeof path)
    return ta_err(ctx, TA_ERR_USAGE, "device path too long");
  memcpy(path, where, n);
  path[n] = '\0';
  if (at)
    baud = strtol(at + 1, NULL, 10);
  speed_t sp = baud_constant(baud);
  if (!sp)
    return ta_err(ctx, TA_ERR_USAGE,
                  "%s: unsupported baud rate '%s' (9600 ... 921600, standard rates only)", path,
                  at + 1);
  int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return ta_err(ctx, TA_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
  struct termios t;
  if (tcgetattr(fd, &t) != 0) {
    int e = errno;
    close(fd);
    return ta_err(ctx, TA_ERR_IO,
                  "'%s' is not a serial device (%s); for a network endpoint "
                  "write tcp:HOST:PORT",
                  path, strerror(e));
  }
  cfmakeraw(&t);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_cflag &= ~(tcflag_t)(CSTOPB | CRTSCTS | PARENB);
  cfsetispeed(&t, sp);
  cfsetospeed(&t, sp);
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  if (tcsetattr(fd, TCSANOW, &t) != 0) {
    int e = errno;
    close(fd);
    return ta_err(ctx, TA_ERR_IO, "%s: cannot configure the serial line: %s", path, strerror(e));
  }
  tcflush(fd, TCIOFLUSH);
  *fd_out = fd;
  return TA_OK;
}

ta_status ta_session_connect(ta_ctx *ctx, const char *where, int32_t connect_ms, ta_session **s) {
  int fd = -1;
  ta_status st = strncmp(where, "tcp:", 4) == 0 ? open_tcp(ctx, where + 4, connect_ms, &fd)
                                                : open_serial(ctx, where, &fd);
  if (st != TA_OK)
    return st;
  return ta_session_open_fd(ctx, fd, where, s);
}

/* The session failed: say so once, remember it. */
static ta_status fail(ta_session *s, ta_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ta_status fail(ta_session *s, ta_status st, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  s->broken = true;
  return ta_err(s->ctx, st, "%s: %s", s->peer, msg);
}

static ta_status write_all(ta_session *s, const uint8_t *p, size_t n, int64_t deadline,
                           uint32_t cmd) {
  while (n > 0) {
    ssize_t w = s->is_socket ? send(s->fd, p, n, MSG_NOSIGNAL) : write(s->fd, p, n);
    if (w > 0) {
      p += w;
      n -= (size_t)w;
      continue;
    }
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return fail(s, TA_ERR_IO, "cannot send %s: %s", cmd_name(cmd), strerror(errno));
    int64_t left = deadline - now_ms();
    struct pollfd pf = {s->fd, POLLOUT, 0};
    if (left <= 0 || poll(&pf, 1, (int)left) == 0)
      return fail(s, TA_ERR_IO, "the board does not take input: %s not sent within %d ms",
                  cmd_name(cmd), s->lim.reply_ms);
  }
  return TA_OK;
}

/* Read exactly n bytes by the deadline. what/got describe the frame part for messages. */
static ta_status read_exact(ta_session *s, uint8_t *p, size_t n, int64_t deadline, int32_t limit_ms,
                            uint32_t cmd, const char *what) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(s->fd, p + got, n - got);
    if (r > 0) {
      got += (size_t)r;
      continue;
    }
    if (r == 0)
      return fail(s, TA_ERR_IO,
                  "the board closed the connection while answering %s (%zu of %zu "
                  "bytes of the %s received)",
                  cmd_name(cmd), got, n, what);
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return fail(s, TA_ERR_IO, "reading the answer to %s: %s", cmd_name(cmd), strerror(errno));
    int64_t left = deadline - now_ms();
    struct pollfd pf = {s->fd, POLLIN, 0};
    if (left <= 0 || poll(&pf, 1, (int)left) == 0) {
      if (got == 0 && strcmp(what, "frame header") == 0)
        return fail(s, TA_ERR_IO, "no answer to %s within %d ms (the board stopped answering)",
                    cmd_name(cmd), limit_ms);
      return fail(s, TA_ERR_IO,
                  "timeout after %d ms in the answer to %s: %zu of %zu bytes of "
                  "the %s received (truncated frame)",
                  limit_ms, cmd_name(cmd), got, n, what);
    }
  }
  return TA_OK;
}

static void put_u16(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u16(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *exception_name(uint32_t exc) {
  switch (exc) {
  case 2: return "NMI";
  case 3: return "HardFault";
  case 4: return "MemManage fault";
  case 5: return "BusFault";
  case 6: return "UsageFault";
  case 7: return "SecureFault";
  default: return "unexpected exception";
  }
}

/* Send one request and receive its answer into s->frame; the answer's payload must be at
 * least min_len bytes. */
static ta_status transact(ta_session *s, uint32_t cmd, const uint8_t *payload, size_t len,
                          size_t min_len) {
  if (s->broken || s->fd < 0)
    return ta_err(s->ctx, TA_ERR_IO, "%s: the session is unusable after an earlier error", s->peer);
  if (len > TA_FW_MAX_PAYLOAD)
    return ta_err(s->ctx, TA_ERR_INTERNAL, "request %s of %zu bytes", cmd_name(cmd), len);
  int32_t limit = cmd == TA_FW_C_RUN || cmd == TA_FW_C_CALL ? s->lim.run_ms : s->lim.reply_ms;
  int64_t deadline = now_ms() + limit;
  uint8_t seq = ++s->seq;
  s->faulted = false;
  uint8_t *f = s->frame;
  f[0] = TA_FW_SYNC;
  f[1] = (uint8_t)cmd;
  f[2] = seq;
  put_u16(f + 3, (uint32_t)len);
  if (len)
    memcpy(f + TA_FW_HEADER_BYTES, payload, len);
  put_u32(f + TA_FW_HEADER_BYTES + len, ta_session_crc32(0, f + 1, TA_FW_HEADER_BYTES - 1 + len));
  ta_status st = write_all(s, f, TA_FW_HEADER_BYTES + len + TA_FW_CRC_BYTES, deadline, cmd);
  if (st != TA_OK)
    return st;

  st = read_exact(s, f, TA_FW_HEADER_BYTES, deadline, limit, cmd, "frame header");
  if (st != TA_OK)
    return st;
  if (f[0] != TA_FW_SYNC)
    return fail(s, TA_ERR_MALFORMED,
                "malformed frame in the answer to %s: first byte 0x%02x, "
                "expected the sync byte 0x%02x",
                cmd_name(cmd), f[0], TA_FW_SYNC);
  uint32_t type = f[1], n = get_u16(f + 3);
  if (n > TA_FW_MAX_PAYLOAD)
    return fail(s, TA_ERR_MALFORMED,
                "malformed frame in the answer to %s: payload length %u, "
                "at most %u allowed",
                cmd_name(cmd), n, TA_FW_MAX_PAYLOAD);
  st = read_exact(s, f + TA_FW_HEADER_BYTES, n + TA_FW_CRC_BYTES, deadline, limit, cmd,
                  "frame payload and checksum");
  if (st != TA_OK)
    return st;
  uint32_t want = ta_session_crc32(0, f + 1, TA_FW_HEADER_BYTES - 1 + n);
  uint32_t got = get_u32(f + TA_FW_HEADER_BYTES + n);
  if (want != got)
    return fail(s, TA_ERR_MALFORMED,
                "wrong checksum in the answer to %s: frame says 0x%08x, "
                "its bytes give 0x%08x (a corrupted frame)",
                cmd_name(cmd), got, want);
  const uint8_t *p = f + TA_FW_HEADER_BYTES;
  if (type == TA_FW_T_FAULT && n >= 24)
    s->faulted = true;
  if (type == TA_FW_T_FAULT && n >= 24)
    return fail(s, TA_ERR_IO,
                "the board stopped with a %s during %s: pc=0x%08x lr=0x%08x "
                "xpsr=0x%08x CFSR=0x%08x HFSR=0x%08x",
                exception_name(get_u32(p)), cmd_name(cmd), get_u32(p + 4), get_u32(p + 8),
                get_u32(p + 12), get_u32(p + 16), get_u32(p + 20));
  if (f[2] != seq)
    return fail(s, TA_ERR_MALFORMED, "answer out of sequence: number %u, expected %u (to %s)", f[2],
                seq, cmd_name(cmd));
  if (type == TA_FW_T_ERROR) {
    char msg[160];
    size_t m = n > 1 ? n - 1 : 0;
    if (m >= sizeof msg)
      m = sizeof msg - 1;
    for (size_t i = 0; i < m; i++)
      msg[i] = (p[1 + i] >= 32 && p[1 + i] < 127) ? (char)p[1 + i] : '?';
    msg[m] = '\0';
    return fail(s, TA_ERR_IO, "the board rejected %s: %s (error %u)", cmd_name(cmd), msg,
                n ? p[0] : 0);
  }
  if (type != (cmd | TA_FW_ANSWER))
    return fail(s, TA_ERR_MALFORMED,
                "malformed frame: type 0x%02x in the answer to %s, "
                "expected 0x%02x",
                type, cmd_name(cmd), cmd | TA_FW_ANSWER);
  if (n < min_len)
    return fail(s, TA_ERR_MALFORMED, "the answer to %s has %u payload bytes, expected %zu",
                cmd_name(cmd), n, min_len);
  s->payload_len = n;
  return TA_OK;
}

static const uint8_t *answer(const ta_session *s) {
  return s->frame + TA_FW_HEADER_BYTES;
}

ta_status ta_session_hello(ta_session *s, ta_fw_info *info) {
  ta_status st = transact(s, TA_FW_C_HELLO, NULL, 0, 28);
  if (st != TA_OK)
    return st;
  const uint8_t *p = answer(s);
  memset(info, 0, sizeof *info);
  if (get_u32(p) != TA_FW_MAGIC)
    return fail(s, TA_ERR_MALFORMED, "the peer is not a tinyaot firmware (HELLO magic 0x%08x)",
                get_u32(p));
  info->version = get_u16(p + 4);
  info->max_payload = get_u16(p + 6);
  info->model_id = get_u32(p + 8);
  info->arena_bytes = get_u32(p + 12);
  info->n_inputs = (int32_t)get_u16(p + 16);
  info->n_outputs = (int32_t)get_u16(p + 18);
  info->n_ops = (int32_t)get_u16(p + 20);
  info->timer_hz = get_u32(p + 24);
  if (info->version < TA_FW_VERSION_MIN || info->version > TA_FW_VERSION)
    return fail(s, TA_ERR_UNSUPPORTED,
                "firmware protocol version %u, this tinyaot speaks %u to %u: rebuild the "
                "firmware with this tinyaot",
                info->version, TA_FW_VERSION_MIN, TA_FW_VERSION);
  if (info->max_payload < 64 || info->max_payload > TA_FW_MAX_PAYLOAD)
    return fail(s, TA_ERR_MALFORMED, "HELLO says max_payload %u, expected 64 to %u",
                info->max_payload, TA_FW_MAX_PAYLOAD);
  size_t lists = 28 + 4 * (size_t)(info->n_inputs + info->n_outputs);
  if (info->n_inputs > TA_SESSION_MAX_IO || info->n_outputs > TA_SESSION_MAX_IO ||
      s->payload_len < lists)
    return fail(s, TA_ERR_MALFORMED, "HELLO lists %d inputs and %d outputs in %zu bytes",
                info->n_inputs, info->n_outputs, s->payload_len);
  for (int32_t k = 0; k < info->n_inputs; k++)
    info->input_bytes[k] = get_u32(p + 28 + 4 * k);
  for (int32_t k = 0; k < info->n_outputs; k++)
    info->output_bytes[k] = get_u32(p + 28 + 4 * (info->n_inputs + k));
  /* Version 2 appends flags and the two RAM areas of a tuning firmware. */
  if (info->version >= 2) {
    if (s->payload_len < lists + 20)
      return fail(s, TA_ERR_MALFORMED,
                  "HELLO of a version %u firmware has %zu bytes, expected %zu (flags and areas "
                  "missing)",
                  info->version, s->payload_len, lists + 20);
    const uint8_t *q = p + lists;
    info->flags = get_u32(q);
    info->code_base = get_u32(q + 4);
    info->code_bytes = get_u32(q + 8);
    info->tensor_base = get_u32(q + 12);
    info->tensor_bytes = get_u32(q + 16);
    if ((uint64_t)info->code_base + info->code_bytes > 0x100000000ull ||
        (uint64_t)info->tensor_base + info->tensor_bytes > 0x100000000ull)
      return fail(s, TA_ERR_MALFORMED, "HELLO announces a memory area past 4 GiB");
  }
  s->max_payload = info->max_payload;
  return TA_OK;
}

ta_status ta_session_load_input(ta_session *s, int32_t k, const void *data, size_t n) {
  const uint8_t *src = data;
  uint8_t buf[TA_FW_MAX_PAYLOAD];
  const size_t chunk = TA_FW_MAX_PAYLOAD - 8;
  size_t off = 0;
  do {
    size_t m = n - off < chunk ? n - off : chunk;
    memset(buf, 0, 8);
    buf[0] = (uint8_t)k;
    put_u32(buf + 4, (uint32_t)off);
    if (m)
      memcpy(buf + 8, src + off, m);
    ta_status st = transact(s, TA_FW_C_LOAD, buf, 8 + m, 0);
    if (st != TA_OK)
      return st;
    off += m;
  } while (off < n);
  return TA_OK;
}

ta_status ta_session_run(ta_session *s, bool per_layer, int32_t *model_status, uint32_t *ticks) {
  uint8_t flags = per_layer ? TA_FW_RUN_PROFILE : 0;
  ta_status st = transact(s, TA_FW_C_RUN, &flags, 1, 8);
  if (st != TA_OK)
    return st;
  *model_status = (int32_t)get_u32(answer(s));
  *ticks = get_u32(answer(s) + 4);
  return TA_OK;
}

ta_status ta_session_read_output(ta_session *s, int32_t k, void *buf, size_t n) {
  uint8_t *dst = buf;
  size_t off = 0;
  while (off < n) {
    size_t m = n - off < TA_FW_MAX_PAYLOAD ? n - off : TA_FW_MAX_PAYLOAD;
    uint8_t req[8] = {(uint8_t)k, 0};
    put_u16(req + 2, (uint32_t)m);
    put_u32(req + 4, (uint32_t)off);
    ta_status st = transact(s, TA_FW_C_READ, req, sizeof req, 0);
    if (st != TA_OK)
      return st;
    if (s->payload_len != m)
      return fail(s, TA_ERR_MALFORMED,
                  "truncated tensor: output %d, bytes [%zu, %zu) of %zu "
                  "requested, the board sent %zu",
                  k, off, off + m, n, s->payload_len);
    memcpy(dst + off, answer(s), m);
    off += m;
  }
  return TA_OK;
}

ta_status ta_session_profile(ta_session *s, int32_t n_ops, uint32_t *ticks) {
  const int32_t per = (int32_t)(TA_FW_MAX_PAYLOAD / 4);
  for (int32_t first = 0; first < n_ops; first += per) {
    int32_t m = n_ops - first < per ? n_ops - first : per;
    uint8_t req[4];
    put_u16(req, (uint32_t)first);
    put_u16(req + 2, (uint32_t)m);
    ta_status st = transact(s, TA_FW_C_PROFILE, req, sizeof req, 4 * (size_t)m);
    if (st != TA_OK)
      return st;
    for (int32_t i = 0; i < m; i++)
      ticks[first + i] = get_u32(answer(s) + 4 * i);
  }
  return TA_OK;
}

ta_status ta_session_memstats(ta_session *s, ta_fw_memstats *m) {
  ta_status st = transact(s, TA_FW_C_MEMSTATS, NULL, 0, 24);
  if (st != TA_OK)
    return st;
  const uint8_t *p = answer(s);
  m->arena_bytes = get_u32(p);
  m->stack_size = get_u32(p + 4);
  m->stack_used = get_u32(p + 8);
  m->run_stack_used = get_u32(p + 12);
  m->data_bytes = get_u32(p + 16);
  m->bss_bytes = get_u32(p + 20);
  return TA_OK;
}

ta_status ta_session_calibrate(ta_session *s, uint32_t iterations, uint32_t *ticks) {
  uint8_t req[4];
  put_u32(req, iterations);
  ta_status st = transact(s, TA_FW_C_CALIBRATE, req, sizeof req, 4);
  if (st != TA_OK)
    return st;
  *ticks = get_u32(answer(s));
  return TA_OK;
}

/* Chunks of at most the board's max_payload (HELLO), less the request's own header. */
static size_t chunk_bytes(const ta_session *s, size_t header) {
  size_t max = s->max_payload ? s->max_payload : TA_FW_MAX_PAYLOAD;
  if (max > TA_FW_MAX_PAYLOAD)
    max = TA_FW_MAX_PAYLOAD;
  return max - header;
}

ta_status ta_session_write_mem(ta_session *s, uint32_t addr, const void *data, size_t n) {
  const uint8_t *src = data;
  uint8_t buf[TA_FW_MAX_PAYLOAD];
  const size_t chunk = chunk_bytes(s, 4);
  if (n > 0xFFFFFFFFu - addr + (size_t)1)
    return ta_err(s->ctx, TA_ERR_USAGE, "%s: WRITE of %zu bytes at 0x%08x wraps around", s->peer, n,
                  addr);
  for (size_t off = 0; off < n;) {
    size_t m = n - off < chunk ? n - off : chunk;
    put_u32(buf, addr + (uint32_t)off);
    memcpy(buf + 4, src + off, m);
    ta_status st = transact(s, TA_FW_C_WRITE, buf, 4 + m, 0);
    if (st != TA_OK)
      return st;
    off += m;
  }
  return TA_OK;
}

ta_status ta_session_read_mem(ta_session *s, uint32_t addr, void *buf, size_t n) {
  uint8_t *dst = buf;
  const size_t chunk = chunk_bytes(s, 0);
  if (n > 0xFFFFFFFFu - addr + (size_t)1)
    return ta_err(s->ctx, TA_ERR_USAGE, "%s: READMEM of %zu bytes at 0x%08x wraps around", s->peer,
                  n, addr);
  for (size_t off = 0; off < n;) {
    size_t m = n - off < chunk ? n - off : chunk;
    uint8_t req[6];
    put_u32(req, addr + (uint32_t)off);
    put_u16(req + 4, (uint32_t)m);
    ta_status st = transact(s, TA_FW_C_READMEM, req, sizeof req, 0);
    if (st != TA_OK)
      return st;
    if (s->payload_len != m)
      return fail(s, TA_ERR_MALFORMED,
                  "truncated answer: READMEM of %zu bytes at 0x%08x, the board sent %zu", m,
                  addr + (uint32_t)off, s->payload_len);
    memcpy(dst + off, answer(s), m);
    off += m;
  }
  return TA_OK;
}

ta_status ta_session_call(ta_session *s, uint32_t entry, uint32_t arg, uint32_t repeat,
                          ta_call_result *r) {
  memset(r, 0, sizeof *r);
  if (repeat == 0)
    return ta_err(s->ctx, TA_ERR_USAGE, "%s: CALL with a repeat count of 0", s->peer);
  uint8_t req[12];
  put_u32(req, entry);
  put_u32(req + 4, arg);
  put_u32(req + 8, repeat);
  ta_status st = transact(s, TA_FW_C_CALL, req, sizeof req, 24);
  if (st != TA_OK)
    return st;
  const uint8_t *p = answer(s);
  r->ret = (int32_t)get_u32(p);
  r->batch_ticks = get_u32(p + 4);
  r->min_ticks = get_u32(p + 8);
  r->has_cycles = (get_u32(p + 12) & TA_FW_CALL_CYCLES) != 0;
  r->batch_cycles = r->has_cycles ? get_u32(p + 16) : 0;
  r->min_cycles = r->has_cycles ? get_u32(p + 20) : 0;
  return TA_OK;
}

bool ta_session_faulted(const ta_session *s) {
  return s->broken && s->faulted;
}

ta_status ta_session_resync(ta_session *s, int32_t quiet_ms) {
  if (s->fd < 0)
    return ta_err(s->ctx, TA_ERR_IO, "%s: the session is closed", s->peer);
  /* Drop bytes until the line has been quiet for quiet_ms (at most 20 times that). */
  int64_t give_up = now_ms() + 20 * (int64_t)quiet_ms;
  for (;;) {
    struct pollfd pf = {s->fd, POLLIN, 0};
    int n = poll(&pf, 1, quiet_ms);
    if (n == 0)
      break;
    if (n < 0 && errno != EINTR)
      return ta_err(s->ctx, TA_ERR_IO, "%s: poll: %s", s->peer, strerror(errno));
    uint8_t buf[256];
    ssize_t r = read(s->fd, buf, sizeof buf);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
      return ta_err(s->ctx, TA_ERR_IO, "%s: the connection is gone", s->peer);
    if (now_ms() > give_up)
      return ta_err(s->ctx, TA_ERR_IO, "%s: the board keeps sending; cannot resynchronise",
                    s->peer);
  }
  s->broken = false;
  s->faulted = false;
  return TA_OK;
}
