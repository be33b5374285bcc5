/* SPDX-License-Identifier: Apache-2.0 */
/* main.c: being written. */
#include <stdio.h>

int main(void) {
  fputs("tinyaot: not built yet\n", stderr);
  return 2;
}
