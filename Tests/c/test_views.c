/* Strides and views through the C API: a tensor from a strided buffer, the
 * layout of views (strides, storage offset, contiguity, shared memory),
 * view ops by name, and reading and writing through an index (index,
 * index_put_ with and without accumulate, masked_fill_), with gradients. */
#include "check.h"

#define F64 AUTOGRAD_FLOAT64

static void test_strided_buffer(void) {
    /* column 1 of a row-major 3x4 matrix, and the matrix transposed */
    const double m[12] = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23};
    autograd_tensor_t *col = NULL, *mt = NULL, *rep = NULL, *bad = NULL;
    OK(autograd_tensor_new_strided(m + 1, F64, (const int64_t[]){3}, (const int64_t[]){4}, 1, &col));
    EXPECT_VALUES(col, 0, 1, 11, 21);
    OK(autograd_tensor_new_strided(m, F64, (const int64_t[]){4, 3}, (const int64_t[]){1, 4}, 2, &mt));
    EXPECT_VALUES(mt, 0, 0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23);
    bool contiguous = false;
    OK(autograd_tensor_is_contiguous(mt, &contiguous));
    EXPECT(contiguous); /* a copy, laid out row-major */
    /* stride 0 repeats an element */
    OK(autograd_tensor_new_strided(m + 1, F64, (const int64_t[]){2, 2}, (const int64_t[]){0, 10}, 2, &rep));
    EXPECT_VALUES(rep, 0, 1, 23, 1, 23);
    EXPECT_ERROR(autograd_tensor_new_strided(m, F64, (const int64_t[]){2}, (const int64_t[]){-1}, 1, &bad),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "strides must be non-negative");
    EXPECT_ERROR(autograd_tensor_new_strided(m, F64, (const int64_t[]){2, 2}, (const int64_t[]){INT64_C(1) << 62, 1}, 2, &bad),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "span too many elements");
    autograd_tensor_free(col);
    autograd_tensor_free(mt);
    autograd_tensor_free(rep);
}

static void test_view_layout(void) {
    autograd_tensor_t *x = make(F64, (const double[]){1, 2, 3, 4, 5, 6}, 2, (const int64_t[]){2, 3}, false);
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, x));
    autograd_tensor_t *xt = call("t", args);
    int64_t strides[4] = {0}, offset = -1;
    size_t ndim = 0;
    OK(autograd_tensor_strides(xt, strides, 4, &ndim));
    EXPECT(ndim == 2 && strides[0] == 1 && strides[1] == 3);
    bool flag = true;
    OK(autograd_tensor_is_contiguous(xt, &flag));
    EXPECT(!flag);
    OK(autograd_tensor_is_view(xt, &flag));
    EXPECT(flag);
    OK(autograd_tensor_shares_storage(x, xt, &flag));
    EXPECT(flag);
    /* a strided view has no borrowed pointer; "contiguous" gives one that has */
    const void *p = NULL;
    EXPECT_ERROR(autograd_tensor_data(xt, &p), AUTOGRAD_ERROR_INVALID_ARGUMENT, "contiguous");
    /* select(x, 1, 2): column 2, offset 2 */
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, x));
    OK(autograd_args_push_int64(args, 1));
    OK(autograd_args_push_int64(args, 2));
    autograd_tensor_t *c2 = call("select", args);
    OK(autograd_tensor_storage_offset(c2, &offset));
    EXPECT(offset == 2);
    EXPECT_VALUES(c2, 0, 3, 6);
    /* an in-place change through the view shows in x */
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, c2));
    OK(autograd_args_push_double(args, 0));
    autograd_tensor_t *filled = call("fill_", args);
    EXPECT_VALUES(x, 0, 1, 2, 0, 4, 5, 0);
    autograd_tensor_t *all[] = {x, xt, c2, filled};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) autograd_tensor_free(all[i]);
    autograd_args_free(args);
}

static void test_index_and_assign(void) {
    autograd_tensor_t *a = VEC(F64, true, 1, 2, 3, 4), *w = VEC(F64, true, 10, 20, 30);
    autograd_tensor_t *idx = NULL;
    OK(autograd_tensor_new((const int64_t[]){3, 0, 3}, AUTOGRAD_INT64, (const int64_t[]){3}, 1, &idx));
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    /* b = a * 1; b[idx] += w (accumulate); c = b[idx]; L = sum(c) */
    OK(autograd_args_push_tensor(args, a));
    OK(autograd_args_push_double(args, 1));
    autograd_tensor_t *b = call("mul", args);
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, b));
    OK(autograd_args_push_tensor(args, idx));
    OK(autograd_args_push_tensor(args, w));
    OK(autograd_args_push_bool(args, true));
    autograd_tensor_t *put = call("index_put_", args);
    EXPECT_VALUES(b, 0, 21, 2, 3, 44);
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, b));
    OK(autograd_args_push_tensor(args, idx));
    autograd_tensor_t *c = call("index", args);
    EXPECT_VALUES(c, 0, 44, 21, 44);
    autograd_tensor_t *L = NULL;
    OK(autograd_sum(c, &L));
    OK(autograd_backward(L, NULL, 0, false));
    /* dL/db = [1, 0, 0, 2]; index_put_ with accumulate passes it to a and gathers it for w */
    autograd_tensor_t *ga = grad_of(a), *gw = grad_of(w);
    EXPECT_VALUES(ga, 0, 1, 0, 0, 2);
    EXPECT_VALUES(gw, 0, 2, 1, 2);
    /* a shape that does not broadcast: PyTorch's words */
    OK(autograd_args_clear(args));
    OK(autograd_args_push_tensor(args, b));
    OK(autograd_args_push_tensor(args, idx));
    OK(autograd_args_push_tensor(args, a));
    autograd_tensor_t *out[2];
    size_t n = 0;
    EXPECT_ERROR(autograd_op("index_put_", args, out, 2, &n), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "shape mismatch: value tensor of shape [4] cannot be broadcast to indexing result of shape [3]");
    autograd_tensor_t *all[] = {a, w, idx, b, put, c, L, ga, gw};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) autograd_tensor_free(all[i]);
    autograd_args_free(args);
}

int main(void) {
    test_strided_buffer();
    test_view_layout();
    test_index_and_assign();
    return finish("test_views");
}
