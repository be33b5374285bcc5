/* SPDX-License-Identifier: Apache-2.0 */
/* plan/plan.c: being written. */
#include "ta_base.h"
