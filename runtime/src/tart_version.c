/* SPDX-License-Identifier: Apache-2.0 */
/* tart_version.c: the runtime's version string (keeps the library non-empty). */
#include "tart.h"

const char *tart_version(void);
const char *tart_version(void) {
  return "tart 0.1.0";
}
