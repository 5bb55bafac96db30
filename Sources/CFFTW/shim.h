#ifndef MUSICFORGE_CFFTW_H
#define MUSICFORGE_CFFTW_H
#include <fftw3.h>
#endif
