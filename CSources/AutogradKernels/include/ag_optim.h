#ifndef AG_OPTIM_H
#define AG_OPTIM_H
// Optimiser updates, in place over a parameter's buffer, as PyTorch's
// torch.optim defines them (the "for-loop" implementations).

#include "ag_types.h"

/// SGD: g' = g + wd·p; with momentum, buf = first ? g' : momentum·buf + (1 − dampening)·g',
/// and the step uses nesterov ? g' + momentum·buf : buf; then p -= lr · step.
/// `buf` may be NULL when momentum is 0.
void ag_sgd_step_f32(float *p, const float *g, float *buf, int64_t n, double lr, double momentum,
                     double dampening, double weight_decay, bool nesterov, bool first);
void ag_sgd_step_f64(double *p, const double *g, double *buf, int64_t n, double lr, double momentum,
                     double dampening, double weight_decay, bool nesterov, bool first);

/// Adam (step t >= 1): g' = g + wd·p; m = β1·m + (1 − β1)·g'; v = β2·v + (1 − β2)·g'²;
/// p -= lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + eps).
void ag_adam_step_f32(float *p, const float *g, float *m, float *v, int64_t n, double lr, double beta1,
                      double beta2, double eps, double weight_decay, int64_t t);
void ag_adam_step_f64(double *p, const double *g, double *m, double *v, int64_t n, double lr, double beta1,
                      double beta2, double eps, double weight_decay, int64_t t);

#endif
