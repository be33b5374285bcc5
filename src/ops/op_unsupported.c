/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_unsupported.c: UNSUPPORTED, the placeholder a frontend leaves for an operator tinyaot
 * lacks when ta_compile_options.allow_unsupported asks for it (inspect shows the whole graph
 * with those operators marked). ta_graph_check_ops skips it and every op downstream of it
 * (their output shapes stay unknown); the compile stops after the check
 * (ta_compile_bytes). Should a placeholder reach a hook anyway, the hook refuses it.
 */
#include "ta_ops.h"

static ta_status unsupported_refuse(ta_graph *g, ta_op *op) {
  return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "unsupported operator %s",
                   op->unsupported ? op->unsupported : "(unknown)");
}

static ta_status unsupported_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  (void)call;
  return unsupported_refuse(g, op);
}

static uint64_t unsupported_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_UNSUPPORTED = {
    .check = unsupported_refuse,
    .infer = unsupported_refuse,
    .prepare = unsupported_prepare,
    .macs = unsupported_macs,
};
