// Result slots that concurrent workers fill, one index each: used by the loader, the renderer and
// the sealer. The storage is allocated once and written through a raw pointer, because mutating
// one Swift Array from several threads (even at different indices) is a data race.
public final class ParallelSlots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Value?>
    public let count: Int

    public init(count: Int) {
        self.count = count
        storage = UnsafeMutablePointer<Value?>.allocate(capacity: max(count, 1))
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    /// Each index must be set by one worker only.
    public func set(_ index: Int, _ value: Value) {
        precondition(index >= 0 && index < count, "slot \(index) out of 0..<\(count)")
        storage[index] = value
    }

    /// The value at `index`, nil when no worker set it. Call after every worker has finished.
    public subscript(index: Int) -> Value? { storage[index] }

    /// The values set so far, in index order. Call after every worker has finished.
    public var values: [Value] { (0..<count).compactMap { storage[$0] } }
}
