#include "huoju_icu.h"
#include <stdlib.h>
#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>
#include <unicode/ucsdet.h>
#include <unicode/ustring.h>

int32_t hj_detect_charset(const char *bytes, int32_t len, char *name, int32_t name_cap) {
    UErrorCode status = U_ZERO_ERROR;
    UCharsetDetector *detector = ucsdet_open(&status);
    if (U_FAILURE(status)) return -1;
    ucsdet_setText(detector, bytes, len, &status);
    const UCharsetMatch *match = ucsdet_detect(detector, &status);
    int32_t confidence = -1;
    if (U_SUCCESS(status) && match) {
        const char *found = ucsdet_getName(match, &status);
        if (U_SUCCESS(status) && found && name_cap > 0) {
            strncpy(name, found, (size_t)name_cap - 1);
            name[name_cap - 1] = 0;
            confidence = ucsdet_getConfidence(match, &status);
        }
    }
    ucsdet_close(detector);
    return U_SUCCESS(status) ? confidence : -1;
}

int32_t hj_convert_to_utf8(const char *charset, const char *bytes, int32_t len,
                           char *out, int32_t cap, int32_t *bad_offset) {
    *bad_offset = -1;
    UErrorCode status = U_ZERO_ERROR;
    UConverter *converter = ucnv_open(charset, &status);
    if (U_FAILURE(status)) return -1;
    /* Stop at the first illegal or unmappable sequence instead of inserting U+FFFD:
     * a wrong guess must fail loudly, not produce mojibake. */
    ucnv_setToUCallBack(converter, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &status);
    int32_t capacity = len + 2; /* no charset yields more UTF-16 units than bytes, plus a BOM-less margin */
    UChar *utf16 = malloc(sizeof(UChar) * (size_t)capacity);
    if (!utf16) { ucnv_close(converter); return -1; }
    UChar *target = utf16;
    const char *source = bytes;
    ucnv_toUnicode(converter, &target, utf16 + capacity, &source, bytes + len, NULL, 1, &status);
    int32_t result;
    if (U_FAILURE(status)) {
        /* ICU consumed the bad sequence; the error characters tell how long it was. */
        char bad[32];
        int8_t bad_len = sizeof bad;
        UErrorCode ignored = U_ZERO_ERROR;
        ucnv_getInvalidChars(converter, bad, &bad_len, &ignored);
        *bad_offset = (int32_t)(source - bytes) - (U_SUCCESS(ignored) ? bad_len : 0);
        result = -2;
    } else {
        int32_t needed = 0;
        UErrorCode utf8_status = U_ZERO_ERROR;
        u_strToUTF8(out, cap, &needed, utf16, (int32_t)(target - utf16), &utf8_status);
        result = (utf8_status == U_BUFFER_OVERFLOW_ERROR || utf8_status == U_STRING_NOT_TERMINATED_WARNING || U_SUCCESS(utf8_status)) ? needed : -1;
    }
    free(utf16);
    ucnv_close(converter);
    return result;
}
