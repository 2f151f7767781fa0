import AutogradKernels
import Foundation
import ToolSupport

@main
struct AutogradBench: Tool {
    static let name = "autograd-bench"
    static let abstract = "Times the workloads of BENCHMARKS.md (build with -c release)."
    static var flags: [Flag<Self>] {
        [.option("workloads", \.workloads,
                 help: "Workloads to run, comma-separated (\(allWorkloads.joined(separator: ",")))."),
         .option("repetitions", \.repetitions, help: "Timed repetitions per workload (the median and min are reported)."),
         .option("json", \.json, help: "Also write the results as JSON to this file.")]
    }
    static let allWorkloads = ["W1", "W2", "W2c", "W3", "W4", "W5", "W6", "W7", "W8", "W9", "W10", "W11"]

    var workloads = allWorkloads.joined(separator: ",")
    var repetitions = 7
    var json: String?

    /// The workloads named, in order.
    var chosen: [String] { workloads.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

    /// Rejects an unknown workload before any runs (together they take
    /// minutes), and fewer than one repetition (nothing to report; a negative
    /// count would trap).
    func validate() throws(UsageError) {
        if let unknown = chosen.first(where: { !Self.allWorkloads.contains($0) }) {
            throw UsageError("unknown workload \(unknown)")
        }
        guard repetitions > 0 else { throw UsageError("--repetitions must be positive") }
    }

    func run() throws {
        let w = Workloads(repetitions: repetitions)
        print("matrix products: \(String(cString: ag_blas_kernels())) kernels")
        var results: [Result] = []
        for name in chosen {
            let r: Result = switch name {
            case "W1": try w.w1()
            case "W2": try w.w2(composed: false)
            case "W2c": try w.w2(composed: true)
            case "W3": try w.w3()
            case "W4": try w.w4()
            case "W5": try w.w5()
            case "W6": try w.w6()
            case "W7": try w.w7()
            case "W8": try w.w8()
            case "W9": try w.w9()
            case "W10": try w.w10()
            case "W11": try w.w11()
            default: throw UsageError("unknown workload \(name)")
            }
            print(format(r))
            results.append(r)
        }
        if let json {
            let objects = results.map { r -> [String: Any] in
                ["workload": r.name, "detail": r.detail, "median_s": r.median, "min_s": r.min, "extra": r.extra]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    func format(_ r: Result) -> String {
        func time(_ s: Double) -> String {
            s < 1e-3 ? String(format: "%.2f µs", s * 1e6) : String(format: "%.3f ms", s * 1e3)
        }
        var line = "\(r.name.padding(toLength: 4, withPad: " ", startingAt: 0)) median \(time(r.median))  min \(time(r.min))  — \(r.detail)"
        for (k, v) in r.extra.sorted(by: { $0.key < $1.key }) { line += String(format: "\n     %@: %.3f", k, v) }
        return line
    }
}
