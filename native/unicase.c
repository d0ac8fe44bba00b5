/*
 * SQLite loadable extension: the `unicase` collation of Anki's schema-18 collections.
 *
 * Anki registers `UniCase::new(a).cmp(&UniCase::new(b))` from the Rust crate unicase 2.6.0
 * (through rusqlite, which hands it the bytes via String::from_utf8_lossy). Every index on a
 * `COLLATE unicase` column is ordered by that function, so any difference here makes a real
 * client's integrity_check call the file corrupt.
 *
 * What the crate does, and why one loop covers it: two all-ASCII strings compare by ASCII
 * lowercase; otherwise both strings are compared as the sequences of code points produced by
 * folding each character through the crate's table (unicase_table.h). The table maps A-Z to
 * a-z and leaves every other ASCII character alone, so ASCII lowercase is the same as table
 * folding for an all-ASCII string; one folded comparison therefore gives the crate's answer in
 * every case. Sequences compare lexicographically by code point value; a proper prefix is less.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h> /* on glibc, defines __GLIBC__ */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "unicase_table.h"

#define REPLACEMENT_CHARACTER 0xFFFDu

/* A stream of folded code points over one UTF-8 string. */
struct folded_stream {
  const unsigned char *bytes;
  size_t length;
  size_t offset;
  /* Code points of the current character's folding not yet yielded. */
  uint32_t pending[3];
  int pending_count;
  int pending_next;
};

static int is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

/*
 * Decodes one character at s->offset and advances past it. Invalid input is replaced the way
 * Rust's String::from_utf8_lossy does it (what rusqlite hands the crate): each maximal prefix
 * of a valid sequence, or a lone bad byte, becomes one U+FFFD. Never reads past s->length.
 */
static uint32_t decode_next(struct folded_stream *s) {
  const unsigned char *p = s->bytes + s->offset;
  size_t available = s->length - s->offset;
  unsigned char first = p[0];
  uint32_t cp;
  size_t width;

  if (first < 0x80) {
    s->offset += 1;
    return first;
  }
  if (first >= 0xC2 && first <= 0xDF) {
    width = 2;
    cp = first & 0x1F;
  } else if (first >= 0xE0 && first <= 0xEF) {
    width = 3;
    cp = first & 0x0F;
  } else if (first >= 0xF0 && first <= 0xF4) {
    width = 4;
    cp = first & 0x07;
  } else {
    /* 0x80-0xC1 and 0xF5-0xFF never start a character. */
    s->offset += 1;
    return REPLACEMENT_CHARACTER;
  }

  /* The second byte's range depends on the first: no overlongs, no surrogates, nothing past U+10FFFF. */
  if (available < 2) {
    s->offset += 1;
    return REPLACEMENT_CHARACTER;
  }
  {
    unsigned char second = p[1];
    unsigned char low = 0x80, high = 0xBF;
    if (first == 0xE0) low = 0xA0;
    else if (first == 0xED) high = 0x9F;
    else if (first == 0xF0) low = 0x90;
    else if (first == 0xF4) high = 0x8F;
    if (second < low || second > high) {
      s->offset += 1;
      return REPLACEMENT_CHARACTER;
    }
    cp = (cp << 6) | (second & 0x3F);
  }
  for (size_t i = 2; i < width; i++) {
    if (i >= available || !is_continuation(p[i])) {
      s->offset += i;
      return REPLACEMENT_CHARACTER;
    }
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  s->offset += width;
  return cp;
}

static const struct unicase_fold *find_fold(uint32_t cp) {
  size_t low = 0, high = UNICASE_FOLD_COUNT;
  while (low < high) {
    size_t mid = low + (high - low) / 2;
    uint32_t from = UNICASE_FOLDS[mid].from;
    if (from == cp) return &UNICASE_FOLDS[mid];
    if (from < cp) low = mid + 1;
    else high = mid;
  }
  return NULL;
}

/* The next folded code point, or -1 at the end of the string. */
static int64_t next_folded(struct folded_stream *s) {
  if (s->pending_next < s->pending_count) return s->pending[s->pending_next++];
  if (s->offset >= s->length) return -1;

  unsigned char byte = s->bytes[s->offset];
  if (byte < 0x80) {
    s->offset += 1;
    return (byte >= 'A' && byte <= 'Z') ? (uint32_t)byte + 32 : byte;
  }

  uint32_t cp = decode_next(s);
  const struct unicase_fold *fold = find_fold(cp);
  if (fold == NULL) return cp;
  s->pending_count = fold->len;
  s->pending_next = 1;
  for (int i = 0; i < fold->len; i++) s->pending[i] = fold->to[i];
  return s->pending[0];
}

static int unicase_compare(void *unused, int length_a, const void *a, int length_b, const void *b) {
  (void)unused;
  struct folded_stream left = {(const unsigned char *)a, length_a > 0 ? (size_t)length_a : 0, 0, {0}, 0, 0};
  struct folded_stream right = {(const unsigned char *)b, length_b > 0 ? (size_t)length_b : 0, 0, {0}, 0, 0};
  for (;;) {
    int64_t x = next_folded(&left);
    int64_t y = next_folded(&right);
    if (x != y) return x < y ? -1 : 1;
    if (x < 0) return 0;
  }
}

/*
 * `SELECT release_free_memory()`: hands the memory malloc keeps on its free lists back to the
 * system, and answers 1 if it could (glibc), 0 where there is nothing to call. SQLite frees a
 * closed connection's page cache, but glibc keeps freed chunks below the top of its heap
 * mapped: after 200 accounts synced and went quiet, the server's RSS stayed 100 MiB above idle
 * until malloc_trim(0) returned it (issue 29). Node has no way to call it, SQLite does.
 */
static void release_free_memory(sqlite3_context *context, int argc, sqlite3_value **argv) {
  (void)argc;
  (void)argv;
#ifdef __GLIBC__
  malloc_trim(0);
  sqlite3_result_int(context, 1);
#else
  sqlite3_result_int(context, 0);
#endif
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_unicase_init(sqlite3 *db, char **error_message, const sqlite3_api_routines *api) {
  SQLITE_EXTENSION_INIT2(api);
  (void)error_message;
  int rc = sqlite3_create_collation(db, "unicase", SQLITE_UTF8, NULL, unicase_compare);
  if (rc != SQLITE_OK) return rc;
  /* Direct only: a view or trigger in an uploaded collection cannot call it. */
  return sqlite3_create_function(db, "release_free_memory", 0, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, release_free_memory, NULL,
                                 NULL);
}
