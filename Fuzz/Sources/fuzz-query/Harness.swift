import HuojuFuzzChecks

/// libFuzzer entry point of the `query` target; the check itself is `FuzzChecks.run("query", _:)`.
/// libFuzzer calls it from one thread.
let checks = FuzzChecks()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    checks.run("query", UnsafeBufferPointer(start: data, count: size))
    return 0
}
