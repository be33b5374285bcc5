/* SPDX-License-Identifier: Apache-2.0 */
/* cli/inspect.c: being written. */
#include "ta_base.h"
