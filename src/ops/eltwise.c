/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eltwise.c: the shape inference of the element-wise operators (TA_OPF_ELEMENTWISE in
 * ops.def, and SOFTMAX, whose output also has its input's shape), written once for all of
 * them: a unary op's output has input 0's shape; a binary op's output has the numpy
 * broadcast of its two inputs' shapes. The op files name these as their infer hooks.
 *
 * Both only run after the op's check passed (operands exist). When the model already states
 * the output shape (TFLite files do), it must be exactly the inferred one: a kernel writes
 * as many elements as the inferred shape holds.
 */
#include "ta_ops.h"

#include <string.h>

ta_status ta_infer_same_shape(ta_graph *g, ta_op *op) {
  const ta_tensor *x = ta_op_input(g, op, 0);
  ta_tensor *y = ta_op_output(g, op, 0);
  if (!x || !y)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "shape inference before the operands were checked");
  if (!x->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown", x->name);
  if (!y->shape_known) {
    y->shape_known = true;
    y->rank = x->rank;
    memcpy(y->dims, x->dims, sizeof y->dims);
    return TA_OK;
  }
  if (y->rank == x->rank && memcmp(y->dims, x->dims, (size_t)x->rank * sizeof x->dims[0]) == 0)
    return TA_OK;
  char sx[96], sy[96];
  return ta_op_err(g, op, TA_ERR_MALFORMED,
                   "output \"%s\" has shape %s in the model; expected %s like the input", y->name,
                   ta_shape_str(y, sy, sizeof sy), ta_shape_str(x, sx, sizeof sx));
}

bool ta_broadcast_shape(const ta_tensor *a, const ta_tensor *b, int32_t *rank, int32_t *dims,
                        int32_t *bad_dim) {
  const int32_t r = a->rank > b->rank ? a->rank : b->rank;
  for (int32_t k = 0; k < r; k++) {
    const int32_t ka = k - (r - a->rank), kb = k - (r - b->rank);
    const int32_t da = ka >= 0 ? a->dims[ka] : 1, db = kb >= 0 ? b->dims[kb] : 1;
    if (da != db && da != 1 && db != 1) {
      *bad_dim = k;
      return false;
    }
    dims[k] = da == 1 ? db : da;
  }
  *rank = r;
  return true;
}

ta_status ta_infer_broadcast(ta_graph *g, ta_op *op) {
  const ta_tensor *a = ta_op_input(g, op, 0), *b = ta_op_input(g, op, 1);
  ta_tensor *o = ta_op_output(g, op, 0);
  if (!a || !b || !o)
    return ta_op_err(g, op, TA_ERR_INTERNAL, "shape inference before the operands were checked");
  char sa[96], sb[96], so[96], sr[96];
  if (!a->shape_known || !b->shape_known)
    return ta_op_err(g, op, TA_ERR_UNSUPPORTED, "the shape of input \"%s\" is unknown",
                     !a->shape_known ? a->name : b->name);
  int32_t rank = 0, dims[TA_MAX_RANK], bad = 0;
  if (!ta_broadcast_shape(a, b, &rank, dims, &bad)) {
    /* The offending dim, counted in each input's own shape (both exist there: a missing
     * leading dim counts as 1 and broadcasts). */
    const int32_t r = a->rank > b->rank ? a->rank : b->rank;
    const int32_t ka = bad - (r - a->rank), kb = bad - (r - b->rank);
    return ta_op_err(g, op, TA_ERR_MALFORMED,
                     "input shapes %s (\"%s\") and %s (\"%s\") cannot be broadcast together: "
                     "dim %d of the first is %d, dim %d of the second is %d (expected equal, or "
                     "one of them 1)",
                     ta_shape_str(a, sa, sizeof sa), a->name, ta_shape_str(b, sb, sizeof sb),
                     b->name, ka, a->dims[ka], kb, b->dims[kb]);
  }
  if (!o->shape_known) {
    o->shape_known = true;
    o->rank = rank;
    memcpy(o->dims, dims, (size_t)rank * sizeof dims[0]);
    return TA_OK;
  }
  if (o->rank == rank && memcmp(o->dims, dims, (size_t)rank * sizeof dims[0]) == 0)
    return TA_OK;
  ta_tensor want = {0};
  want.shape_known = true;
  want.rank = rank;
  memcpy(want.dims, dims, (size_t)rank * sizeof dims[0]);
  return ta_op_err(g, op, TA_ERR_MALFORMED,
                   "output \"%s\" has shape %s, but inputs %s and %s broadcast to %s", o->name,
                   ta_shape_str(o, so, sizeof so), ta_shape_str(a, sa, sizeof sa),
                   ta_shape_str(b, sb, sizeof sb), ta_shape_str(&want, sr, sizeof sr));
}
