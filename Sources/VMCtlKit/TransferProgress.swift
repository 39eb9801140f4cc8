import FoundationEssentials
import TextSupport
#if canImport(Glibc)
import Glibc
#endif

/// The numbers on a progress line for a copy: bytes done of total, rate and ETA,
/// e.g. `1.2 GiB of 4.0 GiB (30%), 150.0 MiB/s, 0:21 left`.
public struct TransferProgress: Sendable, Equatable {
    public var done: UInt64
    public var total: UInt64
    /// Seconds since the copy began.
    public var elapsed: Double

    /// Bytes a second so far; nil before there is anything to go on.
    public var rate: Double? {
        guard elapsed > 0.05, done > 0 else { return nil }
        return Double(done) / elapsed
    }

    /// Seconds left at the rate so far.
    public var secondsLeft: Double? {
        guard let rate, total >= done else { return nil }
        return Double(total - done) / rate
    }

    public var text: String {
        let percent = total > 0 ? min(100, Int(done * 100 / total)) : 100
        var line = "\(Self.bytes(done)) of \(Self.bytes(total)) (\(percent)%)"
        if let rate { line += ", \(Self.bytes(UInt64(rate)))/s" }
        if done < total, let secondsLeft { line += ", \(Self.duration(secondsLeft)) left" }
        return line
    }

    /// 1024-based, one decimal from KiB up: `512 B`, `1.5 MiB`.
    static func bytes(_ count: UInt64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        guard count >= 1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return cFormat("%.1f", value) + " " + units[unit]
    }

    /// `m:ss`, or `h:mm:ss` from an hour.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0 ? cFormat("%d:%02d:%02d", hours, minutes, secs) : cFormat("%d:%02d", minutes, secs)
    }
}

/// Turns a copy's (done, total) reports into progress lines: the first, then at
/// most one every `interval` seconds, and always the last (`finished`).
public final class TransferMeter: @unchecked Sendable {
    private let interval: Double
    private let now: () -> Double
    private let draw: (_ text: String, _ finished: Bool) -> Void
    private let start: Double
    private var lastDrawn: Double?

    public init(interval: Double = 0.25, now: @escaping () -> Double = TransferMeter.monotonicSeconds,
                draw: @escaping (_ text: String, _ finished: Bool) -> Void) {
        self.interval = interval
        self.now = now
        self.draw = draw
        start = now()
    }

    public func update(done: UInt64, total: UInt64) {
        let time = now()
        let finished = done >= total
        if !finished, let lastDrawn, time - lastDrawn < interval { return }
        lastDrawn = time
        draw(TransferProgress(done: done, total: total, elapsed: time - start).text, finished)
    }

    /// Seconds on the monotonic clock.
    public static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
