import Foundation
import FuzzEntry
import HuojuFuzzChecks

/// libFuzzer entry point of the `segment` target; the check itself is `FuzzChecks.run("segment", _:)`.
/// libFuzzer calls it from one thread.
let checks = FuzzChecks()

/// Sets up before the first input (so setup is not timed as one). `HUOJU_FUZZ_WRITE_SEEDS=DIR`
/// writes the seeds (the intact files) into DIR.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    checks.prepare("segment")
    if let directory = ProcessInfo.processInfo.environment["HUOJU_FUZZ_WRITE_SEEDS"] { checks.writeSegmentSeeds(to: directory) }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    checks.run("segment", UnsafeBufferPointer(start: data, count: size))
    return 0
}
