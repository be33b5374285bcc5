/* SPDX-License-Identifier: Apache-2.0 */
/* op_relu.c: not implemented yet. */
#include "ta_ops.h"

const ta_op_def ta_op_def_RELU = {0};
const ta_op_def ta_op_def_RELU6 = {0};
const ta_op_def ta_op_def_RELU_N1_TO_1 = {0};
