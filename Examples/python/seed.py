"""The seed article's custom op, y = 4·tanh(x/4), defined in Python through
the C API with ctypes: its forward and backward are Python callbacks, the
engine is libautograd.so's.

    python3 Examples/python/seed.py [path/to/libautograd.so]

(default: $AUTOGRAD_LIB, else the installed libautograd.so.0 on the loader's
path). Prints X.grad as PyTorch prints it, then shows that an exception
raised in a callback comes back as an error status with a message instead of
passing for success.
"""
import ctypes as C
import os
import sys

lib = C.CDLL(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("AUTOGRAD_LIB", "libautograd.so.0"))

Tensor = C.c_void_p  # autograd_tensor_t * (an opaque handle)
Status = C.c_int32
FLOAT32 = 0

FORWARD = C.CFUNCTYPE(Status, C.c_void_p, C.c_void_p, C.POINTER(Tensor), C.c_size_t, C.POINTER(C.c_size_t), C.c_void_p)
BACKWARD = C.CFUNCTYPE(Status, C.c_void_p, C.POINTER(Tensor), C.c_size_t, C.POINTER(Tensor), C.c_size_t,
                       C.POINTER(C.c_size_t), C.c_void_p)

for name, args in {
    "autograd_tensor_new": [C.c_void_p, C.c_int32, C.POINTER(C.c_int64), C.c_size_t, C.POINTER(Tensor)],
    "autograd_tensor_set_requires_grad": [Tensor, C.c_bool],
    "autograd_tensor_grad": [Tensor, C.POINTER(Tensor)],
    "autograd_tensor_to_string": [Tensor, C.POINTER(C.c_void_p)],
    "autograd_function_new": [C.c_char_p, FORWARD, BACKWARD, C.c_void_p, C.c_void_p, C.POINTER(C.c_void_p)],
    "autograd_function_apply": [C.c_void_p, C.c_void_p, C.POINTER(Tensor), C.c_size_t, C.POINTER(C.c_size_t)],
    "autograd_args_new": [C.POINTER(C.c_void_p)],
    "autograd_args_push_tensor": [C.c_void_p, Tensor],
    "autograd_args_tensor": [C.c_void_p, C.c_size_t, C.POINTER(Tensor)],
    "autograd_context_save_for_backward": [C.c_void_p, C.POINTER(Tensor), C.c_size_t],
    "autograd_context_saved_tensors": [C.c_void_p, C.POINTER(Tensor), C.c_size_t, C.POINTER(C.c_size_t)],
    "autograd_div_scalar": [Tensor, C.c_double, C.POINTER(Tensor)],
    "autograd_mul_scalar": [Tensor, C.c_double, C.POINTER(Tensor)],
    "autograd_pow_scalar": [Tensor, C.c_double, C.POINTER(Tensor)],
    "autograd_tanh": [Tensor, C.POINTER(Tensor)],
    "autograd_cosh": [Tensor, C.POINTER(Tensor)],
    "autograd_mul": [Tensor, Tensor, C.POINTER(Tensor)],
    "autograd_div": [Tensor, Tensor, C.POINTER(Tensor)],
    "autograd_sum": [Tensor, C.POINTER(Tensor)],
    "autograd_backward": [Tensor, Tensor, C.c_int, C.c_bool],
}.items():
    getattr(lib, name).argtypes = args
    getattr(lib, name).restype = Status
for name, args in {"autograd_tensor_free": [Tensor], "autograd_args_free": [C.c_void_p],
                   "autograd_function_free": [C.c_void_p], "autograd_string_free": [C.c_void_p]}.items():
    getattr(lib, name).argtypes = args
    getattr(lib, name).restype = None
lib.autograd_last_error.restype = C.c_char_p
lib.autograd_status_string.restype = C.c_char_p
lib.autograd_status_string.argtypes = [Status]


class AutogradError(Exception):
    pass


def check(status):
    if status != 0:
        raise AutogradError(f"{lib.autograd_status_string(status).decode()}: {lib.autograd_last_error().decode()}")


def call(fn, *args):
    """fn(*args, &out) -> out, a new handle."""
    out = Tensor()
    check(fn(*args, C.byref(out)))
    return out


def text(t):
    s = C.c_void_p()
    check(lib.autograd_tensor_to_string(t, C.byref(s)))
    value = C.cast(s, C.c_char_p).value.decode()
    lib.autograd_string_free(s)
    return value


def forward(ctx, args, outputs, capacity, n_outputs, user_data):
    """y = 4·tanh(x/4), saving x."""
    x = Tensor()
    check(lib.autograd_args_tensor(args, 0, C.byref(x)))
    check(lib.autograd_context_save_for_backward(ctx, (Tensor * 1)(x), 1))
    quarter = call(lib.autograd_div_scalar, x, 4.0)
    t = call(lib.autograd_tanh, quarter)
    outputs[0] = call(lib.autograd_mul_scalar, t, 4.0)
    n_outputs[0] = 1
    for h in (x, quarter, t):
        lib.autograd_tensor_free(h)
    return 0


def backward(ctx, grad_outputs, n_grad_outputs, grad_inputs, capacity, n_grad_inputs, user_data):
    """dL/dx = dL/dy · 1/cosh²(x/4)."""
    x = Tensor()
    count = C.c_size_t()
    check(lib.autograd_context_saved_tensors(ctx, C.byref(x), 1, C.byref(count)))
    quarter = call(lib.autograd_div_scalar, x, 4.0)
    c = call(lib.autograd_cosh, quarter)
    c2 = call(lib.autograd_pow_scalar, c, 2.0)
    grad_inputs[0] = call(lib.autograd_div, grad_outputs[0], c2)
    for h in (x, quarter, c, c2):
        lib.autograd_tensor_free(h)
    return 0


def failing_forward(ctx, args, outputs, capacity, n_outputs, user_data):
    raise ValueError("this forward raised")


# The callbacks must outlive the Functions that call them.
callbacks = [FORWARD(forward), BACKWARD(backward), FORWARD(failing_forward)]


def apply(function, x):
    args = C.c_void_p()
    check(lib.autograd_args_new(C.byref(args)))
    try:
        check(lib.autograd_args_push_tensor(args, x))
        y, n = Tensor(), C.c_size_t()
        check(lib.autograd_function_apply(function, args, C.byref(y), 1, C.byref(n)))
        return y
    finally:
        lib.autograd_args_free(args)


def main():
    tanh = C.c_void_p()
    check(lib.autograd_function_new(b"CustomTanh", callbacks[0], callbacks[1], None, None, C.byref(tanh)))
    data = (C.c_float * 2)(0.0, 4.0)
    shape = (C.c_int64 * 1)(2)
    X = call(lib.autograd_tensor_new, data, FLOAT32, shape, 1)
    check(lib.autograd_tensor_set_requires_grad(X, True))

    y = apply(tanh, X)
    yy = call(lib.autograd_mul, y, y)
    L = call(lib.autograd_sum, yy)
    check(lib.autograd_backward(L, None, 0, False))
    g = call(lib.autograd_tensor_grad, X)
    print(f"y = {text(y)}")
    print(f"X.grad = {text(g)}")

    # An exception in a callback: ctypes prints it and returns 0 with no
    # outputs stored, which the library reports as an error.
    broken = C.c_void_p()
    check(lib.autograd_function_new(b"Broken", callbacks[2], callbacks[1], None, None, C.byref(broken)))
    try:
        apply(broken, X)
        print("the raising forward passed for success")
    except AutogradError as e:
        print(f"error: {e}")

    for h in (X, y, yy, L, g):
        lib.autograd_tensor_free(h)
    lib.autograd_function_free(tanh)
    lib.autograd_function_free(broken)


if __name__ == "__main__":
    main()
