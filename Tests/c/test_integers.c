/* Integer arithmetic through the op table: an int64 number keeps an int64
 * tensor int64 (Python's int), exact past 2^24 where float32 would round;
 * floor division, remainder, bitwise ops and shifts; a zero divisor and a
 * float operand of a bitwise op fail with PyTorch's messages. */
#include "check.h"

static autograd_dtype_t dtype_of(const autograd_tensor_t *t) {
    autograd_dtype_t d = AUTOGRAD_FLOAT32;
    OK(autograd_tensor_dtype(t, &d));
    return d;
}

/* op(a, b) with b an int64 number. */
static autograd_tensor_t *with_int(const char *op, autograd_tensor_t *a, int64_t b) {
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, a));
    OK(autograd_args_push_int64(args, b));
    autograd_tensor_t *r = call(op, args);
    autograd_args_free(args);
    return r;
}

int main(void) {
    autograd_tensor_t *a = NULL, *z = NULL;
    OK(autograd_tensor_new((const int64_t[]){16777217, -7, 12}, AUTOGRAD_INT64, (const int64_t[]){3}, 1, &a));
    OK(autograd_tensor_new((const int64_t[]){1, 0, 1}, AUTOGRAD_INT64, (const int64_t[]){3}, 1, &z));

    autograd_tensor_t *sum = with_int("add", a, 1);
    EXPECT(dtype_of(sum) == AUTOGRAD_INT64);
    EXPECT_VALUES(sum, 0, 16777218, -6, 13);
    autograd_tensor_t *q = with_int("floor_divide", a, 2), *r = with_int("remainder", a, 5);
    EXPECT(dtype_of(q) == AUTOGRAD_INT64 && dtype_of(r) == AUTOGRAD_INT64);
    EXPECT_VALUES(q, 0, 8388608, -4, 6);
    EXPECT_VALUES(r, 0, 2, 3, 2);
    autograd_tensor_t *band = with_int("bitwise_and", a, 6), *shl = with_int("bitwise_left_shift", a, 2);
    EXPECT_VALUES(band, 0, 0, 0, 4);
    EXPECT_VALUES(shl, 0, 67108868, -28, 48);

    autograd_args_t *args = NULL;
    autograd_tensor_t *out[1] = {NULL};
    size_t n = 0;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, a));
    OK(autograd_args_push_tensor(args, z));
    EXPECT_ERROR(autograd_op("remainder", args, out, 1, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT, "ZeroDivisionError");
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, a));
    OK(autograd_args_push_double(args, 2.5));
    EXPECT_ERROR(autograd_op("bitwise_or", args, out, 1, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "\"bitwise_or_cpu\" not implemented for 'Float'");
    autograd_args_free(args);

    autograd_tensor_t *all[] = {a, z, sum, q, r, band, shl};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) autograd_tensor_free(all[i]);
    return finish("test_integers");
}
