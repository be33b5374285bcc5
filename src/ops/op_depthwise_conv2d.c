/* SPDX-License-Identifier: Apache-2.0 */
/* op_depthwise_conv2d.c: not implemented yet. */
#include "ta_ops.h"

const ta_op_def ta_op_def_DEPTHWISE_CONV_2D = {0};
