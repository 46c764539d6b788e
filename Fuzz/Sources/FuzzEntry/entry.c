#include <stddef.h>
#include <stdint.h>
#include "fuzz_entry.h"

// libFuzzer's driver, for a program that has its own main (the harnesses' main is named by
// SwiftPM, so libFuzzer's own cannot be used). Each harness defines the callback in Swift.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

int fuzz_protocol_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_query_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_issue_main(int argc, char **argv) { return run(argc, argv); }
int fuzz_segment_main(int argc, char **argv) { return run(argc, argv); }
