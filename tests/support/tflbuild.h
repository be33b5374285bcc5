/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tflbuild.h: the tests' name for the TFLite builder, which lives in the frontend
 * (src/frontend/tflite/tfl_build.h) since the quantize command writes .tflite files with it:
 * one writer for the tests and the tool.
 */
#ifndef TFLBUILD_H
#define TFLBUILD_H

#include "tfl_build.h"

#endif
