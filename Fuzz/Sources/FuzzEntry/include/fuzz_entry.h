#pragma once
// Entry points of the harnesses: SwiftPM links each executable with its `main` taken from
// `<module>_main`; here that hands over to libFuzzer's driver (see entry.c).
int fuzz_protocol_main(int argc, char **argv);
int fuzz_query_main(int argc, char **argv);
int fuzz_issue_main(int argc, char **argv);
int fuzz_segment_main(int argc, char **argv);
