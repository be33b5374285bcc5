/* SPDX-License-Identifier: Apache-2.0 */
/*
 * blob.c: code blobs for the tuning firmware's code area (see ta_tune_device.h).
 *
 * A blob is linked by a generated script with one memory region, the code area: text,
 * rodata, data and bss follow each other from code_base, and every loadable segment of the
 * ELF is copied into one image (bss as zeros), so writing the image at code_base is the whole
 * load: no startup code runs on the board, the .data values are already in place. The image
 * is read from the ELF's program headers here, every offset checked, rather than by objcopy,
 * which would drop the bss at the end.
 *
 * Cache: the image, its address and its entry go to cache_dir/blob-HASH.bin, HASH a 64-bit
 * FNV-1a over what decides the image (every source and its path, the backends' sources,
 * include folders and flags, the entry symbol, the board, the address, the compiler and
 * $TA_ARM_CFLAGS, and this file's format version). Re-tuning a model builds nothing twice.
 * The file is written atomically; a damaged one is rebuilt.
 */
#define _XOPEN_SOURCE 700
#include "ta_tune_device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ta_device.h"

/* Bump when the build or the cache file changes meaning. */
#define BLOB_FORMAT "tinyaot-blob-1"
#define CACHE_MAGIC "TABLOB1"
#define CACHE_HEADER 20 /* magic (8), load_addr, entry, bytes */

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint32_t rd16(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static void wr32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t hash_str(uint64_t h, const char *s) {
  return ta_fnv1a64(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static uint64_t blob_hash(const ta_board *b, const ta_fileset *fs, const char *entry,
                          uint32_t code_base) {
  uint64_t h = hash_str(0xCBF29CE484222325ull, BLOB_FORMAT);
  for (int32_t i = 0; i < fs->n; i++) {
    h = hash_str(h, fs->files[i].path);
    h = ta_fnv1a64(h, &fs->files[i].len, sizeof fs->files[i].len);
    h = ta_fnv1a64(h, fs->files[i].data, fs->files[i].len);
  }
  /* A library checkout's files are named, not read: the checkout is fixed for a run. */
  for (int32_t i = 0; i < fs->build.n_sources; i++)
    h = hash_str(h, fs->build.sources[i]);
  for (int32_t i = 0; i < fs->build.n_include_dirs; i++)
    h = hash_str(h, fs->build.include_dirs[i]);
  for (int32_t i = 0; i < fs->build.n_cflags; i++)
    h = hash_str(h, fs->build.cflags[i]);
  h = hash_str(h, entry);
  h = hash_str(h, b->target);
  h = ta_fnv1a64(h, &code_base, sizeof code_base);
  h = hash_str(h, getenv("TA_ARM_CC"));
  return hash_str(h, getenv("TA_ARM_CFLAGS"));
}

/* A cached image: the header must match the request and the size the file. */
static bool cache_load(ta_ctx *ctx, const char *path, uint32_t code_base, ta_blob *out) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return false;
  uint8_t *d;
  size_t n;
  if (ta_read_file(ctx, path, &d, &n) != TA_OK)
    return false;
  if (n < CACHE_HEADER || memcmp(d, CACHE_MAGIC, 8) != 0 || rd32(d + 8) != code_base ||
      rd32(d + 16) != n - CACHE_HEADER)
    return false;
  out->load_addr = rd32(d + 8);
  out->entry = rd32(d + 12);
  out->bytes = n - CACHE_HEADER;
  out->image = d + CACHE_HEADER;
  return true;
}

/* The image of elf's PT_LOAD segments, which must lie in [base, base + max). */
static ta_status elf_image(ta_ctx *ctx, const char *path, uint32_t base, uint32_t max,
                           const char *entry_symbol, ta_blob *out) {
  uint8_t *d;
  size_t n;
  ta_status st = ta_read_file(ctx, path, &d, &n);
  if (st != TA_OK)
    return st;
  if (n < 52 || memcmp(d, "\177ELF", 4) != 0 || d[4] != 1 || d[5] != 1)
    return ta_err(ctx, TA_ERR_INTERNAL, "%s: not a 32-bit little-endian ELF file", path);
  uint32_t entry = rd32(d + 24), phoff = rd32(d + 28), phentsize = rd16(d + 42),
           phnum = rd16(d + 44);
  if (phentsize < 32 || phoff > n || (uint64_t)phnum * phentsize > n - phoff)
    return ta_err(ctx, TA_ERR_INTERNAL, "%s: bad program header table", path);
  uint64_t end = base;
  for (uint32_t i = 0; i < phnum; i++) {
    const uint8_t *ph = d + phoff + (size_t)i * phentsize;
    uint32_t paddr = rd32(ph + 12), memsz = rd32(ph + 20);
    if (rd32(ph) != 1 || memsz == 0) /* PT_LOAD with bytes */
      continue;
    if (paddr < base)
      return ta_err(ctx, TA_ERR_INTERNAL, "%s: a segment at 0x%08x, below the code area 0x%08x",
                    path, paddr, base);
    if ((uint64_t)paddr + memsz > end)
      end = (uint64_t)paddr + memsz;
  }
  uint64_t bytes = end - base;
  if (bytes > max)
    return ta_err(ctx, TA_ERR_LIMIT,
                  "the blob is %llu bytes, the board's code area holds %u (text, rodata, data and "
                  "bss of every source)",
                  (unsigned long long)bytes, max);
  uint8_t *img = ta_new(ctx, bytes ? (size_t)bytes : 1);
  if (!img)
    return TA_ERR_LIMIT;
  memset(img, 0, (size_t)bytes);
  for (uint32_t i = 0; i < phnum; i++) {
    const uint8_t *ph = d + phoff + (size_t)i * phentsize;
    uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12), filesz = rd32(ph + 16),
             memsz = rd32(ph + 20);
    if (rd32(ph) != 1 || memsz == 0 || filesz == 0)
      continue;
    if (filesz > memsz || off > n || filesz > n - off)
      return ta_err(ctx, TA_ERR_INTERNAL, "%s: segment %u lies outside the file", path, i);
    memcpy(img + (paddr - base), d + off, filesz);
  }
  if ((entry & ~1u) < base || (entry & ~1u) >= end)
    return ta_err(ctx, TA_ERR_INTERNAL, "%s: entry '%s' at 0x%08x lies outside the image", path,
                  entry_symbol, entry);
  out->image = img;
  out->bytes = (size_t)bytes;
  out->load_addr = base;
  out->entry = entry | 1u; /* Thumb: every Cortex-M function */
  return TA_OK;
}

/* Compile and link fs in dir; the ELF is dir/blob.elf. */
static ta_status build(ta_ctx *ctx, const ta_board *b, const ta_fileset *fs, const char *entry,
                       uint32_t code_base, const char *dir) {
  char *gen = ta_fmt(ctx, "%s/src", dir), *ld = ta_fmt(ctx, "%s/blob.ld", dir);
  if (!gen || !ld)
    return TA_ERR_LIMIT;
  ta_status st = ta_write_output_dir(ctx, fs, gen);
  if (st != TA_OK)
    return st;
  /* One region from the code area's start; everything in it, in load order, and nothing else.
   * It reaches to the end of the address space so that an image too large for the area is
   * linked anyway and reported with its size (elf_image), not as a linker error. */
  char *script = ta_fmt(ctx,
                        "/* blob.ld: generated by tinyaot (src/device/blob.c) */\n"
                        "MEMORY\n{\n  CODE (rwx) : ORIGIN = 0x%08x, LENGTH = 0x%08x\n}\n"
                        "SECTIONS\n{\n"
                        "  .text : { *(.text .text.*) *(.glue_7 .glue_7t .vfp11_veneer .v4_bx) "
                        ". = ALIGN(4); } > CODE\n"
                        "  .rodata : { *(.rodata .rodata.*) . = ALIGN(4); } > CODE\n"
                        "  .ARM.extab : { *(.ARM.extab* .gnu.linkonce.armextab.*) } > CODE\n"
                        "  .ARM.exidx : { *(.ARM.exidx* .gnu.linkonce.armexidx.*) } > CODE\n"
                        "  .data : { . = ALIGN(4); *(.data .data.*) . = ALIGN(4); } > CODE\n"
                        "  .bss : { . = ALIGN(4); *(.bss .bss.* COMMON) . = ALIGN(4); } > CODE\n"
                        "}\n",
                        code_base, 0xFFFFFFFFu - code_base);
  if (!script)
    return TA_ERR_LIMIT;
  st = ta_write_file(ctx, ld, script, strlen(script));
  if (st != TA_OK)
    return st;
  char *common[96];
  ta_arm_cflags(ctx, b, common);
  char *objs[600];
  int32_t n_objs = 0;
  st = ta_arm_compile_fileset(ctx, b, fs, gen, "-O2", NULL, NULL, dir, objs, &n_objs, 500,
                              "compiling a blob for the board");
  if (st != TA_OK)
    return st;
  if (n_objs == 0)
    return ta_err(ctx, TA_ERR_USAGE, "a blob needs at least one .c source");
  char *argv[700];
  int32_t k = 0;
  argv[k++] = common[0];
  for (int i = 0; b->cflags[i]; i++)
    argv[k++] = (char *)(uintptr_t)b->cflags[i];
  argv[k++] = "-mthumb";
  argv[k++] = "-nostartfiles";
  argv[k++] = "--specs=nano.specs";
  argv[k++] = ta_fmt(ctx, "-T%s", ld);
  argv[k++] = "-Wl,--gc-sections";
  /* The entry must exist (no default start address) and roots the section GC. */
  argv[k++] = ta_fmt(ctx, "-Wl,--require-defined=%s", entry);
  argv[k++] = ta_fmt(ctx, "-Wl,--entry=%s", entry);
  argv[k++] = ta_fmt(ctx, "-Wl,-Map=%s/blob.map", dir);
  for (int32_t i = 0; i < n_objs; i++)
    argv[k++] = objs[i];
  argv[k++] = "-lm";
  argv[k++] = "-o";
  argv[k++] = ta_fmt(ctx, "%s/blob.elf", dir);
  argv[k] = NULL;
  for (int32_t j = 0; j < k; j++)
    if (!argv[j])
      return TA_ERR_LIMIT;
  return ta_arm_run(ctx, argv, "linking a blob for the board");
}

ta_status ta_blob_build(ta_ctx *ctx, const ta_board *b, const ta_fileset *fs,
                        const char *entry_symbol, uint32_t code_base, uint32_t code_bytes,
                        const char *cache_dir, ta_blob *out) {
  memset(out, 0, sizeof *out);
  if (!entry_symbol || !*entry_symbol)
    return ta_err(ctx, TA_ERR_USAGE, "a blob needs an entry symbol");
  if ((code_base & 3u) != 0 || (uint64_t)code_base + code_bytes > 0x100000000ull)
    return ta_err(ctx, TA_ERR_USAGE, "code area 0x%08x (%u bytes): not aligned or past 4 GiB",
                  code_base, code_bytes);
  uint64_t h = blob_hash(b, fs, entry_symbol, code_base);
  snprintf(out->hash, sizeof out->hash, "%016llx", (unsigned long long)h);
  char *cached = NULL;
  if (cache_dir) {
    if (mkdir(cache_dir, 0777) != 0 && errno != EEXIST)
      return ta_err(ctx, TA_ERR_IO, "cannot create '%s': %s", cache_dir, strerror(errno));
    cached = ta_fmt(ctx, "%s/blob-%s.bin", cache_dir, out->hash);
    if (!cached)
      return TA_ERR_LIMIT;
    if (cache_load(ctx, cached, code_base, out)) {
      if (out->bytes > code_bytes)
        return ta_err(ctx, TA_ERR_LIMIT, "the blob is %zu bytes, the board's code area holds %u",
                      out->bytes, code_bytes);
      return TA_OK;
    }
  }
  char *dir;
  ta_status st = ta_make_temp_dir(ctx, "blob", &dir);
  if (st != TA_OK)
    return st;
  st = build(ctx, b, fs, entry_symbol, code_base, dir);
  char *elf = ta_fmt(ctx, "%s/blob.elf", dir);
  if (st == TA_OK)
    st = elf ? elf_image(ctx, elf, code_base, code_bytes, entry_symbol, out) : TA_ERR_LIMIT;
  ta_remove_tree(dir);
  if (st != TA_OK || !cached)
    return st;
  uint8_t *file = ta_new(ctx, CACHE_HEADER + out->bytes);
  if (!file)
    return TA_ERR_LIMIT;
  memcpy(file, CACHE_MAGIC, 8);
  wr32(file + 8, out->load_addr);
  wr32(file + 12, out->entry);
  wr32(file + 16, (uint32_t)out->bytes);
  memcpy(file + CACHE_HEADER, out->image, out->bytes);
  return ta_write_file_atomic(ctx, cached, file, CACHE_HEADER + out->bytes);
}
