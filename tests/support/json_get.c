/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_get.c: `json_get FILE PATH...`: the CLI tests' JSON reader. FILE ("-": stdin) must hold
 * JSON documents, one after another (a command's stdout holds one, its stderr with --json one
 * per message); each PATH (KEY.KEY.INDEX..., e.g. "layers.0.index", into the first document;
 * "#N.KEY" into document N) is printed on its own line: strings bare, null as "null", numbers
 * and booleans as JSON writes them, objects and arrays compact. A document that does not parse
 * (a key given twice included) or a PATH that is not there: a message on stderr, exit 1. Read
 * with jansson, a real parser, so that a missing comma or an unescaped quote fails the test
 * that reads the document.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOCS 64

static json_t *walk(json_t *v, const char *path) {
  char key[256];
  while (v && *path) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof key)
      return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    path += n + (path[n] == '.');
    if (json_is_array(v)) {
      char *end;
      long i = strtol(key, &end, 10);
      v = *end ? NULL : json_array_get(v, (size_t)i);
    } else {
      v = json_object_get(v, key);
    }
  }
  return v;
}

/* Free what was read (the sanitized test build checks for leaks) and return rc. */
static int done(json_t **docs, int n_docs, FILE *f, int rc) {
  for (int k = 0; k < n_docs; k++)
    json_decref(docs[k]);
  if (f && f != stdin)
    fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: json_get FILE|- [PATH...]\n");
    return 2;
  }
  FILE *f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "rb");
  if (!f) {
    fprintf(stderr, "json_get: cannot open %s\n", argv[1]);
    return 1;
  }
  json_t *docs[MAX_DOCS];
  int n_docs = 0;
  for (;;) {
    int c;
    while ((c = fgetc(f)) == ' ' || c == '\n' || c == '\r' || c == '\t')
      ;
    if (c == EOF)
      break;
    ungetc(c, f);
    json_error_t err;
    json_t *d = json_loadf(f, JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &err);
    if (!d) {
      fprintf(stderr, "json_get: %s: document %d is not valid JSON: %s (line %d, column %d)\n",
              argv[1], n_docs, err.text, err.line, err.column);
      return done(docs, n_docs, f, 1);
    }
    if (n_docs == MAX_DOCS) {
      json_decref(d);
      break;
    }
    docs[n_docs++] = d;
  }
  if (n_docs == 0) {
    fprintf(stderr, "json_get: %s: no JSON document\n", argv[1]);
    return done(docs, n_docs, f, 1);
  }
  for (int i = 2; i < argc; i++) {
    const char *p = argv[i];
    int d = 0;
    if (p[0] == '#') {
      d = atoi(p + 1);
      p = strchr(p, '.') ? strchr(p, '.') + 1 : p + strlen(p);
    }
    json_t *v = d < n_docs ? walk(docs[d], p) : NULL;
    if (!v) {
      fprintf(stderr, "json_get: %s: no %s\n", argv[1], argv[i]);
      return done(docs, n_docs, f, 1);
    }
    if (json_is_string(v)) {
      puts(json_string_value(v));
    } else {
      char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
      puts(s ? s : "?");
      free(s);
    }
  }
  return done(docs, n_docs, f, 0);
}
