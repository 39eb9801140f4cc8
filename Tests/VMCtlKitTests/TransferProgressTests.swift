import Testing
@testable import VMCtlKit

/// The numbers on a copy's progress line, without a terminal.
@Suite struct TransferProgressTests {
    @Test(arguments: [
        (TransferProgress(done: 0, total: 4 << 30, elapsed: 0), "0 B of 4.0 GiB (0%)"),
        (TransferProgress(done: 1 << 30, total: 4 << 30, elapsed: 4), "1.0 GiB of 4.0 GiB (25%), 256.0 MiB/s, 0:12 left"),
        (TransferProgress(done: 512 << 20, total: 600 << 30, elapsed: 2), "512.0 MiB of 600.0 GiB (0%), 256.0 MiB/s, 39:58 left"),
        (TransferProgress(done: 1 << 20, total: 8 << 30, elapsed: 1), "1.0 MiB of 8.0 GiB (0%), 1.0 MiB/s, 2:16:31 left"),
        (TransferProgress(done: 4 << 30, total: 4 << 30, elapsed: 8), "4.0 GiB of 4.0 GiB (100%), 512.0 MiB/s"),
        (TransferProgress(done: 700, total: 1000, elapsed: 1), "700 B of 1000 B (70%), 700 B/s, 0:01 left"),
    ])
    func lines(progress: TransferProgress, text: String) {
        #expect(progress.text == text)
    }

    @Test func theMeterDrawsAtMostEveryIntervalAndAlwaysTheEnd() {
        var clock = 0.0
        var drawn: [(String, Bool)] = []
        let meter = TransferMeter(interval: 0.5, now: { clock }) { text, finished in drawn.append((text, finished)) }
        for step in 1...10 {
            clock = Double(step) * 0.1
            meter.update(done: UInt64(step) * 100, total: 1000)
        }
        // 0.1 s (the first), 0.6 s (0.5 later), and 1.0 s (the end).
        #expect(drawn.map(\.1) == [false, false, true])
        #expect(drawn.last?.0 == "1000 B of 1000 B (100%), 1000 B/s")
    }
}
