/* SPDX-License-Identifier: Apache-2.0 */
/* op_pool.c: not implemented yet. */
#include "ta_ops.h"

const ta_op_def ta_op_def_AVERAGE_POOL_2D = {0};
const ta_op_def ta_op_def_MAX_POOL_2D = {0};
