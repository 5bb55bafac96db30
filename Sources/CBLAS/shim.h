#ifndef MUSICFORGE_CBLAS_H
#define MUSICFORGE_CBLAS_H
// OpenBLAS's CBLAS interface; Debian's pkg-config file points the include path at the variant installed.
#include <cblas.h>
#endif
