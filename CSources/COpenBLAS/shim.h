// OpenBLAS's CBLAS interface. The include path comes from pkg-config (openblas).
#include <cblas.h>
