/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tart_defs.h: every kernel family of the runtime, one .def file each (no include guard:
 * included once per X-macro expansion). A family file declares its parameter struct(s) with
 * TART_PARAMS_BEGIN..END and its kernels with TART_KERNEL / TART_KERNEL_SCRATCH
 * (name, family, source file stem in runtime/src/). defs/parts.def comes first: it declares
 * the parts (TART_SUB) the families embed.
 */
#include "defs/parts.def"
#include "defs/conv.def"
#include "defs/pool.def"
#include "defs/activation.def"
#include "defs/elementwise.def"
#include "defs/shape.def"
#include "defs/qlinear.def"
