/* System zstd (Debian libzstd-dev): block compression of stored fields, dictionary training. */
#include <zstd.h>
#include <zdict.h>
