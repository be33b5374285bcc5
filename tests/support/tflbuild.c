/* SPDX-License-Identifier: Apache-2.0 */
/* tflbuild.c: placeholder, being written (see tflbuild.h). */
#include "tflbuild.h"
