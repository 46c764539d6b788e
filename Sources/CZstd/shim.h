/* System zstd (Debian libzstd-dev): block compression of stored fields, dictionary training. */
#include <zstd.h>
/* For ZDICT_trainFromBuffer_fastCover: one training pass with fixed parameters. */
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
