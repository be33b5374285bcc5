/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsutil.c: atomic output directories, temporary directories, directory listings and child
 * processes.
 */
#define _GNU_SOURCE /* renameat2 (Linux); everything else here is POSIX */
#include "ta_device.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MARKER ".tinyaot-output"

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

void ta_remove_tree(const char *path) {
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Messages name shown (the user's output directory), not the temporary root written. */
static ta_status mkdirs_for(ta_ctx *ctx, const char *root, const char *rel, const char *shown) {
  char path[4096];
  int n = snprintf(path, sizeof path, "%s/%s", root, rel);
  if (n < 0 || (size_t)n >= sizeof path)
    return ta_err(ctx, TA_ERR_IO, "path too long: %s/%s", root, rel);
  for (char *p = path + strlen(root) + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
      return ta_err(ctx, TA_ERR_IO, "cannot create directory '%s/%s': %s", shown,
                    path + strlen(root) + 1, strerror(errno));
    *p = '/';
  }
  return TA_OK;
}

/* Write path; messages call it shown/rel (the name it will have once in place). */
static ta_status write_all(ta_ctx *ctx, const char *path, const char *shown, const char *rel,
                           const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f)
    return ta_err(ctx, TA_ERR_IO, "cannot create '%s/%s': %s", shown, rel, strerror(errno));
  bool ok = fwrite(data, 1, len, f) == len;
  ok = (fclose(f) == 0) && ok;
  if (!ok)
    return ta_err(ctx, TA_ERR_IO, "cannot write '%s/%s': %s", shown, rel, strerror(errno));
  return TA_OK;
}

ta_status ta_write_output_dir(ta_ctx *ctx, const ta_fileset *fs, const char *dir) {
  struct stat st;
  bool exists = stat(dir, &st) == 0;
  if (exists) {
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/%s", dir, MARKER);
    if (!S_ISDIR(st.st_mode) || access(marker, F_OK) != 0)
      return ta_err(ctx, TA_ERR_USAGE,
                    "output directory '%s' exists and was not written by tinyaot; choose another "
                    "path or remove it",
                    dir);
  }
  char *tmp = ta_fmt(ctx, "%s.tmp.%ld", dir, (long)getpid());
  char *old = ta_fmt(ctx, "%s.old.%ld", dir, (long)getpid());
  if (!tmp || !old)
    return TA_ERR_LIMIT;
  ta_remove_tree(tmp);
  if (mkdir(tmp, 0777) != 0)
    return ta_err(ctx, TA_ERR_IO, "cannot create directory '%s' (written next to it first): %s",
                  dir, strerror(errno));
  ta_status s = TA_OK;
  for (int32_t i = 0; i < fs->n && s == TA_OK; i++) {
    s = mkdirs_for(ctx, tmp, fs->files[i].path, dir);
    if (s != TA_OK)
      break;
    char *p = ta_fmt(ctx, "%s/%s", tmp, fs->files[i].path);
    s = p ? write_all(ctx, p, dir, fs->files[i].path, fs->files[i].data, fs->files[i].len)
          : TA_ERR_LIMIT;
  }
  if (s == TA_OK) {
    char *m = ta_fmt(ctx, "%s/%s", tmp, MARKER);
    s = m ? write_all(ctx, m, dir, MARKER, "tinyaot\n", 8) : TA_ERR_LIMIT;
  }
  if (s != TA_OK) {
    ta_remove_tree(tmp);
    return s;
  }
#ifdef RENAME_EXCHANGE
  /* Linux: swap the new directory and the previous output in one step, so that a complete
   * output is at dir at every instant (even if we are killed right here). */
  if (exists && renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
    ta_remove_tree(tmp);
    return TA_OK;
  }
#endif
  /* Elsewhere (or a file system without the exchange): the previous output steps aside first. */
  if (exists && rename(dir, old) != 0) {
    int e = errno;
    ta_remove_tree(tmp);
    return ta_err(ctx, TA_ERR_IO, "cannot replace '%s': %s", dir, strerror(e));
  }
  if (rename(tmp, dir) != 0) {
    int e = errno;
    if (exists)
      rename(old, dir);
    ta_remove_tree(tmp);
    return ta_err(ctx, TA_ERR_IO, "cannot create '%s': %s", dir, strerror(e));
  }
  if (exists)
    ta_remove_tree(old);
  return TA_OK;
}

ta_status ta_check_writable(ta_ctx *ctx, const char *what, const char *path) {
  struct stat sb;
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
    return ta_err(ctx, TA_ERR_USAGE, "%s %s: is a folder; give a file name", what, path);
  const char *slash = strrchr(path, '/');
  char *dir = slash ? ta_strndup(ctx, path, slash == path ? 1 : (size_t)(slash - path))
                    : ta_strndup(ctx, ".", 1);
  if (!dir)
    return TA_ERR_LIMIT;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return ta_err(ctx, TA_ERR_USAGE, "%s %s: the folder '%s' does not exist", what, path, dir);
  if (access(dir, W_OK) != 0)
    return ta_err(ctx, TA_ERR_USAGE, "%s %s: the folder '%s' is not writable", what, path, dir);
  if (access(path, F_OK) == 0 && access(path, W_OK) != 0)
    return ta_err(ctx, TA_ERR_USAGE, "%s %s: the file is not writable", what, path);
  return TA_OK;
}

ta_status ta_write_file_atomic(ta_ctx *ctx, const char *path, const uint8_t *data, size_t len) {
  ta_status st = TA_OK;
  char *tmp = NULL;
  int fd = -1;
  if (st == TA_OK) {
    const size_t n = strlen(path) + sizeof ".tmpXXXXXX";
    tmp = malloc(n);
    if (!tmp)
      st = ta_err(ctx, TA_ERR_LIMIT, "out of memory");
    else {
      snprintf(tmp, n, "%s.tmpXXXXXX", path);
      fd = mkstemp(tmp);
      if (fd < 0)
        st = ta_err(ctx, TA_ERR_IO, "%s: cannot create the output file: %s", path, strerror(errno));
    }
  }
  if (st == TA_OK) {
    size_t done = 0;
    while (done < len) {
      const ssize_t w = write(fd, data + done, len - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0) {
        st = ta_err(ctx, TA_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
        break;
      }
      done += (size_t)w;
    }
  }
  if (fd >= 0) {
    if (close(fd) != 0 && st == TA_OK)
      st = ta_err(ctx, TA_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    /* mkstemp makes the file 0600; a model file is for others to read like any output. */
    if (st == TA_OK)
      chmod(tmp, 0644);
    if (st == TA_OK && rename(tmp, path) != 0)
      st = ta_err(ctx, TA_ERR_IO, "cannot write '%s' (renaming the finished file to it): %s", path,
                  strerror(errno));
    if (st != TA_OK)
      unlink(tmp);
  }
  free(tmp);
  return st;
}

ta_status ta_make_temp_dir(ta_ctx *ctx, const char *tag, char **path) {
  const char *base = getenv("TMPDIR");
  if (!base || !*base)
    base = "/tmp";
  char *p = ta_fmt(ctx, "%s/tinyaot-%s-XXXXXX", base, tag);
  if (!p)
    return TA_ERR_LIMIT;
  if (!mkdtemp(p))
    return ta_err(ctx, TA_ERR_IO, "cannot create a temporary directory in %s: %s", base,
                  strerror(errno));
  *path = p;
  return TA_OK;
}

ta_status ta_spawn(ta_ctx *ctx, char *const *argv, int timeout_s, ta_buf *out, int *exit_code) {
  int fds[2];
  if (pipe(fds) != 0)
    return ta_err(ctx, TA_ERR_IO, "pipe: %s", strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return ta_err(ctx, TA_ERR_IO, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    close(fds[0]);
    close(fds[1]);
    execvp(argv[0], argv);
    fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(fds[1]);
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  time_t deadline = time(NULL) + timeout_s;
  int status = 0;
  bool done = false, timed_out = false;
  char chunk[4096];
  while (!done) {
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
      if (out)
        ta_buf_append(out, chunk, (size_t)n);
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      done = true;
      break;
    }
    if (time(NULL) > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      timed_out = true;
      break;
    }
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  ssize_t n;
  while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
    if (out)
      ta_buf_append(out, chunk, (size_t)n);
  close(fds[0]);
  if (timed_out)
    return ta_err(ctx, TA_ERR_IO, "'%s' did not finish within %d s and was stopped", argv[0],
                  timeout_s);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return TA_OK;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **ta_list_dir(ta_ctx *ctx, const char *dir, bool (*want)(const char *, const char *),
                   int32_t *n) {
  *n = 0;
  DIR *d = opendir(dir);
  if (!d)
    return NULL;
  int32_t cap = 64;
  char **names = ta_new_array(ctx, (size_t)cap, sizeof *names);
  struct dirent *e;
  while (names && (e = readdir(d))) {
    if (e->d_name[0] == '.' || (want && !want(dir, e->d_name)))
      continue;
    if (*n == cap) {
      char **more = ta_new_array(ctx, (size_t)cap * 2, sizeof *more);
      if (!more)
        break;
      memcpy(more, names, (size_t)cap * sizeof *more);
      names = more;
      cap *= 2;
    }
    names[(*n)++] = ta_strdup(ctx, e->d_name);
  }
  closedir(d);
  if (names)
    qsort(names, (size_t)*n, sizeof *names, cmp_str);
  return names;
}

char **ta_list_stems(ta_ctx *ctx, const char *dir, const char *ext, int32_t max, int32_t *n) {
  int32_t all;
  char **names = ta_list_dir(ctx, dir, NULL, &all);
  if (!names)
    return NULL;
  const size_t e = strlen(ext);
  *n = 0;
  for (int32_t i = 0; i < all && *n < max; i++) {
    const size_t l = strlen(names[i]);
    if (l > e && strcmp(names[i] + l - e, ext) == 0)
      names[(*n)++] = ta_strndup(ctx, names[i], l - e);
  }
  qsort(names, (size_t)*n, sizeof *names, cmp_str);
  return names;
}
