/* SPDX-License-Identifier: Apache-2.0 */
/* target/host.c: being written. */
#include "ta_base.h"
