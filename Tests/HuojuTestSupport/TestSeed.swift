import Foundation

/// The seed of a randomized test: `HUOJU_TEST_SEED` when set (to replay a failure or to try
/// other inputs), else the test's own fixed seed, so CI runs are repeatable. Tests put the
/// seed in every failure message.
public enum TestSeed {
    public static func value(default fixed: UInt64) -> UInt64 {
        ProcessInfo.processInfo.environment["HUOJU_TEST_SEED"].flatMap { UInt64($0) } ?? fixed
    }
}
