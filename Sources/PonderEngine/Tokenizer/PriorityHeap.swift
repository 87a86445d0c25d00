/// An element a `PriorityHeap` can order.
protocol HeapOrdered {
    /// True when `self` must come out of the heap before `other`.
    func precedes(_ other: Self) -> Bool
}

/// A binary heap that pops the element preceding all others first.
///
/// Both tokenizer models merge the "best" adjacent pair repeatedly: BPE the lowest merge rank,
/// SentencePiece the highest score; each defines `precedes` and shares this heap. It keeps its
/// storage across `removeAll()` so a tokenizer's scratch heap allocates once.
struct PriorityHeap<Element: HeapOrdered> {
    private var items: [Element] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the first element, or nil when the heap is empty.
    mutating func pop() -> Element? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var parent = 0
        let count = items.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let first = (right < count && items[right].precedes(items[left])) ? right : left
            guard items[first].precedes(items[parent]) else { break }
            items.swapAt(first, parent)
            parent = first
        }
        return top
    }
}
