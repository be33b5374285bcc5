/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_defs.h: every kernel family of the runtime, one .def file each (no include guard:
 * included once per X-macro expansion). A family file declares its parameter struct(s) with
 * TART_PARAMS_BEGIN..END and its kernels with TART_KERNEL / TART_KERNEL_SCRATCH
 * (name, family, source file stem in runtime/src/). defs/parts.def comes first: it declares
 * the parts (TART_SUB) the families embed.
 *
 * Kernel names are <op>_<dtype>[_<variant>]: dtype s8, f32, int (integers of any width), or
 * <in>_<out> when the kernel converts (quantize_f32_s8, conv2d_s8s16_s32); variant names a
 * non-reference form (opt, inplace, opt_inplace).
 * One file-naming rule in runtime/src: a file is named after the kernels it holds,
 * <op>[_<dtype>][_<variant>].c, where <op> is their op (conv2d, mean), or the name of their
 * group when the file serves several ops (activation: softmax/logistic/tanh; pool:
 * avgpool/maxpool; binary, unary, qlinear); _<dtype> is there when all its kernels share one
 * (conv2d_s8.c, conv2d_s8s16_s32.c, copy_bytes.c) and absent when the file serves several
 * (binary.c, pad.c, concat.c: the dtypes share their helpers); _<variant> likewise (opt). The
 * runtime's own support files are tart_*.c.
 */
#include "defs/parts.def"
#include "defs/conv.def"
#include "defs/pool.def"
#include "defs/activation.def"
#include "defs/elementwise.def"
#include "defs/shape.def"
#include "defs/qlinear.def"
#include "defs/recurrent.def"
