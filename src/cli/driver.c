/* SPDX-License-Identifier: Apache-2.0 */
/* cli/driver.c: being written. */
#include "ta_base.h"
