/* SPDX-License-Identifier: Apache-2.0 */
/* cli/compile.c: being written. */
#include "ta_base.h"
