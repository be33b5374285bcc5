/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ta_fw_proto.h: the device session protocol, spoken over a UART between the on-device runner
 * (firmware/runner.c) and the host (src/device/session.c). One header, included by both, so
 * the codes and the layout are written once.
 *
 * The host sends a request frame and the board answers it with exactly one frame. All
 * multi-byte fields are little-endian.
 *
 *   offset  size  field
 *   0       1     SYNC   0xA5
 *   1       1     TYPE   a command (host -> board), the command | 0x80 (its answer), or
 *                        TA_FW_T_ERROR / TA_FW_T_FAULT (board -> host)
 *   2       1     SEQ    chosen by the host; the answer repeats it
 *   3       2     LEN    payload bytes, at most TA_FW_MAX_PAYLOAD
 *   5       LEN   payload
 *   5+LEN   4     CRC    CRC-32 (IEEE 802.3, reflected, init and final xor 0xFFFFFFFF: the
 *                        zlib crc32) of bytes 1 .. 4+LEN, i.e. TYPE through the payload
 *
 * A receiver that sees a byte other than SYNC where a frame should start skips it (so a
 * board resynchronises after line noise); a frame with a bad LEN or CRC is answered with
 * TA_FW_T_ERROR (code TA_FW_E_FRAME / TA_FW_E_CRC) by the board and rejected by the host.
 *
 * Commands and answers (payload layouts; u8/u16/u32/i32 little-endian):
 *
 *   HELLO    ()  ->  u32 magic TA_FW_MAGIC, u16 version, u16 max_payload, u32 model_id,
 *                    u32 arena_bytes, u16 n_inputs, u16 n_outputs, u16 n_ops, u16 reserved,
 *                    u32 timer_hz, u32 bytes of each input, u32 bytes of each output,
 *                    then (version >= 2) u32 flags (TA_FW_F_*), u32 code_base, u32 code_bytes,
 *                    u32 tensor_base, u32 tensor_bytes (all 0 for a model firmware). The host
 *                    accepts versions TA_FW_VERSION_MIN .. TA_FW_VERSION.
 *   LOAD     (u8 index, u8 0, u16 0, u32 offset, bytes...)  ->  ()
 *            Input tensors are sent in chunks, in order: a chunk must start at offset 0 (a
 *            new tensor) or where the previous chunk of that input ended.
 *   RUN      (u8 flags: bit 0 = time every layer)  ->  i32 status of NAME_run, u32 timer
 *            ticks of the whole call. Refused (TA_FW_E_STATE) unless every input is complete.
 *   READ     (u8 index, u8 0, u16 length, u32 offset)  ->  the output bytes [offset,
 *            offset+length) of the last run
 *   PROFILE  (u16 first op, u16 count)  ->  u32 timer ticks per op of the last profiled run
 *   MEMSTATS ()  ->  u32 arena_bytes, u32 stack_size, u32 stack_used (deepest use from the
 *                    top of the stack since the last RUN began: the stack is painted before
 *                    each run), u32 run_stack_used (deepest use below the SP at the NAME_run
 *                    call, last run), u32 data_bytes, u32 bss_bytes
 *   CALIBRATE (u32 n)  ->  u32 timer ticks taken by TA_FW_CAL_INSNS_PER_ITER * n instructions
 *
 * The tuning firmware (firmware/tuner.c, HELLO flag TA_FW_F_TUNER) has no model: it answers
 * HELLO, CALIBRATE and these three (the model firmware answers them TA_FW_E_COMMAND, and the
 * tuning firmware so answers LOAD, RUN, READ, PROFILE, MEMSTATS):
 *
 *   WRITE    (u32 addr, bytes...)  ->  ()  the bytes stored at addr. [addr, addr + n) must lie
 *            inside the code area or inside the tensor area (else TA_FW_E_RANGE); code is
 *            written like data, in chunks of at most max_payload - 4 bytes.
 *   READMEM  (u32 addr, u16 length)  ->  the bytes [addr, addr + length), same range rule,
 *            length at most max_payload
 *   CALL     (u32 entry, u32 arg, u32 repeat)  ->  i32 return value of the last call,
 *            u32 batch_ticks, u32 min_ticks, u32 flags (TA_FW_CALL_CYCLES: the cycle fields
 *            are valid), u32 batch_cycles, u32 min_cycles. Runs int32_t entry(uint32_t arg)
 *            repeat (>= 1) times back to back; entry must be a Thumb address (bit 0 set) in
 *            the code area. The timer is restarted first (as for RUN); batch_* cover the whole
 *            loop, min_* the fastest single call, so min * repeat <= batch. Cycles come from the
 *            DWT cycle counter when the core has one that advances (not under QEMU).
 *            A fault in the called code: FAULT (below), then the board resets itself
 *            (SYSRESETREQ, after about 2 ms for the UART to drain) and answers HELLO again.
 *
 *   ERROR    u8 code (TA_FW_E_*), then a short ASCII message (no NUL)
 *   FAULT    (unsolicited, after a processor fault; a model firmware then stops, the tuning
 *            firmware resets) u32 exception number, u32 pc, u32 lr, u32 xpsr, u32 cfsr,
 *            u32 hfsr
 */
#ifndef TA_FW_PROTO_H
#define TA_FW_PROTO_H

#define TA_FW_SYNC 0xA5u
#define TA_FW_MAGIC 0x57464154u /* "TAFW" */
#define TA_FW_VERSION 2u
/* The oldest firmware the host still speaks to (version 1: HELLO without the appended
 * fields, no tuning commands). */
#define TA_FW_VERSION_MIN 1u
#define TA_FW_HEADER_BYTES 5u
#define TA_FW_CRC_BYTES 4u
#define TA_FW_MAX_PAYLOAD 1024u
#define TA_FW_ANSWER 0x80u

/* Command codes (TYPE of a request; the answer's TYPE is code | TA_FW_ANSWER). */
#define TA_FW_C_HELLO 0x01u
#define TA_FW_C_LOAD 0x02u
#define TA_FW_C_RUN 0x03u
#define TA_FW_C_READ 0x04u
#define TA_FW_C_PROFILE 0x05u
#define TA_FW_C_MEMSTATS 0x06u
#define TA_FW_C_CALIBRATE 0x07u
#define TA_FW_C_WRITE 0x08u
#define TA_FW_C_READMEM 0x09u
#define TA_FW_C_CALL 0x0Au

#define TA_FW_T_ERROR 0x7Fu
#define TA_FW_T_FAULT 0x7Eu

/* Error codes of TA_FW_T_ERROR. */
#define TA_FW_E_FRAME 1u   /* LEN above TA_FW_MAX_PAYLOAD, or a short payload */
#define TA_FW_E_CRC 2u     /* checksum mismatch */
#define TA_FW_E_COMMAND 3u /* unknown command */
#define TA_FW_E_RANGE 4u   /* tensor index, offset, length or address out of range */
#define TA_FW_E_STATE 5u   /* e.g. RUN before every input is complete */

#define TA_FW_RUN_PROFILE 1u

/* HELLO flags (version 2). */
#define TA_FW_F_TUNER 1u /* a tuning firmware: WRITE, READMEM and CALL */

/* CALL answer flags. */
#define TA_FW_CALL_CYCLES 1u /* batch_cycles and min_cycles are valid */

/* The CALIBRATE loop body: one SUBS and one BNE per iteration. */
#define TA_FW_CAL_INSNS_PER_ITER 2u

#endif
