/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tfl_schema.h: the values of TensorFlow Lite's schema.fbs enums as C enums, derived from
 * tfl_schema.def (where each is written once; the test writer derives its TFB_* names from
 * the same file): TA_TFL_OP_<BuiltinOperator>, TA_TFL_TYPE_<TensorType>,
 * TA_TFL_ACT_<ActivationFunctionType>, TA_TFL_PAD_<Padding>, TA_TFL_OPT_<options table>.
 */
#ifndef TFL_SCHEMA_H
#define TFL_SCHEMA_H

typedef enum ta_tfl_builtin {
#define TFL_BUILTIN(name, code) TA_TFL_OP_##name = code,
#include "tfl_schema.def"
  TA_TFL_BUILTIN_COUNT /* the codes run 0..count-1 without gaps */
} ta_tfl_builtin;

typedef enum ta_tfl_tensor_type {
#define TFL_TENSOR_TYPE(name, code) TA_TFL_TYPE_##name = code,
#include "tfl_schema.def"
  TA_TFL_TENSOR_TYPE_COUNT
} ta_tfl_tensor_type;

typedef enum ta_tfl_activation {
#define TFL_ACTIVATION(name, code) TA_TFL_ACT_##name = code,
#include "tfl_schema.def"
  TA_TFL_ACTIVATION_COUNT
} ta_tfl_activation;

typedef enum ta_tfl_padding {
#define TFL_PADDING(name, code) TA_TFL_PAD_##name = code,
#include "tfl_schema.def"
  TA_TFL_PADDING_COUNT
} ta_tfl_padding;

/* BuiltinOptions union types of the options tables tinyaot reads; NONE: no table. */
typedef enum ta_tfl_options {
  TA_TFL_OPT_NONE = 0,
#define TFL_OPTIONS(id, table, code) TA_TFL_OPT_##id = code,
#include "tfl_schema.def"
} ta_tfl_options;

#endif
