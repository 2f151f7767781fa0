"""The BENCHMARKS.md workloads in PyTorch, for comparison with autograd-bench.

Needs torch (a hand-installed, optional dependency of this script only):
    python3 -m venv VENV && VENV/bin/pip install torch numpy ninja
    VENV/bin/python scripts/bench/pytorch_bench.py --json /tmp/torch.json
W1 runs twice: the Python custom Function, and (when a C++ compiler and
torch's bundled headers are available) LibTorch's C++ torch::autograd::Function
compiled with torch.utils.cpp_extension, its timing loop in C++.
"""
import argparse, json, os, resource, sys, time
import torch

# ninja, installed beside torch, is found through the interpreter's bin folder.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

torch.set_num_threads(2)


class CustomTanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        h = x / 4.0
        return 4 * h.tanh()

    @staticmethod
    def backward(ctx, dL_dy):
        x, = ctx.saved_tensors
        return dL_dy * (1 / (x / 4.0).cosh() ** 2)


def measure(fn, warmup, reps, iters):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        times.append((time.perf_counter() - t0) / iters)
    return times


def result(name, detail, times, **extra):
    s = sorted(times)
    return {"workload": name, "detail": detail, "median_s": s[len(s) // 2], "min_s": s[0], "extra": extra}


def w1(reps):
    X = (torch.arange(16, dtype=torch.float32) / 4).requires_grad_()
    def step():
        X.grad = None
        CustomTanh.apply(X).sum().backward()
    return result("W1", "Python custom Function, 16 floats", measure(step, 2000, reps, 5000))


CPP = r"""
#include <torch/extension.h>
#include <chrono>
struct CustomTanh : public torch::autograd::Function<CustomTanh> {
  static torch::Tensor forward(torch::autograd::AutogradContext *ctx, torch::Tensor x) {
    ctx->save_for_backward({x});
    return 4 * (x / 4.0).tanh();
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext *ctx,
                                                 torch::autograd::variable_list g) {
    auto x = ctx->get_saved_variables()[0];
    return {g[0] * (1 / (x / 4.0).cosh().pow(2))};
  }
};
double run_w1(int64_t iters) {
  pybind11::gil_scoped_release no_gil;  // the engine must not run under the GIL
  auto X = (torch::arange(16, torch::kFloat32) / 4).requires_grad_();
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < iters; i++) {
    X.mutable_grad() = torch::Tensor();
    CustomTanh::apply(X).sum().backward();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / iters;
}
"""


def w1_cpp(reps):
    try:
        from torch.utils.cpp_extension import load_inline
        mod = load_inline("w1_cpp", cpp_sources=CPP, functions=["run_w1"], verbose=False,
                          extra_cflags=["-O2"])
    except Exception as e:  # no compiler, no ninja, no headers
        return {"workload": "W1cpp", "detail": f"LibTorch C++ Function unavailable: {e}".splitlines()[0],
                "median_s": None, "min_s": None, "extra": {}}
    mod.run_w1(2000)
    times = [mod.run_w1(5000) for _ in range(reps)]
    return result("W1cpp", "LibTorch C++ Function, 16 floats", times)


def w2(reps, composed_only=True):
    X = torch.randn(4_194_304).requires_grad_()
    ones = torch.ones_like(X)
    def step():
        X.grad = None
        CustomTanh.apply(X).backward(ones)
    return result("W2c", "Python custom Function on 4M floats (composed)", measure(step, 2, reps, 5))


class MLP:
    def __init__(self):
        torch.manual_seed(3)
        l1, l2, l3 = torch.nn.Linear(784, 256), torch.nn.Linear(256, 256), torch.nn.Linear(256, 10)
        self.layers = [l1, l2, l3]
        self.params = [p for l in self.layers for p in l.parameters()]
        self.opt = torch.optim.SGD(self.params, lr=0.01)
        self.x = torch.randn(128, 784)
        self.y = torch.tensor([(i * 7) % 10 for i in range(128)])

    def step(self):
        self.opt.zero_grad()
        h = CustomTanh.apply(self.layers[0](self.x))
        h = CustomTanh.apply(self.layers[1](h))
        loss = torch.nn.functional.cross_entropy(self.layers[2](h), self.y)
        loss.backward()
        self.opt.step()


def w3(reps):
    m = MLP()
    return result("W3", "MLP 784-256-256-10, batch 128, Python custom tanh", measure(m.step, 20, reps, 50))


def w4(reps):
    a = torch.randn(1024, 1024).requires_grad_()
    b = torch.randn(1024, 1024).requires_grad_()
    ones = torch.ones(1024, 1024)
    def step():
        a.grad = None; b.grad = None
        (a @ b).backward(ones)
    r = result("W4", "1024x1024 matmul forward + backward", measure(step, 2, reps, 3))
    r["extra"]["gflops"] = 3 * 2 * 1024 ** 3 / r["median_s"] / 1e9
    return r


def w6(reps):
    g = torch.Generator().manual_seed(6)
    a = torch.randn(512, 512, generator=g).requires_grad_()
    b = torch.randn(512, 512, generator=g).requires_grad_()
    ones = torch.ones(512)
    def step():
        a.grad = None; b.grad = None
        (a.t() @ b).transpose(0, 1).sum(1).backward(ones)
    r = result("W6", "(a.t() @ b).transpose(0, 1).sum(1), 512x512, forward + backward", measure(step, 3, reps, 10))
    r["extra"]["gflops"] = 3 * 2 * 512 ** 3 / r["median_s"] / 1e9
    return r


def w7(reps):
    x = torch.randn(1024, 1024, generator=torch.Generator().manual_seed(7)).requires_grad_()
    def step():
        x.grad = None
        (x[:, ::2] * 3).sum().backward()
    return result("W7", "(x[:, ::2] * 3).sum(), 1024x1024, forward + backward", measure(step, 5, reps, 20))


def row_op(name, detail, f, reps):
    g = torch.Generator().manual_seed(8)
    x = torch.randn(4096, 1024, generator=g).requires_grad_()
    gy = torch.randn(f(x).shape, generator=g)
    def step():
        x.grad = None
        f(x).backward(gy)
    return result(name, f"{detail} over the last dim of [4096, 1024], forward + backward", measure(step, 2, reps, 5))


def w8(reps): return row_op("W8", "softmax", lambda x: torch.softmax(x, -1), reps)
def w9(reps): return row_op("W9", "logSoftmax", lambda x: torch.log_softmax(x, -1), reps)
def w10(reps): return row_op("W10", "logsumexp", lambda x: torch.logsumexp(x, -1), reps)
def w11(reps): return row_op("W11", "var", lambda x: torch.var(x, -1), reps)


def w5(reps):
    m = MLP()
    t0 = time.perf_counter()
    rss100 = 0
    for i in range(1, 1001):
        m.step()
        if i == 100:
            rss100 = current_rss_mib()
    rss = current_rss_mib()
    return {"workload": "W5", "detail": "1,000 W3 steps", "median_s": (time.perf_counter() - t0) / 1000,
            "min_s": None, "extra": {"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                                     "rss_step100_mib": rss100, "rss_step1000_mib": rss, "growth_mib": rss - rss100}}


def current_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--repetitions", type=int, default=7)
    ap.add_argument("--workloads", default="W1,W1cpp,W2c,W3,W4,W5,W6,W7,W8,W9,W10,W11")
    args = ap.parse_args()
    fns = {"W1": w1, "W1cpp": w1_cpp, "W2c": w2, "W3": w3, "W4": w4, "W5": w5, "W6": w6, "W7": w7,
           "W8": w8, "W9": w9, "W10": w10, "W11": w11}
    out = []
    for name in args.workloads.split(","):
        r = fns[name](args.repetitions)
        print(json.dumps(r))
        out.append(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
