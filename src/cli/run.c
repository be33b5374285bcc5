/* SPDX-License-Identifier: Apache-2.0 */
/* cli/run.c: being written. */
#include "ta_base.h"
