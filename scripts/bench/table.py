"""Prints the comparison table from pytorch_bench.py's and autograd-bench's JSON."""
import json, sys

# Arguments: torch.json swift.json [torch-w5.json swift-w5.json]
torch_results = {r["workload"]: r for r in json.load(open(sys.argv[1]))}
swift_results = {r["workload"]: r for r in json.load(open(sys.argv[2]))}
if len(sys.argv) > 4:
    torch_results.update({r["workload"]: r for r in json.load(open(sys.argv[3]))})
    swift_results.update({r["workload"]: r for r in json.load(open(sys.argv[4]))})


def fmt(s):
    if s is None:
        return "n/a"
    return f"{s * 1e6:.2f} µs" if s < 1e-3 else f"{s * 1e3:.3f} ms"


rows = [("W1", "W1", "overhead: custom tanh, 16 floats (vs Python Function)"),
        ("W1", "W1cpp", "overhead (vs LibTorch C++ Function)"),
        ("W2", "W2c", "custom tanh 4M floats, fused C kernels (vs PyTorch)"),
        ("W2c", "W2c", "custom tanh 4M floats, composed of library ops"),
        ("W3", "W3", "MLP training step"),
        ("W4", "W4", "1024² matmul forward + backward"),
        ("W5", "W5", "1,000 W3 steps, per step"),
        ("W6", "W6", "(a.t() @ b).transpose(0, 1).sum(1), 512², forward + backward"),
        ("W7", "W7", "(x[:, ::2] * 3).sum(), 1024², forward + backward"),
        ("W8", "W8", "softmax over the last dim of [4096, 1024], forward + backward"),
        ("W9", "W9", "logSoftmax, the same"),
        ("W10", "W10", "logsumexp, the same"),
        ("W11", "W11", "var, the same")]
print(f"| workload | PyTorch | swift-autograd | ratio (swift/PyTorch) |")
print(f"|---|---|---|---|")
for s, t, label in rows:
    sr, tr = swift_results.get(s), torch_results.get(t)
    if not sr or not tr:
        continue
    ratio = f"{sr['median_s'] / tr['median_s']:.2f}" if tr.get("median_s") and sr.get("median_s") else "n/a"
    print(f"| {s} {label} | {fmt(tr.get('median_s'))} | {fmt(sr.get('median_s'))} | {ratio} |")
w4 = swift_results.get("W4", {}).get("extra", {})
if w4:
    print(f"\nW4: swift-autograd {w4.get('gflops', 0):.1f} GFLOP/s, OpenBLAS sgemm alone {w4.get('openblas_gflops', 0):.1f} GFLOP/s "
          f"({100 * w4.get('fraction_of_openblas', 0):.0f}%); PyTorch {torch_results.get('W4', {}).get('extra', {}).get('gflops', 0):.1f} GFLOP/s")
w6 = swift_results.get("W6", {}).get("extra", {})
if w6:
    print(f"W6: swift-autograd {w6.get('gflops', 0):.1f} GFLOP/s, PyTorch {torch_results.get('W6', {}).get('extra', {}).get('gflops', 0):.1f} GFLOP/s")
w5s, w5t = swift_results.get("W5", {}).get("extra", {}), torch_results.get("W5", {}).get("extra", {})
if w5s and w5t:
    print(f"W5: peak RSS swift-autograd {w5s['peak_rss_mib']:.1f} MiB (growth after step 100: {w5s['growth_mib']:.1f} MiB), "
          f"PyTorch {w5t['peak_rss_mib']:.1f} MiB (growth {w5t['growth_mib']:.1f} MiB)")
