/* SPDX-License-Identifier: Apache-2.0 */
/* flatbuf.c: placeholder, being written. */
#include "ta_tflite.h"
