#ifndef HUOJU_ICU_H
#define HUOJU_ICU_H
/*
 * The only door from Swift to system ICU. Swift's Foundation on Linux bundles its own ICU,
 * so this header exposes plain C types only; the .c files include <unicode/...>.
 * All text crossing it is UTF-8 unless said otherwise. Functions that fill a buffer return
 * the length they need; when that exceeds the capacity, call again with a larger buffer.
 * A negative return is an error.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Word segmentation (ICU word break, locale zh) ---- */

/* One segment of text between two word-break boundaries. */
typedef struct {
    int32_t start;   /* byte offset in the UTF-8 input */
    int32_t end;     /* byte offset, exclusive */
    int32_t status;  /* ICU rule status: <100 none (space, punctuation), 100-199 number,
                        200-299 letter, 300-399 kana, 400-499 ideographic */
} hj_segment;

typedef struct hj_segmenter hj_segmenter;

/* A segmenter is not thread-safe; open one per thread. NULL on failure. */
hj_segmenter *hj_segmenter_open(void);
void hj_segmenter_close(hj_segmenter *segmenter);

/* Segments `len` bytes of valid UTF-8, which must stay alive until the last hj_segment_next:
 * each call writes the next segments, at most `cap`, and returns how many (0 at the end), so
 * memory does not grow with the text. hj_segment_begin returns 0, or -1 on an ICU error. */
int32_t hj_segment_begin(hj_segmenter *segmenter, const char *text, int32_t len);
int32_t hj_segment_next(hj_segmenter *segmenter, hj_segment *out, int32_t cap);

/* ---- Normalization: NFKC with case folding ---- */

/* NFKC_Casefold of UTF-8 text into `out`; returns the needed byte length or -1. */
int32_t hj_nfkc_casefold(const char *text, int32_t len, char *out, int32_t cap);

/* 1 when the code point starts a normalization chunk on its own (text may be split
 * before it and each part normalized alone), else 0. */
int32_t hj_nfkc_casefold_boundary_before(uint32_t codepoint);

/* ---- Transliteration ---- */

typedef struct hj_transliterator hj_transliterator;

/* Opens an ICU transform by id, e.g. "Traditional-Simplified". NULL on failure. */
hj_transliterator *hj_transliterator_open(const char *id);
void hj_transliterator_close(hj_transliterator *transliterator);

/* Transforms UTF-8 text into `out`; returns the needed byte length or -1. */
int32_t hj_transliterate(hj_transliterator *transliterator, const char *text, int32_t len,
                         char *out, int32_t cap);

/* ---- Charsets ---- */

/* Best guess of the charset of raw bytes, e.g. "GB18030", "UTF-16LE"; writes a
 * NUL-terminated name and returns ICU's confidence 0-100, or -1 when nothing fits. */
int32_t hj_detect_charset(const char *bytes, int32_t len, char *name, int32_t name_cap);

/* Strictly converts bytes in `charset` to UTF-8: any illegal or unmappable sequence fails.
 * Returns the needed byte length; -1 for an unknown charset; -2 for invalid input, with the
 * byte offset of the first bad sequence in *bad_offset when known (else -1). */
int32_t hj_convert_to_utf8(const char *charset, const char *bytes, int32_t len,
                           char *out, int32_t cap, int32_t *bad_offset);

/* The ICU version, e.g. "72.1", for index compatibility checks. */
const char *hj_icu_version(void);

#ifdef __cplusplus
}
#endif
#endif
