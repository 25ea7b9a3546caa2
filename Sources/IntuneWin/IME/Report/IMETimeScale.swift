import Foundation

/// A linear time axis for the report's SVG timelines: local seconds (`LogTimestamp.localSeconds`) to x
/// positions, with ticks at round steps (seconds to days) and labels in the logs' own local time.
struct IMETimeScale {
    /// The first and last second shown.
    let start: Double, end: Double
    /// The x positions they map to.
    let left: Double, right: Double

    /// An axis over `start...end` (its end moved to give at least `minimumSpan` seconds) drawn from `left` to `right`.
    init(start: Double, end: Double, left: Double, right: Double, minimumSpan: Double = 10) {
        let a = min(start, end)
        let b = max(start, end, a + minimumSpan)
        // A little room on both sides so the first and last marks are not cut at the edge.
        let pad = (b - a) * 0.01
        self.start = a - pad
        self.end = b + pad
        self.left = left
        self.right = right
    }

    /// The x position of `seconds`, clamped to the axis.
    func x(_ seconds: Double) -> Double {
        let f = (seconds - start) / (end - start)
        return left + max(0, min(1, f)) * (right - left)
    }

    /// Round steps a tick may use, in seconds.
    static let steps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
                                  86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400, 365 * 86400]

    /// The step giving at most `maximum` ticks.
    func step(maximum: Int) -> Double {
        let span = end - start
        return Self.steps.first { span / $0 <= Double(maximum) } ?? (span / Double(maximum)).rounded(.up)
    }

    /// Tick positions (local seconds) at multiples of the step, at most `maximum` of them.
    func ticks(maximum: Int = 8) -> [Double] {
        let step = step(maximum: maximum)
        let first = (start / step).rounded(.up)
        var out: [Double] = []
        var i = 0.0
        while (first + i) * step <= end, out.count <= maximum { out.append((first + i) * step); i += 1 }
        return out
    }

    /// A tick label: `HH:mm:ss` under a minute's step, `HH:mm` under a day's, with the date when the axis
    /// spans more than one day (or its step is whole days).
    func label(_ seconds: Double, step: Double) -> String {
        let c = Self.civil(seconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if step < 1 {
            let tenths = Int((seconds * 10).rounded())
            let w = Self.civil(Double(tenths / 10))
            return "\(two(w.hour)):\(two(w.minute)):\(two(w.second)).\(tenths % 10)"
        }
        let time = step < 60 ? "\(two(c.hour)):\(two(c.minute)):\(two(c.second))" : "\(two(c.hour)):\(two(c.minute))"
        if step >= 86400 { return "\(c.year)-\(two(c.month))-\(two(c.day))" }
        if end - start > 86400 || Self.civil(start).day != Self.civil(end).day { return "\(two(c.month))-\(two(c.day)) \(time)" }
        return time
    }

    /// The calendar date and time of local `seconds` since 1970 (the inverse of `LogTimestamp.localSeconds`).
    static func civil(_ seconds: Double) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let total = Int(seconds.rounded(.down))
        var days = total / 86400, rest = total % 86400
        if rest < 0 { rest += 86400; days -= 1 }
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day, rest / 3600, rest % 3600 / 60, rest % 60)
    }
}
