/* SPDX-License-Identifier: Apache-2.0 */
/*
 * copy_bytes.c: a byte copy. RESHAPE changes only the shape, so its kernel copies the data as
 * it is (the memory planner can make the output alias the input and drop the call).
 */
#include <string.h>

#include "tart.h"

tart_status tart_copy_bytes(const tart_copy_params *p, const void *const *in, void *const *out,
                            void *scratch) {
  (void)scratch;
  if (p->n_bytes < 0)
    return TART_ERR_PARAMS;
  if (p->n_bytes > 0 && out[0] != in[0])
    memmove(out[0], in[0], (size_t)p->n_bytes);
  return TART_OK;
}
