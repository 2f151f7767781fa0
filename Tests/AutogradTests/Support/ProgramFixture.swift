import Foundation
import Testing
@testable import Autograd

/// The fixtures of scripts/fixtures/views.py and indexing.py: small programs
/// over the leaves a = [1, 2, 3, 4], m = [[0.5, -1, 2], [3, -0.25, 1.5]],
/// w = [0.3, -0.7, 1.1, 2.0] (float64), each with PyTorch's output, the
/// leaves' gradients after backward of sum(out * c) (c = 0.5, 0.75, 1.0, …),
/// or PyTorch's error message. The output's strides must be PyTorch's along
/// every dimension of size above 1 (a size-1 dimension's stride says nothing
/// about where elements lie, and PyTorch's choice there is arbitrary).
enum ProgramFixture {
    struct Case: Decodable {
        var name: String
        var error: String?
        var shape: [Int]?
        var strides: [Int]?
        var out: [Double]?
        var grads: [String: [Double]?]?
    }
    struct File: Decodable { var cases: [Case] }

    typealias Program = @Sendable (Tensor, Tensor, Tensor) throws -> Tensor

    static func load(_ name: String) -> [Case] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.cases
    }

    /// PyTorch's names carry a trailing digit (AsStridedBackward0); ours do not.
    static func normalized(_ message: String) -> String {
        message.replacingOccurrences(of: #"Backward\d+"#, with: "Backward", options: .regularExpression)
    }

    /// Runs `program` on fresh leaves and compares with PyTorch: values and
    /// gradients within 1e-12, errors verbatim up to PyTorch's hint.
    static func check(_ c: Case, _ program: Program) throws {
        let name = c.name
        let a = try Tensor([1, 2, 3, 4], dtype: .float64, requiresGrad: true)
        let m = try Tensor([0.5, -1, 2, 3, -0.25, 1.5], shape: [2, 3], dtype: .float64, requiresGrad: true)
        let w = try Tensor([0.3, -0.7, 1.1, 2.0], dtype: .float64, requiresGrad: true)
        do {
            let out = try program(a, m, w)
            let coef = try Tensor((0..<out.count).map { 0.5 + 0.25 * Double($0) }, shape: out.shape, dtype: .float64)
            try (out * coef).sum().backward()
            if let e = c.error { Issue.record("\(name): expected PyTorch's error \(e)"); return }
            #expect(out.shape == c.shape!, "\(name): shape")
            if let strides = c.strides, out.shape == c.shape! {
                let sized = out.shape.indices.filter { out.shape[$0] > 1 }
                #expect(sized.map { out.strides[$0] } == sized.map { strides[$0] },
                        "\(name): strides \(out.strides), PyTorch's \(strides)")
            }
            expectClose(out.toArray(), c.out!, name + " out")
            for (key, leaf) in [("a", a), ("m", m), ("w", w)] {
                let expected = c.grads![key]!
                if let expected {
                    guard let g = leaf.grad else { Issue.record("\(name): \(key).grad is nil, PyTorch has \(expected)"); continue }
                    expectClose(g.toArray(), expected, "\(name) grad \(key)")
                } else {
                    #expect(leaf.grad == nil, "\(name): \(key).grad should be nil")
                }
            }
        } catch let e as AutogradError {
            guard let expected = c.error else { Issue.record("\(name): unexpected error \(e.message)"); return }
            // Up to the hint, which is ours (PyTorch's suggests anomaly detection, which we lack).
            let want = normalized(expected).components(separatedBy: " Hint:")[0]
            #expect(e.message.hasPrefix(want), "\(name): \(e.message)")
        }
    }

    static func expectClose(_ got: [Double], _ want: [Double], _ what: String) {
        #expect(got.count == want.count, "\(what): \(got) vs \(want)")
        guard got.count == want.count else { return }
        for (x, y) in zip(got, want) where !(abs(x - y) <= 1e-12 * Swift.max(1, abs(y))) {
            Issue.record("\(what): \(got) vs PyTorch \(want)")
            return
        }
    }
}
