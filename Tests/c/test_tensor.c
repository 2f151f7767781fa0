/* Tensors through the C API: creation from buffers in every dtype, shape,
 * dtype and data access, requires-grad, grad, printing, and the errors. */
#include "check.h"

#include <stdint.h>

static void test_create_and_read(void) {
    const float f[6] = {1, 2, 3, 4, 5, 6};
    const int64_t shape[] = {2, 3};
    autograd_tensor_t *t = NULL;
    OK(autograd_tensor_new(f, AUTOGRAD_FLOAT32, shape, 2, &t));
    size_t ndim = 0, numel = 0;
    int64_t dims[4] = {0};
    autograd_dtype_t dtype = -1;
    OK(autograd_tensor_ndim(t, &ndim));
    EXPECT(ndim == 2);
    OK(autograd_tensor_shape(t, dims, 4, &ndim));
    EXPECT(ndim == 2 && dims[0] == 2 && dims[1] == 3);
    OK(autograd_tensor_numel(t, &numel));
    EXPECT(numel == 6);
    OK(autograd_tensor_dtype(t, &dtype));
    EXPECT(dtype == AUTOGRAD_FLOAT32);

    /* copy out, and the borrowed pointer */
    float back[6] = {0};
    OK(autograd_tensor_copy_data(t, back, sizeof back));
    EXPECT(memcmp(back, f, sizeof f) == 0);
    const void *p = NULL;
    OK(autograd_tensor_data(t, &p));
    EXPECT(p != NULL && ((const float *)p)[5] == 6.0f);
    EXPECT(p != (const void *)f); /* a copy was made */
    EXPECT_VALUES(t, 0, 1, 2, 3, 4, 5, 6);
    EXPECT_STR(str(t), "tensor([[1., 2., 3.],\n        [4., 5., 6.]])");

    /* too-small buffers: the needed size is still reported */
    EXPECT_ERROR(autograd_tensor_shape(t, dims, 1, &ndim), AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "capacity 1");
    EXPECT(ndim == 2);
    EXPECT_ERROR(autograd_tensor_copy_data(t, back, 8), AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "need 24");
    double d[2];
    size_t count = 0;
    EXPECT_ERROR(autograd_tensor_copy_f64(t, d, 2, &count), AUTOGRAD_ERROR_BUFFER_TOO_SMALL, "6 elements");
    EXPECT(count == 6);
    autograd_tensor_free(t);
}

static void test_dtypes(void) {
    const double d[3] = {0.5, -1.25, 3};
    const int64_t i[3] = {7, -2, 40};
    const bool b[3] = {true, false, true};
    const int64_t shape[] = {3};
    autograd_tensor_t *td, *ti, *tb, *scalar, *empty;
    OK(autograd_tensor_new(d, AUTOGRAD_FLOAT64, shape, 1, &td));
    OK(autograd_tensor_new(i, AUTOGRAD_INT64, shape, 1, &ti));
    OK(autograd_tensor_new(b, AUTOGRAD_BOOL, shape, 1, &tb));
    EXPECT_STR(str(td), "tensor([ 0.5000, -1.2500,  3.0000], dtype=torch.float64)");
    EXPECT_STR(str(ti), "tensor([ 7, -2, 40])");
    EXPECT_STR(str(tb), "tensor([ True, False,  True])");
    int64_t iback[3];
    OK(autograd_tensor_copy_data(ti, iback, sizeof iback));
    EXPECT(iback[2] == 40);
    EXPECT_VALUES(tb, 0, 1, 0, 1);

    /* a 0-dim scalar: ndim 0, NULL shape allowed */
    const double one = 2.5;
    OK(autograd_tensor_new(&one, AUTOGRAD_FLOAT64, NULL, 0, &scalar));
    size_t ndim = 9;
    OK(autograd_tensor_shape(scalar, NULL, 0, &ndim));
    EXPECT(ndim == 0);
    double item = 0;
    OK(autograd_tensor_item(scalar, &item));
    EXPECT(item == 2.5);
    EXPECT_ERROR(autograd_tensor_item(td, &item), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "a Tensor with 3 elements cannot be converted to Scalar");

    /* no elements: data may be NULL */
    const int64_t zero[] = {0, 4};
    OK(autograd_tensor_new(NULL, AUTOGRAD_FLOAT32, zero, 2, &empty));
    const void *p = (const void *)1;
    OK(autograd_tensor_data(empty, &p));
    EXPECT(p == NULL);

    /* full and empty */
    autograd_tensor_t *full, *blank;
    const int64_t s23[] = {2, 3};
    OK(autograd_tensor_full(s23, 2, 1.5, AUTOGRAD_FLOAT64, &full));
    EXPECT_VALUES(full, 0, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5);
    OK(autograd_tensor_empty(s23, 2, AUTOGRAD_FLOAT32, &blank));
    void *w = NULL;
    OK(autograd_tensor_mutable_data(blank, &w));
    for (int k = 0; k < 6; k++) ((float *)w)[k] = (float)k;
    EXPECT_VALUES(blank, 0, 0, 1, 2, 3, 4, 5);

    autograd_tensor_free(td), autograd_tensor_free(ti), autograd_tensor_free(tb);
    autograd_tensor_free(scalar), autograd_tensor_free(empty), autograd_tensor_free(full), autograd_tensor_free(blank);
}

static void test_requires_grad_and_grad(void) {
    autograd_tensor_t *x = VEC(AUTOGRAD_FLOAT32, false, 1, 2, 3);
    bool flag = true;
    OK(autograd_tensor_requires_grad(x, &flag));
    EXPECT(!flag);
    OK(autograd_tensor_set_requires_grad(x, true));
    OK(autograd_tensor_requires_grad(x, &flag));
    EXPECT(flag);
    EXPECT_STR(str(x), "tensor([1., 2., 3.], requires_grad=True)");
    autograd_tensor_t *g = (autograd_tensor_t *)1;
    OK(autograd_tensor_grad(x, &g));
    EXPECT(g == NULL); /* no gradient yet */

    /* writing into a leaf that requires grad is refused while recording */
    void *w = NULL;
    EXPECT_ERROR(autograd_tensor_mutable_data(x, &w), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "a leaf Variable that requires grad has been used in an in-place operation.");

    autograd_tensor_t *y = NULL, *s = NULL;
    OK(autograd_mul(x, x, &y));
    OK(autograd_sum(y, &s));
    bool leaf = true;
    OK(autograd_tensor_is_leaf(y, &leaf));
    EXPECT(!leaf);
    EXPECT_STR(str(y), "tensor([1., 4., 9.], grad_fn=<MulBackward>)");
    OK(autograd_backward(s, NULL, AUTOGRAD_RETAIN_DEFAULT, false));
    g = grad_of(x);
    EXPECT_VALUES(g, 1e-6, 2, 4, 6);
    autograd_tensor_free(g);
    /* zero_grad zeros the gradient in place; set_grad_to_none forgets it */
    OK(autograd_tensor_zero_grad(x));
    g = grad_of(x);
    EXPECT_VALUES(g, 0, 0, 0, 0);
    autograd_tensor_free(g);
    OK(autograd_tensor_set_grad_to_none(x));
    g = grad_of(x);
    EXPECT(g == NULL);
    OK(autograd_tensor_zero_grad(x)); /* no gradient: stays none */
    g = grad_of(x);
    EXPECT(g == NULL);

    /* detach shares storage and has no history; share is the same tensor */
    autograd_tensor_t *d = NULL, *same = NULL;
    OK(autograd_tensor_detach(y, &d));
    OK(autograd_tensor_requires_grad(d, &flag));
    EXPECT(!flag);
    OK(autograd_tensor_share(x, &same));
    OK(autograd_tensor_requires_grad(same, &flag));
    EXPECT(flag);
    autograd_tensor_free(x); /* the other handle keeps the tensor */
    EXPECT_VALUES(same, 0, 1, 2, 3);

    /* integer tensors cannot require grad */
    const int64_t i[1] = {1};
    const int64_t shape[1] = {1};
    autograd_tensor_t *ti = NULL;
    OK(autograd_tensor_new(i, AUTOGRAD_INT64, shape, 1, &ti));
    EXPECT_ERROR(autograd_tensor_set_requires_grad(ti, true), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "only Tensors of floating point dtype can require gradients");
    autograd_tensor_free(ti), autograd_tensor_free(y), autograd_tensor_free(s);
    autograd_tensor_free(d), autograd_tensor_free(same);
}

static void test_creation_errors(void) {
    const float f[2] = {1, 2};
    const int64_t shape[] = {2}, negative[] = {2, -1};
    autograd_tensor_t *t = (autograd_tensor_t *)0x1234;
    EXPECT_ERROR(autograd_tensor_new(f, AUTOGRAD_FLOAT32, shape, 1, NULL), AUTOGRAD_ERROR_NULL_ARGUMENT,
                 "autograd_tensor_new: out is NULL");
    EXPECT_ERROR(autograd_tensor_new(NULL, AUTOGRAD_FLOAT32, shape, 1, &t), AUTOGRAD_ERROR_NULL_ARGUMENT,
                 "data is NULL");
    EXPECT_ERROR(autograd_tensor_new(f, 42, shape, 1, &t), AUTOGRAD_ERROR_INVALID_ARGUMENT, "unknown dtype 42");
    EXPECT_ERROR(autograd_tensor_new(f, AUTOGRAD_FLOAT32, NULL, 1, &t), AUTOGRAD_ERROR_NULL_ARGUMENT, "shape is NULL");
    EXPECT_ERROR(autograd_tensor_new(f, AUTOGRAD_FLOAT32, negative, 2, &t), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "negative dimension -1");
    EXPECT(t == (autograd_tensor_t *)0x1234); /* out-parameters untouched on failure */
}

/* Values that used to come back silently wrong: a bool byte holding 2, an
 * int64 beyond 2^53 read as a double. */
static void test_exact_values(void) {
    const unsigned char bytes[4] = {0, 1, 2, 255};  /* C's bool conversion: all but the first are true */
    const int64_t shape[] = {4}, strided_shape[] = {2}, step[] = {2};
    autograd_tensor_t *b = NULL, *bs = NULL, *count = NULL, *big = NULL, *flt = NULL;
    OK(autograd_tensor_new(bytes, AUTOGRAD_BOOL, shape, 1, &b));
    EXPECT_STR(str(b), "tensor([False,  True,  True,  True])");
    EXPECT_VALUES(b, 0, 0, 1, 1, 1);
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, b));
    count = call("sum", args);
    int64_t n = 0;
    OK(autograd_tensor_item_int64(count, &n));
    EXPECT(n == 3);
    OK(autograd_tensor_new_strided(bytes + 1, AUTOGRAD_BOOL, strided_shape, step, 1, &bs));  /* {1, 255} */
    EXPECT_STR(str(bs), "tensor([True, True])");

    const int64_t huge = (INT64_C(1) << 53) + 1;
    OK(autograd_tensor_new(&huge, AUTOGRAD_INT64, NULL, 0, &big));
    int64_t exact = 0;
    OK(autograd_tensor_item_int64(big, &exact));
    EXPECT(exact == huge);
    double d = 0;
    EXPECT_ERROR(autograd_tensor_item(big, &d), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "the int64 value 9007199254740993 has no exact double; use autograd_tensor_item_int64");
    const float half = 0.5f;
    OK(autograd_tensor_new(&half, AUTOGRAD_FLOAT32, NULL, 0, &flt));
    EXPECT_ERROR(autograd_tensor_item_int64(flt, &exact), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "tensor has dtype torch.float32, not int64 or bool; use autograd_tensor_item");
    EXPECT_ERROR(autograd_tensor_item_int64(b, &exact), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "a Tensor with 4 elements cannot be converted to Scalar");

    /* The other silent results of the C API's first version, now PyTorch's. */
    autograd_tensor_t *empty = NULL, *mean = NULL, *m2 = NULL, *ints = NULL, *prod = NULL, *s = NULL;
    const int64_t zero[] = {0};
    OK(autograd_tensor_new(NULL, AUTOGRAD_FLOAT32, zero, 1, &empty));
    OK(autograd_mean(empty, &mean));
    OK(autograd_tensor_item(mean, &d));
    EXPECT(isnan(d)); /* PyTorch: nan, not 0 */
    EXPECT_ERROR(autograd_sum_dims(flt, (const int64_t[]){0, 0}, 2, false, &s), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "dim 0 appears multiple times in the list of dims");
    const int64_t i4[4] = {1, 2, 3, 4};
    const float f4[4] = {1, 2, 3, 4};
    const int64_t s22[] = {2, 2};
    OK(autograd_tensor_new(i4, AUTOGRAD_INT64, s22, 2, &ints));
    OK(autograd_tensor_new(f4, AUTOGRAD_FLOAT32, s22, 2, &m2));
    EXPECT_ERROR(autograd_matmul(ints, m2, &prod), AUTOGRAD_ERROR_INVALID_ARGUMENT,
                 "expected m1 and m2 to have the same dtype, but got: long int != float");
    autograd_tensor_free(empty), autograd_tensor_free(mean), autograd_tensor_free(ints), autograd_tensor_free(m2);

    autograd_args_free(args);
    autograd_tensor_free(b), autograd_tensor_free(bs), autograd_tensor_free(count);
    autograd_tensor_free(big), autograd_tensor_free(flt);
}

/* The version and the status names. */
static void test_version_and_status_names(void) {
    EXPECT_STR(autograd_version(), AUTOGRAD_VERSION_STRING);
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", AUTOGRAD_VERSION_MAJOR, AUTOGRAD_VERSION_MINOR, AUTOGRAD_VERSION_PATCH);
    EXPECT_STR(autograd_version(), expected);
#define NAME(code) EXPECT_STR(autograd_status_string(code), #code)
    NAME(AUTOGRAD_OK);
    NAME(AUTOGRAD_ERROR_NULL_ARGUMENT);
    NAME(AUTOGRAD_ERROR_INVALID_HANDLE);
    NAME(AUTOGRAD_ERROR_INVALID_ARGUMENT);
    NAME(AUTOGRAD_ERROR_INVALID_GRADIENT);
    NAME(AUTOGRAD_ERROR_GRAPH);
    NAME(AUTOGRAD_ERROR_FUNCTION);
    NAME(AUTOGRAD_ERROR_GRADCHECK);
    NAME(AUTOGRAD_ERROR_BUFFER_TOO_SMALL);
    NAME(AUTOGRAD_ERROR_UNKNOWN_OP);
#undef NAME
    EXPECT_STR(autograd_status_string(10), "unknown status");
    EXPECT_STR(autograd_status_string(-1), "unknown status");
}

/* A tensor over the caller's memory (from_blob): shared both ways, strided,
 * and the deleter called once, when the last user is gone. */
static int blob_deleted;
static void *blob_deleted_data;
static void count_deleter(void *data, void *user) {
    blob_deleted += *(int *)user;
    blob_deleted_data = data;
}

static void test_from_blob(void) {
    float buffer[6] = {1, 2, 3, 4, 5, 6};
    int one = 1;
    autograd_tensor_t *t = NULL, *col = NULL, *y = NULL, *s = NULL, *g = NULL;
    blob_deleted = 0;
    OK(autograd_tensor_from_blob(buffer, AUTOGRAD_FLOAT32, (const int64_t[]){2, 3}, NULL, 2, count_deleter, &one, &t));
    EXPECT_STR(str(t), "tensor([[1., 2., 3.],\n        [4., 5., 6.]])");
    buffer[0] = 10; /* the caller's write shows */
    EXPECT_VALUES(t, 0, 10, 2, 3, 4, 5, 6);
    autograd_args_t *args = NULL;
    OK(autograd_args_new(&args));
    OK(autograd_args_push_tensor(args, t));
    OK(autograd_args_push_double(args, 2));
    autograd_tensor_t *changed = call("mul_", args); /* an in-place op writes the caller's memory */
    autograd_tensor_free(changed);
    autograd_args_free(args); /* the list held a reference too */
    EXPECT(buffer[0] == 20 && buffer[5] == 12);
    /* a strided window: the middle column */
    OK(autograd_tensor_from_blob(buffer + 1, AUTOGRAD_FLOAT32, (const int64_t[]){2}, (const int64_t[]){3}, 1, NULL, NULL, &col));
    EXPECT_VALUES(col, 0, 4, 10);
    bool contiguous = true;
    OK(autograd_tensor_is_contiguous(col, &contiguous));
    EXPECT(!contiguous);
    /* a graph that keeps the tensor keeps the memory: the deleter waits */
    OK(autograd_tensor_set_requires_grad(t, true));
    OK(autograd_mul(t, t, &y));
    OK(autograd_sum(y, &s));
    autograd_tensor_free(t);
    EXPECT(blob_deleted == 0);
    OK(autograd_backward(s, NULL, 0, false));
    autograd_tensor_free(y), autograd_tensor_free(s);
    EXPECT(blob_deleted == 1 && blob_deleted_data == buffer);
    autograd_tensor_free(col);
    EXPECT(blob_deleted == 1);

    char raw[16] = {0};
    EXPECT_ERROR(autograd_tensor_from_blob(raw + 1, AUTOGRAD_FLOAT32, (const int64_t[]){2}, NULL, 1, NULL, NULL, &g),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "is not aligned to the 4-byte elements of torch.float32");
    EXPECT_ERROR(autograd_tensor_from_blob(NULL, AUTOGRAD_FLOAT32, (const int64_t[]){2}, NULL, 1, NULL, NULL, &g),
                 AUTOGRAD_ERROR_NULL_ARGUMENT, "data is NULL");
    EXPECT_ERROR(autograd_tensor_from_blob(buffer, AUTOGRAD_FLOAT32, (const int64_t[]){2}, (const int64_t[]){-1}, 1, NULL,
                                           NULL, &g),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "strides must be non-negative, got -1");
    EXPECT_ERROR(autograd_tensor_from_blob(buffer, AUTOGRAD_FLOAT32, (const int64_t[]){0, INT64_C(1) << 40, INT64_C(1) << 40},
                                           NULL, 3, NULL, NULL, &g),
                 AUTOGRAD_ERROR_INVALID_ARGUMENT, "from_blob: Stride calculation overflowed");
    EXPECT(g == NULL && blob_deleted == 1); /* no deleter call on failure */
}

int main(void) {
    EXPECT(autograd_abi_version() == AUTOGRAD_ABI_VERSION);
    test_version_and_status_names();
    EXPECT_STR(autograd_last_error(), "");
    test_create_and_read();
    test_dtypes();
    test_requires_grad_and_grad();
    test_creation_errors();
    test_exact_values();
    test_from_blob();
    autograd_clear_error();
    EXPECT_STR(autograd_last_error(), "");
    return finish("test_tensor");
}
