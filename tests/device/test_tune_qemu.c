/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tune_qemu.c: the tuning session on the emulated Cortex-M4 (issue 13): blobs built from
 * small C sources, loaded into the tuning firmware's code area, called with a repeat count,
 * results read back; a candidate that faults and one that hangs, each followed by a good run
 * on the same ta_tune_board; the firmware's own range checks; the blob cache (a second build
 * must not run the compiler: the compiler is a wrapper that logs each call); the M3, M7 and
 * M33 boards; a board reached as a --device endpoint (QEMU started apart, UART on TCP).
 *
 * Exit 77 (skipped) without qemu-system-arm or arm-none-eabi-gcc.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ta_device.h"
#include "ta_tune_device.h"
#include "tt_capture.h"

static char work[4096], cc_log[4200];

/* The sum kernel: input at arg (u32 n, then n bytes), output at arg + 0x10000: the sum plus
 * a .data constant, and the number of calls (a .bss counter: the image must carry its zeros
 * and its initial values). */
static const char sum_src[] =
    "#include <stdint.h>\n"
    "static uint32_t bias = 7;\n"
    "static uint32_t calls;\n"
    "int32_t sum_entry(uint32_t arg) {\n"
    "  const uint8_t *in = (const uint8_t *)(uintptr_t)arg;\n"
    "  uint32_t *out = (uint32_t *)(uintptr_t)(arg + 0x10000u);\n"
    "  uint32_t n = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 |\n"
    "               (uint32_t)in[3] << 24, s = bias;\n"
    "  for (uint32_t i = 0; i < n; i++)\n"
    "    s += in[4 + i];\n"
    "  out[0] = s;\n"
    "  out[1] = ++calls;\n"
    "  return (int32_t)n;\n"
    "}\n";

static const char fault_src[] = "#include <stdint.h>\n"
                                "int32_t boom(uint32_t arg) {\n"
                                "  (void)arg;\n"
                                "  __asm volatile(\"udf #1\");\n"
                                "  return 0;\n"
                                "}\n";

static const char hang_src[] = "#include <stdint.h>\n"
                               "int32_t spin(uint32_t arg) {\n"
                               "  for (;;)\n"
                               "    __asm volatile(\"\" ::: \"memory\");\n"
                               "  return (int32_t)arg;\n"
                               "}\n";

static ta_fileset one_file(ta_ctx *ctx, const char *path, const char *src) {
  ta_fileset fs;
  memset(&fs, 0, sizeof fs);
  fs.files = ta_new(ctx, sizeof(ta_file));
  assert_non_null(fs.files);
  fs.files[0] = (ta_file){path, src, strlen(src)};
  fs.n = fs.cap = 1;
  return fs;
}

static int count_lines(const char *path) {
  FILE *f = fopen(path, "r");
  int n = 0, c;
  if (!f)
    return 0;
  while ((c = fgetc(f)) != EOF)
    n += c == '\n';
  fclose(f);
  return n;
}

static void test_tune_board(void **state) {
  (void)state;
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  const ta_board *b = ta_board_find("cortex-m4");
  assert_non_null(b);
  ta_tune_board *tb = NULL;
  ta_fw_info info;
  ta_status st = ta_tune_board_open(&ctx, b, NULL, work, &tb, &info);
  if (st != TA_OK)
    fail_msg("open: %s", cap.text);
  assert_true(info.flags & TA_FW_F_TUNER);
  assert_int_equal(info.version, TA_FW_VERSION);
  assert_true(info.code_bytes >= 512u * 1024u);
  assert_true(info.tensor_bytes >= 256u * 1024u);
  assert_int_equal(ta_tune_board_insns_per_tick(tb), 40);

  char *cache = ta_fmt(&ctx, "%s/blobs", work);
  ta_fileset fs = one_file(&ctx, "sum.c", sum_src);
  ta_blob sum;
  int calls0 = count_lines(cc_log);
  st = ta_blob_build(&ctx, b, &fs, "sum_entry", info.code_base, info.code_bytes, cache, &sum);
  if (st != TA_OK)
    fail_msg("blob: %s", cap.text);
  int calls1 = count_lines(cc_log);
  assert_true(calls1 > calls0); /* compiled and linked */
  assert_int_equal(strlen(sum.hash), 16);
  assert_int_equal(sum.load_addr, info.code_base);
  assert_true(sum.entry & 1u);
  assert_true(sum.entry > sum.load_addr && sum.entry < sum.load_addr + sum.bytes);

  /* The cache: the same build again runs no compiler and gives the same image. */
  ta_blob again;
  assert_int_equal(
      ta_blob_build(&ctx, b, &fs, "sum_entry", info.code_base, info.code_bytes, cache, &again),
      TA_OK);
  assert_int_equal(count_lines(cc_log), calls1);
  assert_string_equal(again.hash, sum.hash);
  assert_int_equal(again.bytes, sum.bytes);
  assert_int_equal(again.entry, sum.entry);
  assert_memory_equal(again.image, sum.image, sum.bytes);
  /* Another address is another image. */
  ta_blob moved;
  assert_int_equal(ta_blob_build(&ctx, b, &fs, "sum_entry", info.code_base + 0x1000u,
                                 info.code_bytes - 0x1000u, cache, &moved),
                   TA_OK);
  assert_string_not_equal(moved.hash, sum.hash);
  assert_int_equal(moved.entry, sum.entry + 0x1000u);

  /* Input: n = 3000 bytes of i * 7; expected sum + bias 7. */
  enum { N = 3000 };
  uint8_t in[4 + N];
  uint32_t want = 7;
  in[0] = (uint8_t)N;
  in[1] = (uint8_t)(N >> 8);
  in[2] = in[3] = 0;
  for (uint32_t i = 0; i < N; i++) {
    in[4 + i] = (uint8_t)(i * 7u);
    want += in[4 + i];
  }
  uint32_t arg = info.tensor_base, out_addr = info.tensor_base + 0x10000u;
  uint8_t out[8];
  ta_call_result r;
  st = ta_tune_board_run(tb, &sum, arg, in, sizeof in, arg, out, sizeof out, out_addr, 5, &r);
  if (st != TA_OK)
    fail_msg("run: %s", cap.text);
  assert_int_equal(r.ret, N);
  uint32_t got =
      (uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 24;
  assert_int_equal(got, want);
  assert_int_equal(out[4], 5); /* .bss started at zero, five calls */
  assert_true(r.min_ticks > 0);
  assert_true(r.min_ticks * 5u <= r.batch_ticks);
  /* About 3000 iterations of a few instructions each, 40 instructions per tick. */
  assert_true(r.min_ticks * 40u > 3u * N && r.min_ticks * 40u < 30u * N);
  assert_false(r.has_cycles); /* QEMU's DWT does not count */

  /* A fault: an error naming the exception and pc, then the board works again. */
  ta_fileset ffs = one_file(&ctx, "boom.c", fault_src);
  ta_blob boom;
  assert_int_equal(
      ta_blob_build(&ctx, b, &ffs, "boom", info.code_base, info.code_bytes, cache, &boom), TA_OK);
  cap.text[0] = '\0';
  st = ta_tune_board_run(tb, &boom, 0, NULL, 0, arg, NULL, 0, out_addr, 3, &r);
  assert_int_not_equal(st, TA_OK);
  if (!strstr(cap.text, "Fault during CALL: pc=0x"))
    fail_msg("fault message: %s", cap.text);
  char pc[32];
  snprintf(pc, sizeof pc, "pc=0x%08x", boom.entry & ~1u);
  assert_non_null(strstr(cap.text, pc));
  memset(out, 0, sizeof out);
  st = ta_tune_board_run(tb, &sum, arg, in, sizeof in, arg, out, sizeof out, out_addr, 2, &r);
  if (st != TA_OK)
    fail_msg("run after the fault: %s", cap.text);
  got = (uint32_t)out[0] | (uint32_t)out[1] << 8 | (uint32_t)out[2] << 16 | (uint32_t)out[3] << 24;
  assert_int_equal(got, want);
  assert_int_equal(out[4], 2); /* reloaded after the reset: the counter restarted */

  /* A candidate that never returns: the limit ends it, QEMU restarts, the next run works. */
  ta_fileset hfs = one_file(&ctx, "spin.c", hang_src);
  ta_blob spin;
  assert_int_equal(
      ta_blob_build(&ctx, b, &hfs, "spin", info.code_base, info.code_bytes, cache, &spin), TA_OK);
  ta_tune_board_set_run_limit(tb, 1500);
  cap.text[0] = '\0';
  st = ta_tune_board_run(tb, &spin, 0, NULL, 0, arg, NULL, 0, out_addr, 1, &r);
  assert_int_not_equal(st, TA_OK);
  if (!strstr(cap.text, "no answer to CALL within 1500 ms"))
    fail_msg("hang message: %s", cap.text);
  ta_tune_board_set_run_limit(tb, 0);
  st = ta_tune_board_run(tb, &sum, arg, in, sizeof in, arg, out, sizeof out, out_addr, 1, &r);
  if (st != TA_OK)
    fail_msg("run after the hang: %s", cap.text);
  assert_int_equal(out[4], 1);

  /* Ranges the board would refuse are refused on the host, and the board stays usable. */
  cap.text[0] = '\0';
  st = ta_tune_board_run(tb, &sum, arg, in, sizeof in, info.tensor_base + info.tensor_bytes - 8,
                         out, sizeof out, out_addr, 1, &r);
  assert_int_equal(st, TA_ERR_USAGE);
  assert_non_null(strstr(cap.text, "outside the tensor area"));
  ta_tune_board_close(tb);
  ta_ctx_free(&ctx);
}

/* The firmware's own checks, through a bare session: WRITE and READMEM outside both areas,
 * CALL of an ARM-state (even) address, then a good exchange on the same board. */
static void test_firmware_ranges(void **state) {
  (void)state;
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  const ta_board *b = ta_board_find("cortex-m4");
  ta_firmware fw;
  int calls0 = count_lines(cc_log);
  assert_int_equal(ta_fw_build_tuner(&ctx, b, work, &fw), TA_OK);
  assert_int_equal(count_lines(cc_log), calls0); /* built once by the test before */
  ta_qemu *q;
  ta_session *s;
  char *log = ta_fmt(&ctx, "%s/ranges.log", work);
  if (ta_qemu_start(&ctx, b, fw.elf, log, 20000, &q, &s) != TA_OK)
    fail_msg("%s", cap.text);
  ta_fw_info info;
  assert_int_equal(ta_session_hello(s, &info), TA_OK);
  uint8_t buf[16] = {1, 2, 3};
  struct {
    int what;
    uint32_t addr;
    const char *msg;
  } cases[] = {
      {0, info.code_base - 4, "the board rejected WRITE: WRITE: range outside"},
      {0, info.tensor_base + info.tensor_bytes - 8, "the board rejected WRITE"},
      {0, b->ram_origin, "the board rejected WRITE"}, /* the firmware's own RAM */
      {1, info.tensor_base + info.tensor_bytes - 4, "the board rejected READMEM"},
      {2, info.code_base, "CALL: entry not a Thumb address in the code area"},
      {2, info.tensor_base + 1, "CALL: entry not a Thumb address in the code area"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    cap.text[0] = '\0';
    ta_call_result r;
    ta_status st = cases[i].what == 0   ? ta_session_write_mem(s, cases[i].addr, buf, sizeof buf)
                   : cases[i].what == 1 ? ta_session_read_mem(s, cases[i].addr, buf, sizeof buf)
                                        : ta_session_call(s, cases[i].addr, 0, 1, &r);
    assert_int_equal(st, TA_ERR_IO);
    if (!strstr(cap.text, cases[i].msg) || !strstr(cap.text, "(error 4)"))
      fail_msg("case %zu: %s", i, cap.text);
    assert_int_equal(ta_session_resync(s, 100), TA_OK);
  }
  /* Round trip at the very end of the tensor area, across a chunk boundary. */
  uint8_t big[1500], back[1500];
  for (size_t i = 0; i < sizeof big; i++)
    big[i] = (uint8_t)(i * 13u + 1u);
  uint32_t at = info.tensor_base + info.tensor_bytes - (uint32_t)sizeof big;
  assert_int_equal(ta_session_write_mem(s, at, big, sizeof big), TA_OK);
  assert_int_equal(ta_session_read_mem(s, at, back, sizeof back), TA_OK);
  assert_memory_equal(big, back, sizeof big);
  ta_session_close(s);
  ta_qemu_stop(q);
  ta_ctx_free(&ctx);
}

/* Blob build errors: the compiler's message, a missing entry, an image above the area. */
static void test_blob_errors(void **state) {
  (void)state;
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  const ta_board *b = ta_board_find("cortex-m4");
  ta_blob blob;
  ta_fileset bad = one_file(&ctx, "bad.c", "int32_t f(void) { return undefined_thing; }\n");
  assert_int_not_equal(ta_blob_build(&ctx, b, &bad, "f", 0x20020000u, 65536, NULL, &blob), TA_OK);
  if (!strstr(cap.text, "compiling a blob for the board failed") ||
      !strstr(cap.text, "undefined_thing"))
    fail_msg("%s", cap.text);
  cap.text[0] = '\0';
  ta_fileset fs = one_file(&ctx, "sum.c", sum_src);
  assert_int_not_equal(ta_blob_build(&ctx, b, &fs, "no_such", 0x20020000u, 65536, NULL, &blob),
                       TA_OK);
  if (!strstr(cap.text, "no_such"))
    fail_msg("%s", cap.text);
  cap.text[0] = '\0';
  assert_int_equal(ta_blob_build(&ctx, b, &fs, "sum_entry", 0x20020000u, 16, NULL, &blob),
                   TA_ERR_LIMIT);
  if (!strstr(cap.text, "the board's code area holds 16"))
    fail_msg("%s", cap.text);
  ta_ctx_free(&ctx);
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The sum kernel, a fault, the sum kernel again on an open board; `calls` as seen after. */
static void sum_fault_sum(ta_ctx *ctx, tt_capture *cap, const ta_board *b, ta_tune_board *tb,
                          const ta_fw_info *info) {
  char *cache = ta_fmt(ctx, "%s/blobs", work);
  ta_fileset fs = one_file(ctx, "sum.c", sum_src), ffs = one_file(ctx, "boom.c", fault_src);
  ta_blob sum, boom;
  if (ta_blob_build(ctx, b, &fs, "sum_entry", info->code_base, info->code_bytes, cache, &sum) !=
          TA_OK ||
      ta_blob_build(ctx, b, &ffs, "boom", info->code_base, info->code_bytes, cache, &boom) != TA_OK)
    fail_msg("%s: %s", b->target, cap->text);
  uint8_t in[4 + 100], out[8];
  uint32_t want = 7;
  memset(in, 0, sizeof in);
  in[0] = 100;
  for (uint32_t i = 0; i < 100; i++)
    want += in[4 + i] = (uint8_t)(255u - i);
  uint32_t arg = info->tensor_base, out_addr = arg + 0x10000u;
  ta_call_result r;
  for (int round = 0; round < 2; round++) {
    if (ta_tune_board_run(tb, &sum, arg, in, sizeof in, arg, out, sizeof out, out_addr, 3, &r) !=
        TA_OK)
      fail_msg("%s, round %d: %s", b->target, round, cap->text);
    assert_int_equal(le32(out), want);
    assert_int_equal(le32(out + 4), 3);
    assert_int_equal(r.ret, 100);
    assert_true(r.min_ticks > 0 && r.min_ticks * 3u <= r.batch_ticks);
    if (round == 0) {
      cap->text[0] = '\0';
      assert_int_not_equal(ta_tune_board_run(tb, &boom, 0, NULL, 0, arg, NULL, 0, out_addr, 1, &r),
                           TA_OK);
      if (!strstr(cap->text, "Fault during CALL: pc="))
        fail_msg("%s: %s", b->target, cap->text);
    }
  }
}

/* The other cores: their RAM maps (the AN505's secure SSRAM2), their fault and reset. */
static void test_other_boards(void **state) {
  (void)state;
  static const char *const targets[] = {"cortex-m3", "cortex-m7", "cortex-m33"};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    tt_capture cap;
    memset(&cap, 0, sizeof cap);
    ta_ctx ctx;
    ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
    const ta_board *b = ta_board_find(targets[i]);
    ta_tune_board *tb;
    ta_fw_info info;
    if (ta_tune_board_open(&ctx, b, NULL, work, &tb, &info) != TA_OK)
      fail_msg("%s: %s", targets[i], cap.text);
    ta_tune_areas a;
    ta_board_tune_areas(b, &a);
    assert_int_equal(info.code_base, a.code_base);
    assert_int_equal(info.tensor_bytes, a.tensor_bytes);
    assert_true(a.code_base >= b->ram_origin + TA_TUNER_RAM_BYTES);
    assert_true(a.tensor_base + a.tensor_bytes <= b->ram_origin + b->ram_bytes);
    sum_fault_sum(&ctx, &cap, b, tb, &info);
    ta_tune_board_close(tb);
    ta_ctx_free(&ctx);
  }
}

/* --device: a QEMU started apart, its UART a TCP server (a stand-in for a real board behind
 * a serial bridge). The fault is recovered on the same connection: the board resets itself. */
static void test_device_endpoint(void **state) {
  (void)state;
  tt_capture cap;
  memset(&cap, 0, sizeof cap);
  ta_ctx ctx;
  ta_ctx_init(&ctx, NULL, NULL, tt_capture_sink, &cap);
  const ta_board *b = ta_board_find("cortex-m4");
  ta_firmware fw;
  assert_int_equal(ta_fw_build_tuner(&ctx, b, work, &fw), TA_OK);
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t al = sizeof a;
  assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
  assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &al), 0);
  unsigned port = ntohs(a.sin_port);
  close(ls); /* QEMU listens there next */
  char serial[64], where[64];
  snprintf(serial, sizeof serial, "tcp:127.0.0.1:%u,server=on,wait=off", port);
  snprintf(where, sizeof where, "tcp:127.0.0.1:%u", port);
  const char *qemu = getenv("TA_QEMU");
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    execlp(qemu && *qemu ? qemu : "qemu-system-arm", "qemu-system-arm", "-machine", b->machine,
           "-nographic", "-monitor", "none", "-serial", serial, "-icount", "shift=0", "-kernel",
           fw.elf, (char *)NULL);
    _exit(127);
  }
  ta_tune_board *tb = NULL;
  ta_fw_info info;
  ta_status st = TA_ERR_IO;
  for (int i = 0; i < 100 && st != TA_OK; i++) { /* until QEMU listens */
    usleep(100000);
    cap.text[0] = '\0';
    st = ta_tune_board_open(&ctx, b, where, work, &tb, &info);
  }
  if (st != TA_OK) {
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    fail_msg("%s", cap.text);
  }
  assert_int_equal(ta_tune_board_insns_per_tick(tb), 1);
  sum_fault_sum(&ctx, &cap, b, tb, &info);
  ta_tune_board_close(tb);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  ta_ctx_free(&ctx);
}

static bool on_path(const char *tool) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
  return system(cmd) == 0;
}

int main(void) {
  const char *qemu = getenv("TA_QEMU");
  if (!on_path(qemu && *qemu ? qemu : "qemu-system-arm") || !on_path("arm-none-eabi-gcc")) {
    printf("skipped: qemu-system-arm or arm-none-eabi-gcc is not installed\n");
    return 77;
  }
  /* A private folder, and a compiler wrapper that logs every call (the cache test counts). */
  const char *tmp = getenv("TMPDIR");
  snprintf(work, sizeof work, "%s/tinyaot-tune-qemu-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(work))
    return 1;
  char wrapper[4200];
  snprintf(wrapper, sizeof wrapper, "%s/cc.sh", work);
  snprintf(cc_log, sizeof cc_log, "%s/cc.log", work);
  FILE *f = fopen(wrapper, "w");
  if (!f)
    return 1;
  fprintf(f, "#!/bin/sh\necho \"$*\" >> '%s'\nexec arm-none-eabi-gcc \"$@\"\n", cc_log);
  fclose(f);
  chmod(wrapper, 0755);
  setenv("TA_ARM_CC", wrapper, 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tune_board),      cmocka_unit_test(test_firmware_ranges),
      cmocka_unit_test(test_blob_errors),     cmocka_unit_test(test_other_boards),
      cmocka_unit_test(test_device_endpoint),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  ta_remove_tree(work);
  return rc;
}
