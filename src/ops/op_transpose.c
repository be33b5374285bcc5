/* SPDX-License-Identifier: Apache-2.0 */
/*
 * op_transpose.c: TRANSPOSE. in: x (rank <= 6, any type of 1, 2, 4 or 8 bytes); out: x with
 * its dims permuted, output dim k = input dim attrs.perm[k]. MACs: 0.
 *
 * Prepare reduces the permutation for the kernel (runtime/src/transpose.c): output dims of
 * size 1 vanish, and neighbouring output dims that are also neighbours, in the same order, in
 * the input merge into one; what is left (at most 6 dims) is an odometer of input strides. A
 * permutation that keeps every dim of size > 1 in order reduces to a single run: a copy (and
 * the frontends emit a RESHAPE for those instead).
 */
#include "ta_ops.h"
#include "ta_quant_act.h"

static ta_status transpose_check(ta_graph *g, ta_op *op) {
  if (op->n_in != 1 || op->n_out != 1)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "has %d inputs and %d outputs; expected 1 and 1",
                     op->n_in, op->n_out);
  const ta_tensor *x = ta_op_input(g, op, 0), *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "%s is missing", !x ? "the input" : "the output");
  const size_t eb = ta_dtype_size(x->dtype);
  if (eb != 1 && eb != 2 && eb != 4 && eb != 8)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED,
                     "input \"%s\" has type %s; expected a type of "
                     "1, 2, 4 or 8 bytes",
                     x->name, ta_dtype_name(x->dtype));
  if (y->dtype != x->dtype)
    return ta_op_err(g, op, TA_ERR_MALFORMED, "output \"%s\" is %s; expected %s like the input",
                     y->name, ta_dtype_name(y->dtype), ta_dtype_name(x->dtype));
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  bool seen[TA_MAX_RANK] = {false};
  for (int32_t k = 0; k < x->rank; k++) {
    const int32_t p = op->a.perm[k];
    if (p < 0 || p >= x->rank || seen[p])
      return ta_op_err(g, op, TA_ERR_MALFORMED, "perm[%d] is %d; expected a permutation of 0..%d",
                       k, p, x->rank - 1);
    seen[p] = true;
  }
  return TA_OK;
}

static ta_status transpose_infer(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  int32_t dims[TA_MAX_RANK];
  for (int32_t k = 0; k < x->rank; k++)
    dims[k] = x->dims[op->a.perm[k]];
  return ta_op_set_output_shape(g, op, ta_op_output(g, op, 0), x->rank, dims);
}

static ta_status transpose_prepare(ta_graph *g, ta_op *op, ta_kernel_call *call) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  size_t elems;
  if (!ta_tensor_elems(x, &elems) || elems > INT32_MAX)
    return ta_op_err(g, op, TA_ERR_LIMIT, "input \"%s\" has more than 2^31-1 elements", x->name);
  ta_status st = ta_call_init(g, op, call, TA_K_transpose);
  if (st != TA_OK)
    return st;
  tart_transpose_params *p = call->params;
  p->elem_bytes = (int32_t)ta_dtype_size(x->dtype);
  int32_t in_stride[TA_MAX_RANK], d[TA_MAX_RANK], s[TA_MAX_RANK], n = 0;
  int32_t acc = 1;
  for (int32_t k = x->rank - 1; k >= 0; k--) {
    in_stride[k] = acc;
    acc *= x->dims[k];
  }
  for (int32_t k = 0; k < x->rank; k++) {
    const int32_t dk = x->dims[op->a.perm[k]], sk = in_stride[op->a.perm[k]];
    if (dk == 1)
      continue;
    if (n > 0 && s[n - 1] == sk * dk) {
      d[n - 1] *= dk;
      s[n - 1] = sk;
      continue;
    }
    d[n] = dk;
    s[n] = sk;
    n++;
  }
  for (int32_t k = 0; k < 6; k++) {
    p->out_dims[k] = 1;
    p->in_strides[k] = 0;
  }
  for (int32_t i = 0; i < n; i++) {
    p->out_dims[6 - n + i] = d[i];
    p->in_strides[6 - n + i] = s[i];
  }
  return TA_OK;
}

static uint64_t transpose_macs(const ta_graph *g, const ta_op *op) {
  (void)g;
  (void)op;
  return 0;
}

const ta_op_def ta_op_def_TRANSPOSE = {
    .check = transpose_check,
    .infer = transpose_infer,
    .prepare = transpose_prepare,
    .macs = transpose_macs,
};
