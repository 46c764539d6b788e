#include "huoju_icu.h"
#include <stdlib.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

struct hj_segmenter {
    UBreakIterator *breaker;
    UText *text;
    int32_t last;  /* the boundary hj_segment_next continues from */
};

hj_segmenter *hj_segmenter_open(void) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *breaker = ubrk_open(UBRK_WORD, "zh", NULL, 0, &status);
    if (U_FAILURE(status)) return NULL;
    hj_segmenter *segmenter = calloc(1, sizeof *segmenter);
    if (!segmenter) { ubrk_close(breaker); return NULL; }
    segmenter->breaker = breaker;
    return segmenter;
}

void hj_segmenter_close(hj_segmenter *segmenter) {
    if (!segmenter) return;
    if (segmenter->text) utext_close(segmenter->text);
    ubrk_close(segmenter->breaker);
    free(segmenter);
}

int32_t hj_segment_begin(hj_segmenter *segmenter, const char *text, int32_t len) {
    UErrorCode status = U_ZERO_ERROR;
    /* Reusing the UText avoids an allocation per call; UTF-8 native indexes are byte offsets. */
    segmenter->text = utext_openUTF8(segmenter->text, text, len, &status);
    if (U_FAILURE(status)) return -1;
    ubrk_setUText(segmenter->breaker, segmenter->text, &status);
    if (U_FAILURE(status)) return -1;
    segmenter->last = ubrk_first(segmenter->breaker);
    return 0;
}

int32_t hj_segment_next(hj_segmenter *segmenter, hj_segment *out, int32_t cap) {
    int32_t count = 0;
    while (count < cap && segmenter->last != UBRK_DONE) {
        int32_t end = ubrk_next(segmenter->breaker);
        if (end == UBRK_DONE) { segmenter->last = UBRK_DONE; break; }
        out[count].start = segmenter->last;
        out[count].end = end;
        out[count].status = ubrk_getRuleStatus(segmenter->breaker);
        segmenter->last = end;
        count++;
    }
    return count;
}
