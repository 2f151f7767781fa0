#ifndef AG_NN_H
#define AG_NN_H
// Neural-network kernels: softmax and log-softmax along one dimension, the
// losses (mean squared error, cross-entropy, negative log-likelihood), dropout
// and layer normalisation. Each is a fused forward/backward pair, float
// (`_f32`) and double (`_f64`); sums are accumulated in double.
//
// Softmax-style kernels see a contiguous tensor as [outer, n, inner] and work
// along the middle dimension (n): a dim `d` of shape s has
// outer = s[0] * ... * s[d-1], n = s[d], inner = s[d+1] * ... * s[rank-1].

#include "ag_types.h"

/// Loss reductions: one value per element (none), their mean, or their sum.
#define AG_REDUCTION_NONE 0
#define AG_REDUCTION_MEAN 1
#define AG_REDUCTION_SUM 2

#define AG_DECLARE_NN(T, SFX)                                                                   \
/* y = exp(x - max) / sum exp(x - max) along n.                                              */ \
void ag_softmax_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner);       \
/* gx = y * (gy - sum_n(gy * y)). gx may alias gy.                                          */ \
void ag_softmax_backward_##SFX(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner); \
/* y = x - max - log sum exp(x - max) along n.                                               */ \
void ag_log_softmax_forward_##SFX(const T *x, T *y, int64_t outer, int64_t n, int64_t inner);   \
/* gx = gy - exp(y) * sum_n(gy). gx may alias gy.                                            */ \
void ag_log_softmax_backward_##SFX(const T *y, const T *gy, T *gx, int64_t outer, int64_t n, int64_t inner); \
                                                                                                \
/* (x - t)^2 for n elements: n values (NONE) or their mean / sum (one value).                */ \
void ag_mse_loss_forward_##SFX(const T *x, const T *t, T *out, int64_t n, int32_t reduction);   \
/* gx = 2 (x - t) gy' and gt = -gx, where gy' is gy[i] (NONE), gy[0] (SUM) or gy[0] / n      */ \
/* (MEAN). Either of gx, gt may be NULL.                                                     */ \
void ag_mse_loss_backward_##SFX(const T *x, const T *t, const T *gy, T *gx, T *gt, int64_t n,   \
                                int32_t reduction);                                             \
                                                                                                \
/* Cross-entropy of logits x [n, c] with class indices: per row i with m_i = max_j x[i,j],  */ \
/* lse[i] = log sum_j exp(x[i,j] - m_i) and loss_i = lse[i] - (x[i, t_i] - m_i) (the max is  */ \
/* never added back, so large logits lose nothing); a row whose target is ignore_index has loss */ \
/* 0 and does not count toward the mean. out gets n losses (NONE) or their mean over the     */ \
/* counted rows / their sum (one value). Returns -1, or the row of the first target outside  */ \
/* [0, c) that is not ignore_index (then out and lse are unspecified).                       */ \
int64_t ag_cross_entropy_forward_##SFX(const T *x, const int64_t *target, int64_t n, int64_t c, \
                                       int64_t ignore_index, int32_t reduction, T *out, T *lse); \
/* gx[i,j] = w_i (exp((x[i,j] - m_i) - lse[i]) - [j == t_i]) with w_i = gy[i] (NONE), gy[0] (SUM) or */ \
/* gy[0] / counted rows (MEAN); 0 for ignored rows. Targets must have been checked.          */ \
void ag_cross_entropy_backward_##SFX(const T *x, const int64_t *target, const T *lse, const T *gy, \
                                     int64_t n, int64_t c, int64_t ignore_index, int32_t reduction, \
                                     T *gx);                                                    \
/* Negative log-likelihood of log-probabilities x [n, c]: loss_i = -x[i, t_i], reduced and   */ \
/* checked as cross-entropy's. Returns -1 or the row of the first bad target.                */ \
int64_t ag_nll_loss_forward_##SFX(const T *x, const int64_t *target, int64_t n, int64_t c,      \
                                  int64_t ignore_index, int32_t reduction, T *out);             \
/* gx[i,j] = -w_i [j == t_i], w_i as for cross-entropy.                                      */ \
void ag_nll_loss_backward_##SFX(const int64_t *target, const T *gy, int64_t n, int64_t c,       \
                                int64_t ignore_index, int32_t reduction, T *gx);                \
                                                                                                \
/* Dropout from uniform samples u in [0, 1): mask = (u >= p) / (1 - p), y = x * mask.         */ \
/* mask may alias u. p must be in [0, 1).                                                    */ \
void ag_dropout_forward_##SFX(const T *x, const T *u, double p, T *mask, T *y, int64_t n);      \
/* gx = gy * mask. gx may alias gy.                                                          */ \
void ag_dropout_backward_##SFX(const T *mask, const T *gy, T *gx, int64_t n);                   \
                                                                                                \
/* Layer normalisation of x seen as m rows of n: mean[i], rstd[i] = 1 / sqrt(var[i] + eps)   */ \
/* (biased variance), y = (x - mean) rstd w + b. w and b (n values each) may be NULL.        */ \
void ag_layer_norm_forward_##SFX(const T *x, const T *w, const T *b, double eps, int64_t m,     \
                                 int64_t n, T *y, T *mean, T *rstd);                            \
/* With xhat = (x - mean) rstd and h = gy w: gx = rstd (h - mean_j(h) - xhat mean_j(h xhat)), */ \
/* gw = sum_i gy xhat, gb = sum_i gy. w may be NULL (ones); gx, gw, gb may each be NULL.      */ \
void ag_layer_norm_backward_##SFX(const T *x, const T *w, const T *mean, const T *rstd,         \
                                  const T *gy, int64_t m, int64_t n, T *gx, T *gw, T *gb);

AG_DECLARE_NN(float, f32)
AG_DECLARE_NN(double, f64)

#endif
