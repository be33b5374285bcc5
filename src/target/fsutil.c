/* SPDX-License-Identifier: Apache-2.0 */
/* target/fsutil.c: being written. */
#include "ta_base.h"
