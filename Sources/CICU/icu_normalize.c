#include "huoju_icu.h"
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uversion.h>

/* UTF-8 -> freshly allocated UTF-16; NULL on failure. */
static UChar *to_utf16(const char *text, int32_t len, int32_t *out_len) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t needed = 0;
    u_strFromUTF8(NULL, 0, &needed, text, len, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) return NULL;
    status = U_ZERO_ERROR;
    UChar *buffer = malloc(sizeof(UChar) * (size_t)(needed + 1));
    if (!buffer) return NULL;
    u_strFromUTF8(buffer, needed + 1, out_len, text, len, &status);
    if (U_FAILURE(status)) { free(buffer); return NULL; }
    return buffer;
}

/* UTF-16 -> UTF-8 into the caller's buffer; returns the needed length or -1. */
static int32_t to_utf8(const UChar *text, int32_t len, char *out, int32_t cap) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t needed = 0;
    u_strToUTF8(out, cap, &needed, text, len, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) return needed;
    return U_FAILURE(status) ? -1 : needed;
}

int32_t hj_nfkc_casefold(const char *text, int32_t len, char *out, int32_t cap) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status)) return -1;
    int32_t source_len = 0;
    UChar *source = to_utf16(text, len, &source_len);
    if (!source) return -1;
    int32_t needed = unorm2_normalize(normalizer, source, source_len, NULL, 0, &status);
    if (status != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(status)) { free(source); return -1; }
    status = U_ZERO_ERROR;
    UChar *result = malloc(sizeof(UChar) * (size_t)(needed + 1));
    if (!result) { free(source); return -1; }
    int32_t result_len = unorm2_normalize(normalizer, source, source_len, result, needed + 1, &status);
    free(source);
    int32_t written = U_FAILURE(status) ? -1 : to_utf8(result, result_len, out, cap);
    free(result);
    return written;
}

int32_t hj_nfkc_casefold_boundary_before(uint32_t codepoint) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status)) return 0;
    return unorm2_hasBoundaryBefore(normalizer, (UChar32)codepoint) ? 1 : 0;
}

struct hj_transliterator {
    UTransliterator *transliterator;
};

hj_transliterator *hj_transliterator_open(const char *id) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t id_len = 0;
    UChar *uid = to_utf16(id, (int32_t)strlen(id), &id_len);
    if (!uid) return NULL;
    UTransliterator *transliterator = utrans_openU(uid, id_len, UTRANS_FORWARD, NULL, 0, NULL, &status);
    free(uid);
    if (U_FAILURE(status)) return NULL;
    hj_transliterator *result = malloc(sizeof *result);
    if (!result) { utrans_close(transliterator); return NULL; }
    result->transliterator = transliterator;
    return result;
}

void hj_transliterator_close(hj_transliterator *transliterator) {
    if (!transliterator) return;
    utrans_close(transliterator->transliterator);
    free(transliterator);
}

int32_t hj_transliterate(hj_transliterator *transliterator, const char *text, int32_t len,
                         char *out, int32_t cap) {
    int32_t source_len = 0;
    UChar *source = to_utf16(text, len, &source_len);
    if (!source) return -1;
    /* Transforms may grow the text; leave room and retry once when they do. */
    int32_t capacity = source_len * 2 + 16;
    for (int attempt = 0; attempt < 2; attempt++) {
        UChar *buffer = malloc(sizeof(UChar) * (size_t)capacity);
        if (!buffer) break;
        memcpy(buffer, source, sizeof(UChar) * (size_t)source_len);
        int32_t text_len = source_len, limit = source_len;
        UErrorCode status = U_ZERO_ERROR;
        utrans_transUChars(transliterator->transliterator, buffer, &text_len, capacity, 0, &limit, &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) { free(buffer); capacity = text_len + 16; continue; }
        int32_t written = U_FAILURE(status) ? -1 : to_utf8(buffer, text_len, out, cap);
        free(buffer);
        free(source);
        return written;
    }
    free(source);
    return -1;
}

const char *hj_icu_version(void) {
    static char version[U_MAX_VERSION_STRING_LENGTH];
    UVersionInfo info;
    u_getVersion(info);
    u_versionToString(info, version);
    return version;
}
