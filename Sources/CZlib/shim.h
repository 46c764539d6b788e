/* System zlib (Debian zlib1g-dev): crc32 for file checksums. */
#include <zlib.h>
