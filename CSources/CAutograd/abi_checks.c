// Compile-time checks of what autograd.h promises (SwiftPM also needs one C
// file to build the header's target). The functions are implemented in Swift
// (Sources/AutogradC), each checked against its declaration in autograd.h.
#include "autograd.h"

_Static_assert(sizeof(bool) == 1, "AUTOGRAD_BOOL tensors hold one byte per element");
_Static_assert(sizeof(autograd_status_t) == 4, "autograd_status_t is 32 bits");
_Static_assert(sizeof(size_t) == sizeof(void *), "size_t carries counts and sizes");
