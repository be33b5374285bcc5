/* SPDX-License-Identifier: Apache-2.0 */
/* op_reshape.c: not implemented yet. */
#include "ta_ops.h"

const ta_op_def ta_op_def_RESHAPE = {0};
