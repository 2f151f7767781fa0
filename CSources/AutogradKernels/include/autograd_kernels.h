#ifndef AUTOGRAD_KERNELS_H
#define AUTOGRAD_KERNELS_H
// The numeric kernels of swift-autograd: plain C, float (`_f32`) and double
// (`_f64`), contiguous buffers in, buffers out, no allocation, no hidden state.
//
// Naming: `ag_<op>_forward_<type>` computes an op, `ag_<op>_backward_<type>`
// computes dL/dx from dL/dy. Every header below can be used from C on its own.

#include "ag_types.h"
#include "ag_memory.h"
#include "ag_unary.h"
#include "ag_binary.h"
#include "ag_integer.h"
#include "ag_reduce.h"
#include "ag_linalg.h"
#include "ag_optim.h"
#include "ag_parallel.h"
#include "ag_math.h"
#include "ag_elementwise_math.h"
#include "ag_compare.h"
#include "ag_reduce_dims.h"
#include "ag_sort.h"
#include "ag_shape.h"
#include "ag_index.h"
#include "ag_nn.h"
#include "ag_inplace.h"

#endif
