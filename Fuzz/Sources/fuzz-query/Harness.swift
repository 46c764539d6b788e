import FuzzEntry
import HuojuFuzzChecks

/// libFuzzer entry point of the `query` target; the check itself is `FuzzChecks.run("query", _:)`.
/// libFuzzer calls it from one thread.
let checks = FuzzChecks()

/// Sets up before the first input, so that setup is not timed as one.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    checks.prepare("query")
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    checks.run("query", UnsafeBufferPointer(start: data, count: size))
    return 0
}
