/* SPDX-License-Identifier: Apache-2.0 */
/*
 * frame.c: the framing of the session protocol (ta_fw_proto.h) on the board side, shared by
 * the model runner (runner.c) and the tuning firmware (tuner.c): CRC-32, sending a frame, an
 * error or a fault report, receiving one request frame, and the CALIBRATE command. The UART itself
 * is cmsdk.c's.
 */
#include "ta_fw.h"
#include "ta_fw_proto.h"

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, uint32_t n) {
  while (n--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc;
}

void ta_fw_send_frame(uint32_t type, uint32_t seq, const uint8_t *payload, uint32_t len) {
  uint8_t h[TA_FW_HEADER_BYTES] = {TA_FW_SYNC, (uint8_t)type, (uint8_t)seq, (uint8_t)len,
                                   (uint8_t)(len >> 8)};
  uint32_t crc = crc32_update(0xFFFFFFFFu, h + 1, TA_FW_HEADER_BYTES - 1);
  crc = crc32_update(crc, payload, len) ^ 0xFFFFFFFFu;
  uint8_t c[TA_FW_CRC_BYTES];
  ta_fw_put_u32(c, crc);
  for (uint32_t i = 0; i < TA_FW_HEADER_BYTES; i++)
    ta_fw_putc(h[i]);
  for (uint32_t i = 0; i < len; i++)
    ta_fw_putc(payload[i]);
  for (uint32_t i = 0; i < TA_FW_CRC_BYTES; i++)
    ta_fw_putc(c[i]);
}

void ta_fw_send_error(uint32_t seq, uint32_t code, const char *msg) {
  uint8_t e[128];
  uint32_t n = 0;
  e[n++] = (uint8_t)code;
  while (*msg && n < 120)
    e[n++] = (uint8_t)*msg++;
  ta_fw_send_frame(TA_FW_T_ERROR, seq, e, n);
}

void ta_fw_send_fault(uint32_t exc, uint32_t pc, uint32_t lr, uint32_t xpsr, uint32_t cfsr,
                      uint32_t hfsr) {
  uint8_t p[24], *q = p;
  q = ta_fw_put_u32(q, exc);
  q = ta_fw_put_u32(q, pc);
  q = ta_fw_put_u32(q, lr);
  q = ta_fw_put_u32(q, xpsr);
  q = ta_fw_put_u32(q, cfsr);
  ta_fw_put_u32(q, hfsr);
  ta_fw_send_frame(TA_FW_T_FAULT, 0, p, sizeof p);
}

int32_t ta_fw_recv_frame(uint8_t *rx) {
  while (ta_fw_getc() != TA_FW_SYNC) {
  }
  for (uint32_t i = 1; i < TA_FW_HEADER_BYTES; i++)
    rx[i] = ta_fw_getc();
  uint32_t len = ta_fw_get_u16(rx + 3);
  if (len > TA_FW_MAX_PAYLOAD) {
    ta_fw_send_error(rx[2], TA_FW_E_FRAME, "payload length above the maximum");
    return -1;
  }
  for (uint32_t i = 0; i < len + TA_FW_CRC_BYTES; i++)
    rx[TA_FW_HEADER_BYTES + i] = ta_fw_getc();
  uint32_t crc = crc32_update(0xFFFFFFFFu, rx + 1, TA_FW_HEADER_BYTES - 1 + len) ^ 0xFFFFFFFFu;
  if (crc != ta_fw_get_u32(rx + TA_FW_HEADER_BYTES + len)) {
    ta_fw_send_error(rx[2], TA_FW_E_CRC, "checksum mismatch");
    return -1;
  }
  return (int32_t)len;
}

/* SUBS + BNE per iteration: TA_FW_CAL_INSNS_PER_ITER instructions, n times. */
void ta_fw_calibrate(uint32_t seq, const uint8_t *p, uint32_t len) {
  uint32_t n = len >= 4 ? ta_fw_get_u32(p) : 0;
  if (n == 0) {
    ta_fw_send_error(seq, TA_FW_E_RANGE, "CALIBRATE: zero iterations");
    return;
  }
  ta_fw_timer_restart();
  uint32_t t0 = ta_fw_timer_now();
  __asm volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n)::"cc");
  uint32_t t1 = ta_fw_timer_now();
  uint8_t a[4];
  ta_fw_put_u32(a, t0 - t1);
  ta_fw_send_frame(TA_FW_C_CALIBRATE | TA_FW_ANSWER, seq, a, 4);
}
