/* SPDX-License-Identifier: Apache-2.0 */
/* tart_undef.h: forget the X-macros of tart_defs.h, so another reader can define them. */
#undef TART_PARAMS_BEGIN
#undef TART_I32
#undef TART_F32
#undef TART_I32_VEC
#undef TART_I8_ARR
#undef TART_I16_ARR
#undef TART_I32_ARR
#undef TART_F32_ARR
#undef TART_SUB
#undef TART_PARAMS_END
#undef TART_KERNEL
#undef TART_KERNEL_SCRATCH
