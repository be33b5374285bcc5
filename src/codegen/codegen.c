/* SPDX-License-Identifier: Apache-2.0 */
/* codegen/codegen.c: being written. */
#include "ta_base.h"
