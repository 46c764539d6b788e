/// The one search every block-structured file shares: the last block whose first key is at or
/// before a target (a term dictionary's term, a stored-fields block's first document). Block 0
/// is the answer when no block qualifies, so a target before every key lands on the first block.
enum BlockSearch {
    /// `isAtOrBefore(i)` tells whether block `i`'s first key is at or before the target; it
    /// must hold for a prefix of the blocks. `count` must be at least 1.
    static func last(count: Int, _ isAtOrBefore: (Int) throws(IndexError) -> Bool) throws(IndexError) -> Int {
        var low = 0, high = count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if try isAtOrBefore(mid) { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
